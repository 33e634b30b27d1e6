import Foundation
import Testing
@testable import Datasets

/// XML files that parse but are not Pascal VOC annotations must not read as "an image with no
/// objects", which would silently turn a broken file into background-only training data.
@Suite("Pascal VOC document checks")
struct VOCDocumentTests {
    private func write(_ text: String, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("doc.xml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("an empty file is malformed")
    func emptyFile() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try write("", in: folder)
        let error = try #require(throws: AnnotationError.self) { try PascalVOCReader.read(url) }
        guard case let .malformed(file, _, _) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(file == url.path)
    }

    @Test("a root element other than <annotation> is malformed and named")
    func wrongRoot() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try write("<?xml version=\"1.0\"?>\n<svg><object><name>Tree</name></object></svg>", in: folder)
        #expect(throws: AnnotationError.malformed(file: url.path, at: .file, reason: "root element is <svg>, not <annotation>")) {
            try PascalVOCReader.read(url)
        }
    }

    @Test("an <annotation> without objects is still a valid image without objects")
    func noObjects() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try write("<annotation><filename>x.png</filename></annotation>", in: folder)
        #expect(try PascalVOCReader.read(url).objects.isEmpty)
    }

    @Test("a document type declaration is refused at its line before parsing: no entity bomb, no entity-made markup")
    func documentTypeDeclaration() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Billion laughs: ten levels of ten references, 10^9 copies of "lol" if expanded.
        var declarations = #"<!ENTITY l0 "lol">"#
        for level in 1...9 {
            declarations += "\n<!ENTITY l\(level) \"" + String(repeating: "&l\(level - 1);", count: 10) + "\">"
        }
        // And an entity whose text becomes a processing instruction without data, which
        // crashes Foundation's XMLParser, through a character reference no byte scan would see.
        for doctype in ["<!DOCTYPE annotation [\(declarations)]>", #"<!DOCTYPE annotation [<!ENTITY p "&#60;?a?>">]>"#] {
            let url = try write("""
                <?xml version="1.0"?>
                \(doctype)
                <annotation><object><name>&l9;</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object></annotation>
                """, in: folder)
            let error = try #require(throws: AnnotationError.self) { try PascalVOCReader.read(url) }
            guard case let .malformed(file, location, reason) = error else { Issue.record("expected .malformed, got \(error)"); return }
            #expect(file == url.path && location == .line(2), "\(location)")
            #expect(reason.hasPrefix("a document type declaration (<!DOCTYPE …>) is not accepted"), "\(reason)")
        }
    }

    @Test("a processing instruction without data is refused at its line; with data, or inside a comment or CDATA, it is not")
    func processingInstructions() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // FuzzVOC's crash: libxml2 hands `<?xmg?>` to XMLParser with NULL data, and XMLParser
        // calls strlen on it (SIGSEGV).
        let crash = Data([0x3C, 0x3F, 0x78, 0x6D, 0x67, 0x3F, 0x3E, 0x3C, 0x61, 0x34, 0x6E, 0x6F])  // "<?xmg?><a4no"
        let url = folder.appendingPathComponent("crash.xml")
        #expect(throws: AnnotationError.malformed(file: url.path, at: .line(1),
                                                  reason: "processing instruction '<?xmg?>' without data is not accepted: the XML parser crashes on it")) {
            try PascalVOCReader.parse(crash, url: url)
        }
        let late = try write("<annotation>\n<object>\n<?tool?></object></annotation>", in: folder)
        #expect(throws: AnnotationError.malformed(file: late.path, at: .line(3),
                                                  reason: "processing instruction '<?tool?>' without data is not accepted: the XML parser crashes on it")) {
            try PascalVOCReader.read(late)
        }
        // `<?` without a target: libxml2 reports it and parses on into the `<?x?>` behind it.
        let untargeted = try write("<?<?x?>\n<annotation></annotation>", in: folder)
        #expect(throws: AnnotationError.malformed(file: untargeted.path, at: .line(1),
                                                  reason: "'<?' without a processing instruction target is not accepted")) {
            try PascalVOCReader.read(untargeted)
        }
        // The same characters where they are not markup, and a processing instruction with data.
        let fine = try write("""
            <?xml version="1.0"?><?tool version 2?>
            <annotation><!-- <?a?> <!DOCTYPE --><filename><![CDATA[<?b?>.png]]></filename></annotation>
            """, in: folder)
        #expect(try PascalVOCReader.read(fine).objects.isEmpty)
    }

    @Test("encodings the checks cannot follow are refused; UTF-16 is read")
    func encodings() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("e.xml")
        let document = #"<annotation><object><name>Tree</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>5</xmax><ymax>7</ymax></bndbox></object></annotation>"#
        #expect(throws: AnnotationError.malformed(file: url.path, at: .line(1), reason: "encoding 'utf-7' not supported; save the file as UTF-8")) {
            try PascalVOCReader.parse(Data((#"<?xml version="1.0" encoding="UTF-7"?>"# + document).utf8), url: url)
        }
        #expect(throws: AnnotationError.malformed(file: url.path, at: .line(1), reason: "encoding not supported (UCS-4 or EBCDIC); save the file as UTF-8")) {
            try PascalVOCReader.parse(Data([0x4C, 0x6F, 0xA7, 0x94, 0x93]), url: url)
        }
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(try #require(document.data(using: .utf16LittleEndian)))
        #expect(try PascalVOCReader.parse(utf16, url: url).objects.map(\.box) == [BoundingBox(x1: 1, y1: 2, x2: 5, y2: 7)])
        var hidden = Data([0xFF, 0xFE])
        hidden.append(try #require(("<?a?>" + document).data(using: .utf16LittleEndian)))
        #expect(throws: AnnotationError.malformed(file: url.path, at: .line(1),
                                                  reason: "processing instruction '<?a?>' without data is not accepted: the XML parser crashes on it")) {
            try PascalVOCReader.parse(hidden, url: url)
        }
    }
}
