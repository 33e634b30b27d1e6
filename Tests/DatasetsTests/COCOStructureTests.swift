import Foundation
import Testing
@testable import Datasets

/// COCO files whose structure is wrong although every value decodes: duplicate categories,
/// and integer fields holding fractions.
@Suite("COCO structure errors")
struct COCOStructureTests {
    /// Writes `json` as `c.json` next to a 20 × 10 `a.png`.
    private func write(_ json: String, in folder: URL) throws -> URL {
        try RGBImage(width: 20, height: 10).writePNG(to: folder.appendingPathComponent("a.png"))
        let url = folder.appendingPathComponent("c.json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func document(categories: String, image: String = #"{"id": 1, "file_name": "a.png", "width": 20, "height": 10}"#) -> String {
        """
        {"images": [\(image)], "categories": [\(categories)],
         "annotations": [{"id": 1, "image_id": 1, "category_id": 2, "bbox": [1, 1, 3, 3]}]}
        """
    }

    @Test("two categories with the same name are malformed (not a crash in LabelMap)")
    func duplicateCategoryName() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try write(document(categories: #"{"id": 1, "name": "tree"}, {"id": 2, "name": "tree"}"#), in: folder)
        #expect(throws: AnnotationError.malformed(file: url.path, at: .jsonPath("categories[1].name"),
                                                  reason: "duplicate category name 'tree' (ids 1 and 2)")) {
            try COCOReader.read(url)
        }
        // The dataset loader, which builds a LabelMap from the names, reports the same error.
        #expect(throws: AnnotationError.self) { try DetectionDataset.loadCOCO(file: url) }
    }

    @Test("two categories with the same id are malformed, not silently merged")
    func duplicateCategoryID() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try write(document(categories: #"{"id": 2, "name": "tree"}, {"id": 2, "name": "shrub"}"#), in: folder)
        #expect(throws: AnnotationError.malformed(file: url.path, at: .jsonPath("categories[1].id"),
                                                  reason: "duplicate category id 2")) {
            try COCOReader.read(url)
        }
    }

    @Test("a fractional width or id is reported at its JSON path, not as invalid JSON")
    func fractionalIntegers() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let categories = #"{"id": 2, "name": "tree"}"#
        let width = try write(document(categories: categories,
                                       image: #"{"id": 1, "file_name": "a.png", "width": 20.5, "height": 10}"#), in: folder)
        #expect(throws: AnnotationError.malformed(file: width.path, at: .jsonPath("images[0].width"),
                                                  reason: "expected an integer, found 20.5")) {
            try COCOReader.read(width)
        }
        let id = try write(document(categories: categories, image: #"{"id": 1.5, "file_name": "a.png"}"#), in: folder)
        #expect(throws: AnnotationError.malformed(file: id.path, at: .jsonPath("images[0].id"),
                                                  reason: "expected an integer, found 1.5")) {
            try COCOReader.read(id)
        }
        // Whole numbers written with a decimal point are integers.
        let whole = try write(document(categories: categories,
                                       image: #"{"id": 1, "file_name": "a.png", "width": 20.0, "height": 10}"#), in: folder)
        #expect(try COCOReader.read(whole).images[0].declaredSize == PixelSize(width: 20, height: 10))
    }

    @Test("two images with the same id are malformed at the second, naming its index and id")
    func duplicateImageID() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let images = #"{"id": 1, "file_name": "a.png", "width": 20, "height": 10}, {"id": 1, "file_name": "a.png"}"#
        let url = try write(document(categories: #"{"id": 2, "name": "tree"}"#, image: images), in: folder)
        #expect(throws: AnnotationError.malformed(file: url.path, at: .image(index: 1, id: 1), reason: "duplicate image id")) {
            try COCOReader.read(url)
        }
    }
}
