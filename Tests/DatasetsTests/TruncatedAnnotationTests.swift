// Truncated annotation files of every format, cut at every point (or at a stride through long
// files): each cut is a typed error naming the file, never a trap, and a document cut before its
// end never passes as a shorter valid one.
import Foundation
import Testing
import TestSupport
@testable import Datasets

@Suite("Truncated annotation files")
struct TruncatedAnnotationTests {
    /// The cut points of a file of `count` bytes: every one in the last 64 bytes and the first
    /// 64, every `stride`-th between (XMLParser needs a few milliseconds per call on long files).
    static func cuts(of count: Int, stride: Int) -> [Int] {
        Array(Set(Array(0..<min(64, count)) + Array(Swift.stride(from: 0, to: count, by: stride)) + Array(max(0, count - 64)..<count))).sorted()
    }

    @Test("every cut of a bundled VOC file before its closing tag is malformed, naming the file")
    func voc() throws {
        let url = BundledData.folder.appendingPathComponent("neon-trees/SOAP_061.xml")
        let bytes = try Data(contentsOf: url)
        let close = try #require(bytes.range(of: Data("</annotation>".utf8), options: .backwards)).upperBound
        var failures = 0
        for cut in Self.cuts(of: bytes.count, stride: 5) {
            do {
                let annotation = try PascalVOCReader.parse(bytes.prefix(cut), url: url)
                #expect(cut >= close, "a cut at \(cut) of \(bytes.count) bytes parsed with \(annotation.objects.count) objects")
            } catch {
                guard case let .malformed(file, _, _) = error else { Issue.record("cut at \(cut): \(error)"); continue }
                #expect(file == url.path)
                failures += 1
            }
        }
        #expect(failures == Self.cuts(of: bytes.count, stride: 5).filter { $0 < close }.count)
    }

    @Test("every cut of a COCO file before its last brace is malformed, naming the file")
    func coco() throws {
        let url = URL(fileURLWithPath: "/nonexistent/instances.json")
        let bytes = Data(#"""
            {"images": [{"id": 1, "file_name": "a.png", "width": 20, "height": 10}],
             "categories": [{"id": 1, "name": "tree"}, {"id": 2, "name": "bush"}],
             "annotations": [{"id": 1, "image_id": 1, "category_id": 2, "bbox": [1.5, 2, 10, 6.25], "iscrowd": 0, "area": 62.5},
                             {"id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4]}]}
            """#.utf8)
        let contents = try COCOReader.parse(bytes, url: url)
        #expect(contents.images.count == 1 && contents.images[0].objects.count == 2)
        for cut in 0..<bytes.count {
            let error = #expect(throws: AnnotationError.self, "cut at \(cut)") { try COCOReader.parse(bytes.prefix(cut), url: url) }
            guard case let .malformed(file, _, _)? = error else { Issue.record("cut at \(cut): \(String(describing: error))"); continue }
            #expect(file == url.path)
        }
    }

    @Test("every cut of a CSV file parses its whole rows or fails naming the file and line")
    func csv() throws {
        let url = URL(fileURLWithPath: "/nonexistent/annotations.csv")
        let bytes = Data("image_path,xmin,ymin,xmax,ymax,label\na.png,1,2,30,40,Tree\n\"b, c.png\",5,6,7.5,8,\"Dead \"\"Tree\"\"\"\nd.png,0,0,0,0,Tree\n".utf8)
        #expect(try CSVAnnotationReader.parse(bytes, url: url).map(\.objects.count) == [1, 1, 0])
        for cut in 0..<bytes.count {
            do {
                let images = try CSVAnnotationReader.parse(bytes.prefix(cut), url: url)
                // A cut inside a number leaves a shorter number, which CSV cannot tell from a
                // whole one; every box read is still a valid box.
                #expect(images.allSatisfy { $0.objects.allSatisfy { $0.box.x2 > $0.box.x1 && $0.box.y2 > $0.box.y1 } })
            } catch {
                switch error {
                case let .malformed(file, location, _), let .invalidBox(file, location, _):
                    #expect(file == url.path)
                    if case .line = location {} else { Issue.record("cut at \(cut): \(error) has no line") }
                default: Issue.record("cut at \(cut): unexpected \(error)")
                }
            }
        }
        // Cut inside a quoted field: the quote is unterminated.
        let inQuote = try #require(bytes.firstRange(of: Data("b, c".utf8))).lowerBound
        #expect(throws: AnnotationError.malformed(file: url.path, at: .line(3), reason: "unterminated quote")) {
            try CSVAnnotationReader.parse(bytes.prefix(inQuote + 2), url: url)
        }
    }

    @Test("a CSV that is not UTF-8 is malformed at the line of the first bad byte; a byte-order mark is skipped")
    func csvEncoding() throws {
        let url = URL(fileURLWithPath: "/nonexistent/annotations.csv")
        var bytes = Data("image_path,xmin,ymin,xmax,ymax,label\na.png,1,2,30,40,Tree\n".utf8)
        bytes.append(contentsOf: [0x62, 0xFF, 0x2E, 0x70, 0x6E, 0x67])  // "b\xFF.png"
        #expect(throws: AnnotationError.malformed(file: url.path, at: .line(3), reason: "byte 0xFF at offset 59 is not valid UTF-8")) {
            try CSVAnnotationReader.parse(bytes, url: url)
        }
        let marked = Data([0xEF, 0xBB, 0xBF]) + Data("image_path,xmin,ymin,xmax,ymax,label\na.png,1,2,30,40,Tree\n".utf8)
        #expect(try CSVAnnotationReader.parse(marked, url: url).map(\.objects.count) == [1])
    }
}
