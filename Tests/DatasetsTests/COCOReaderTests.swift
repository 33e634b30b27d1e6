import Foundation
import Testing
@testable import Datasets

@Suite("COCO reader")
struct COCOReaderTests {
    /// Writes `json` as `annotations.json` next to two 20 × 10 PNGs `a.png` and `b.png`.
    private func write(_ json: String, in folder: URL) throws -> URL {
        for name in ["a", "b"] {
            try RGBImage(width: 20, height: 10).writePNG(to: folder.appendingPathComponent("\(name).png"))
        }
        let url = folder.appendingPathComponent("annotations.json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func document(annotations: String) -> String {
        """
        {"images": [{"id": 10, "file_name": "a.png", "width": 20, "height": 10},
                    {"id": 11, "file_name": "b.png", "width": 20, "height": 10}],
         "categories": [{"id": 7, "name": "dog"}, {"id": 3, "name": "cat"}],
         "annotations": [\(annotations)]}
        """
    }

    @Test("bbox [x, y, w, h] becomes (x, y, x + w, y + h); categories in id order; crowd and area kept")
    func reads() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try write(document(annotations: """
            {"id": 1, "image_id": 10, "category_id": 7, "bbox": [2, 3, 4, 5], "area": 18.5, "iscrowd": 0},
            {"id": 2, "image_id": 10, "category_id": 3, "bbox": [0.5, 0, 10, 10], "iscrowd": 1}
            """), in: folder)
        let contents = try COCOReader.read(url)
        #expect(contents.categoryNames == ["cat", "dog"])
        #expect(contents.images.count == 2)
        let objects = contents.images[0].objects
        #expect(objects.map(\.box) == [BoundingBox(x1: 2, y1: 3, x2: 6, y2: 8), BoundingBox(x1: 0.5, y1: 0, x2: 10.5, y2: 10)])
        #expect(objects.map(\.isDifficult) == [false, true])
        #expect(objects.map(\.area) == [18.5, nil])
        #expect(contents.images[1].objects.isEmpty)  // b.png has no annotations and is kept

        let dataset = try DetectionDataset.loadCOCO(file: url)
        #expect(dataset.classNames == ["cat", "dog"])
        #expect(dataset.samples.map(\.target.labels) == [[2, 1], []])
        #expect(dataset.samples[0].target.isDifficult == [false, true])
    }

    @Test("annotation errors name the file and the annotation index and id")
    func errors() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ok = #"{"id": 1, "image_id": 10, "category_id": 7, "bbox": [2, 3, 4, 5]}"#
        let zeroWidth = try write(document(annotations: ok + #", {"id": 42, "image_id": 10, "category_id": 7, "bbox": [2, 3, 0, 5]}"#), in: folder)
        let error = try #require(throws: AnnotationError.self) { try COCOReader.read(zeroWidth) }
        guard case let .invalidBox(file, location, reason) = error else {
            Issue.record("expected .invalidBox, got \(error)")
            return
        }
        #expect(file == zeroWidth.path && location == .annotation(index: 1, id: 42) && reason.contains("x2 ≤ x1"))
        #expect(error.description.contains("annotations[1] (id 42)"))

        let unknown = try write(document(annotations: #"{"id": 5, "image_id": 10, "category_id": 99, "bbox": [2, 3, 4, 5]}"#), in: folder)
        #expect(throws: AnnotationError.unknownLabel(file: unknown.path, at: .annotation(index: 0, id: 5), label: "category_id 99")) {
            try COCOReader.read(unknown)
        }
        let short = try write(document(annotations: #"{"id": 5, "image_id": 10, "category_id": 7, "bbox": [2, 3, 4]}"#), in: folder)
        #expect(throws: AnnotationError.malformed(file: short.path, at: .annotation(index: 0, id: 5), reason: "bbox has 3 numbers, not 4")) {
            try COCOReader.read(short)
        }
        let orphan = try write(document(annotations: #"{"id": 5, "image_id": 12, "category_id": 7, "bbox": [2, 3, 4, 5]}"#), in: folder)
        #expect(throws: AnnotationError.malformed(file: orphan.path, at: .annotation(index: 0, id: 5), reason: "image_id 12 not in images")) {
            try COCOReader.read(orphan)
        }
        let negative = try write(document(annotations: #"{"image_id": 10, "category_id": 7, "bbox": [-2, 3, 4, 5]}"#), in: folder)
        let negativeError = try #require(throws: AnnotationError.self) { try COCOReader.read(negative) }
        if case let .invalidBox(_, location, _) = negativeError {
            #expect(location == .annotation(index: 0, id: nil))
        } else {
            Issue.record("expected .invalidBox, got \(negativeError)")
        }
    }

    @Test("JSON that does not decode is malformed at its coding path")
    func undecodable() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missingField = try write(document(annotations: #"{"id": 1, "category_id": 7, "bbox": [2, 3, 4, 5]}"#), in: folder)
        #expect(throws: AnnotationError.malformed(file: missingField.path, at: .jsonPath("annotations[0].image_id"), reason: "missing field")) {
            try COCOReader.read(missingField)
        }
        let broken = try write("{\"images\": [", in: folder)
        let error = try #require(throws: AnnotationError.self) { try COCOReader.read(broken) }
        guard case let .malformed(file, _, reason) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(file == broken.path && reason.hasPrefix("invalid JSON"))
    }
}
