// Bytes that are not valid UTF-8 reach no text parser: hand-made sequences for the check, and
// the mutation that crashed `quarry train` (one byte of `<occluded>` in a bundled VOC file
// changed to 0xCF, which trapped inside Foundation's XMLParser) as a regression test.
import Foundation
import Testing
import TestSupport
@testable import Datasets

@Suite("UTF-8 check before XML parsing")
struct UTF8CheckTests {
    @Test("well-formed sequences pass: ASCII, 2-, 3- and 4-byte characters")
    func wellFormed() {
        #expect(UTF8Check.firstViolation(in: Array("<a>Tree</a>".utf8)) == nil)
        #expect(UTF8Check.firstViolation(in: Array("é € 𝄞 \u{10FFFF}".utf8)) == nil)
        #expect(UTF8Check.firstViolation(in: [UInt8]()) == nil)
    }

    @Test("ill-formed sequences are found at their first byte, with the line")
    func illFormed() {
        // A lone lead byte followed by ASCII (the crashing mutation), on line 3.
        #expect(UTF8Check.firstViolation(in: Array("a\nb\n<occ".utf8) + [0xCF] + Array("uded>".utf8))
                == UTF8Violation(offset: 8, line: 3, byte: 0xCF))
        // Overlong "/" (C0 AF), a UTF-16 surrogate (ED A0 80), above U+10FFFF (F4 90 80 80),
        // a continuation byte alone, a sequence cut off at the end.
        #expect(UTF8Check.firstViolation(in: [0x41, 0xC0, 0xAF]) == UTF8Violation(offset: 1, line: 1, byte: 0xC0))
        #expect(UTF8Check.firstViolation(in: [0xED, 0xA0, 0x80]) == UTF8Violation(offset: 0, line: 1, byte: 0xED))
        #expect(UTF8Check.firstViolation(in: [0xF4, 0x90, 0x80, 0x80]) == UTF8Violation(offset: 0, line: 1, byte: 0xF4))
        #expect(UTF8Check.firstViolation(in: [0x41, 0x80]) == UTF8Violation(offset: 1, line: 1, byte: 0x80))
        #expect(UTF8Check.firstViolation(in: [0x41, 0xE2, 0x82]) == UTF8Violation(offset: 1, line: 1, byte: 0xE2))
        #expect(UTF8Violation(offset: 7, line: 3, byte: 0xCF).reason == "byte 0xCF at offset 7 is not valid UTF-8")
    }

    @Test("the XML declaration's encoding decides whether the bytes must be UTF-8")
    func declaredEncoding() {
        #expect(UTF8Check.declaredXMLEncoding(of: Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><a/>"#.utf8)) == "iso-8859-1")
        #expect(UTF8Check.declaredXMLEncoding(of: Array("<?xml version='1.0' encoding = 'UTF-8' ?><a/>".utf8)) == "utf-8")
        #expect(UTF8Check.declaredXMLEncoding(of: Array(#"<?xml version="1.0"?><a/>"#.utf8)) == nil)
        #expect(UTF8Check.xmlIsUTF8(Array("<annotation/>".utf8)))
        #expect(!UTF8Check.xmlIsUTF8(Array(#"<?xml version="1.0" encoding="latin1"?>"#.utf8)))
        #expect(!UTF8Check.xmlIsUTF8([0xFF, 0xFE, 0x3C, 0x00]))
        // Not declarations to libxml2, so the bytes are UTF-8: no white space after `<?xml`, no
        // version, an encoding name that is not an EncName.
        #expect(UTF8Check.declaredXMLEncoding(of: Array(#"<?xml encoding="ISO-8859-1"?>"#.utf8)) == nil)
        #expect(UTF8Check.declaredXMLEncoding(of: [0x3C, 0x3F, 0x78, 0x6D, 0x6C, 0xFF] + Array(#" version="1.0" encoding="ISO-8859-1"?>"#.utf8)) == nil)
        #expect(UTF8Check.declaredXMLEncoding(of: Array(#"<?xml version="1.0" encoding="8859"?>"#.utf8)) == nil)
    }

    @Test("FuzzVOC's second crash: <?xml followed by 0xFF, an ISO-8859-1 declaration later on, is malformed at line 1")
    func notADeclaration() throws {
        // libxml2 reads no declaration here, takes the bytes as UTF-8 and passed the 0xFF bytes
        // of a processing instruction's data to XMLParser, which trapped building a String.
        var bytes: [UInt8] = Array("<?xml".utf8) + [UInt8](repeating: 0xFF, count: 78) + Array("n  ".utf8)
        bytes += Array(#"<?xml encoding="ISO-8859-1"-8"?>"#.utf8) + [0xED] + Array("ncoindg?><6nno".utf8) + [1, 0, 0, 0]
        let url = URL(fileURLWithPath: "/nonexistent/crash.xml")
        #expect(throws: AnnotationError.malformed(file: url.path, at: .line(1), reason: "byte 0xFF at offset 5 is not valid UTF-8")) {
            try PascalVOCReader.parse(Data(bytes), url: url)
        }
    }

    @Test("a bundled VOC file with one byte of <occluded> changed to 0xCF is a malformed-file error at its line")
    func mutatedBundledFile() throws {
        let source = BundledData.folder.appendingPathComponent("neon-trees/OSBS_029.xml")
        var bytes = [UInt8](try Data(contentsOf: source))
        let tag = Array("<occluded>".utf8)
        let start = try #require((0...(bytes.count - tag.count)).first { Array(bytes[$0..<($0 + tag.count)]) == tag })
        bytes[start + 4] = 0xCF   // "<occ" + 0xCF + "uded>"
        let line = bytes[..<start].filter { $0 == 0x0A }.count + 1
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("OSBS_029.xml")
        try Data(bytes).write(to: url)
        #expect(throws: AnnotationError.malformed(file: url.path, at: .line(line),
                                                  reason: "byte 0xCF at offset \(start + 4) is not valid UTF-8")) {
            _ = try PascalVOCReader.read(url)
        }
    }

    @Test("a document declared ISO-8859-1 keeps its non-ASCII bytes (libxml2 converts them)")
    func latin1Document() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("latin1.xml")
        let xml = Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><annotation><object><name>Tr"#.utf8) + [0xE9]
            + Array("e</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>5</xmax><ymax>7</ymax></bndbox></object></annotation>".utf8)
        try Data(xml).write(to: url)
        let annotation = try PascalVOCReader.read(url)
        #expect(annotation.objects.map(\.name) == ["Tr\u{E9}e"])
    }
}
