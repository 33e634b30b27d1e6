import Foundation
import Testing
@testable import Datasets

/// Numbers in annotation files that are finite as Double but do not fit what Quarry stores:
/// box coordinates (Float32) and declared image sizes (Int pixels).
@Suite("Annotation numbers out of range")
struct AnnotationNumberRangeTests {
    @Test("a coordinate beyond Float32's range is an invalid box, not an infinite one",
          arguments: ["1e39", "3.5e38"])
    func coordinateBeyondFloat(xmax: String) throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try writeVOC(in: folder, name: "big", objects: [vocObject("Tree", "0", "0", xmax, "5")])
        let error = try #require(throws: AnnotationError.self) { try PascalVOCReader.read(url) }
        guard case let .invalidBox(file, location, _) = error else {
            Issue.record("expected .invalidBox, got \(error)")
            return
        }
        #expect(file == url.path && location == .object(0))
    }

    @Test("x2 > x1 that rounds to x2 == x1 in Float32 is an empty box, rejected")
    func widthLostToRounding() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 10.0000001 and 10.0000002 differ as Double but are the same Float32.
        let url = try writeVOC(in: folder, name: "thin", objects: [vocObject("Tree", "10.0000001", "0", "10.0000002", "5")])
        let error = try #require(throws: AnnotationError.self) { try PascalVOCReader.read(url) }
        guard case let .invalidBox(_, location, reason) = error else {
            Issue.record("expected .invalidBox, got \(error)")
            return
        }
        #expect(location == .object(0) && reason.contains("x2 ≤ x1"))
    }

    @Test("COCO and CSV boxes get the same Float32 checks")
    func cocoAndCSV() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let coco = folder.appendingPathComponent("big.json")
        try #"{"images": [{"id": 1, "file_name": "a.png"}], "categories": [{"id": 1, "name": "a"}], "annotations": [{"id": 3, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1e39, 1]}]}"#
            .write(to: coco, atomically: true, encoding: .utf8)
        let cocoError = try #require(throws: AnnotationError.self) { try COCOReader.read(coco) }
        if case let .invalidBox(_, location, _) = cocoError {
            #expect(location == .annotation(index: 0, id: 3))
        } else {
            Issue.record("expected .invalidBox, got \(cocoError)")
        }
        let csv = folder.appendingPathComponent("thin.csv")
        try "image_path,xmin,ymin,xmax,ymax,label\na.png,10.0000001,0,10.0000002,5,Tree\n"
            .write(to: csv, atomically: true, encoding: .utf8)
        let csvError = try #require(throws: AnnotationError.self) { try CSVAnnotationReader.read(csv) }
        if case let .invalidBox(_, location, _) = csvError {
            #expect(location == .line(2))
        } else {
            Issue.record("expected .invalidBox, got \(csvError)")
        }
    }

    @Test("a VOC <size> that is not a whole pixel count is ignored like an absent one",
          arguments: ["1e30", "inf", "-inf", "nan", "2.7", "-4", "0", "abc", "9223372036854775807"])
    func unusableDeclaredSize(width: String) throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("odd.xml")
        try """
            <annotation><filename>odd.png</filename><size><width>\(width)</width><height>10</height></size>
            <object>\(vocObject("Tree", "1", "1", "4", "4"))</object></annotation>
            """.write(to: url, atomically: true, encoding: .utf8)
        let annotation = try PascalVOCReader.read(url)
        #expect(annotation.declaredSize == nil)
        #expect(annotation.objects.count == 1)
    }

    @Test("a whole-number VOC <size> is kept, written as an integer or as a whole decimal")
    func wholeDeclaredSize() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("whole.xml")
        try "<annotation><size><width>400.0</width><height> 300 </height></size></annotation>"
            .write(to: url, atomically: true, encoding: .utf8)
        #expect(try PascalVOCReader.read(url).declaredSize == PixelSize(width: 400, height: 300))
    }
}
