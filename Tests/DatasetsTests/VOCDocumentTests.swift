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

    @Test("an entity expansion bomb (billion laughs) is malformed at its line, not a hang or a gigabyte of text")
    func entityExpansion() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Ten levels of ten references: 10^9 copies of "lol" if expanded. libxml2 stops at its
        // amplification limit, and the reader reports the error code by name.
        var declarations = #"<!ENTITY l0 "lol">"#
        for level in 1...9 {
            declarations += "\n<!ENTITY l\(level) \"" + String(repeating: "&l\(level - 1);", count: 10) + "\">"
        }
        let url = try write("""
            <?xml version="1.0"?>
            <!DOCTYPE annotation [\(declarations)]>
            <annotation><object><name>&l9;</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object></annotation>
            """, in: folder)
        let error = try #require(throws: AnnotationError.self) { try PascalVOCReader.read(url) }
        guard case let .malformed(file, location, reason) = error else { Issue.record("expected .malformed, got \(error)"); return }
        #expect(file == url.path && location == .line(12), "\(location)")
        #expect(reason == "entity reference loop, or entity expansion beyond libxml2's limit")
    }
}
