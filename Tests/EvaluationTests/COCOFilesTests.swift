import Foundation
import Testing
@testable import Evaluation

@Suite("COCO files: reading, checking, writing")
struct COCOFilesTests {
    static let groundTruthText = """
        {"images": [{"id": 1, "width": 100, "height": 80, "file_name": "a.png"}, {"id": 2}],
         "annotations": [
           {"id": 1, "image_id": 1, "category_id": 5, "bbox": [1, 2, 10, 20], "area": 150.5, "iscrowd": 0, "segmentation": []},
           {"id": 2, "image_id": 2, "category_id": 5, "bbox": [0, 0, 4, 4], "area": 16, "iscrowd": 1},
           {"id": 3, "image_id": 2, "category_id": 6, "bbox": [3, 3, 4, 4], "area": 16}],
         "categories": [{"id": 5, "name": "tree"}, {"id": 6}],
         "info": {"year": 2024}}
        """

    /// Writes `text` to a fresh file and returns its URL.
    func file(_ text: String, name: String = "file.json") throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Loads `text` as ground truth and returns the error it throws.
    func groundTruthError(_ text: String) throws -> COCOFileError {
        let url = try file(text, name: "gt.json")
        do {
            _ = try COCOGroundTruth.load(contentsOf: url)
        } catch {
            #expect(error.file == url.path)
            return error
        }
        Issue.record("expected an error for \(text)")
        throw CancellationError()
    }

    /// Loads `text` as detections against the standard ground truth and returns the error.
    func detectionsError(_ text: String) throws -> COCOFileError {
        let groundTruth = try COCOGroundTruth.load(contentsOf: file(Self.groundTruthText))
        let url = try file(text, name: "dets.json")
        do {
            _ = try groundTruth.loadDetections(contentsOf: url)
        } catch {
            #expect(error.file == url.path)
            return error
        }
        Issue.record("expected an error for \(text)")
        throw CancellationError()
    }

    @Test("ground truth decodes every field, iscrowd defaulting to 0")
    func decodesGroundTruth() throws {
        let groundTruth = try COCOGroundTruth.load(contentsOf: file(Self.groundTruthText))
        #expect(groundTruth.images == [.init(id: 1, width: 100, height: 80, fileName: "a.png"), .init(id: 2)])
        #expect(groundTruth.annotations[0] == .init(id: 1, imageID: 1, categoryID: 5,
                                                    box: COCOBox(x: 1, y: 2, width: 10, height: 20), area: 150.5))
        #expect(groundTruth.annotations.map(\.isCrowd) == [false, true, false])
        #expect(groundTruth.categories == [.init(id: 5, name: "tree"), .init(id: 6)])
    }

    @Test("ground truth and detections survive a write and a read")
    func roundTrip() throws {
        let groundTruth = try COCOGroundTruth.load(contentsOf: file(Self.groundTruthText))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let groundTruthURL = directory.appendingPathComponent("gt.json")
        let detectionsURL = directory.appendingPathComponent("dets.json")
        let detections = [COCODetection(imageID: 2, categoryID: 6, box: COCOBox(x: 0.25, y: 1, width: 3, height: 4), score: 0.75)]
        try groundTruth.write(to: groundTruthURL)
        try COCODetection.write(detections, to: detectionsURL)
        let reread = try COCOGroundTruth.load(contentsOf: groundTruthURL)
        #expect(reread == groundTruth)
        #expect(try reread.loadDetections(contentsOf: detectionsURL) == detections)
        // Atomic writes leave no temporary file behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["dets.json", "gt.json"])
    }

    @Test("missing key names its location")
    func missingKey() throws {
        let error = try detectionsError(#"[{"image_id": 1, "category_id": 5, "bbox": [0, 0, 1, 1], "score": 0.5}, {"image_id": 1, "category_id": 5, "bbox": [0, 0, 1, 1]}]"#)
        #expect(error.location == "[1]" && error.kind == .missingKey("score"))
        let top = try groundTruthError(#"{"images": [], "annotations": []}"#)
        #expect(top.location == "" && top.kind == .missingKey("categories"))
    }

    @Test("non-finite numbers: a NaN string and a bare NaN token")
    func nonFinite() throws {
        let quoted = try detectionsError(#"[{"image_id": 1, "category_id": 5, "bbox": [0, 0, 1, 1], "score": "NaN"}]"#)
        #expect(quoted.location == "[0].score" && quoted.kind == .nonFiniteNumber)
        let bare = try detectionsError("[\n{\"image_id\": 1, \"category_id\": 5, \"bbox\": [0, 0, 1, 1],\n \"score\": NaN}]")
        #expect(bare.location == "line 3" && bare.kind == .nonFiniteNumber)
        let box = try detectionsError(#"[{"image_id": 1, "category_id": 5, "bbox": [0, "Infinity", 1, 1], "score": 0.1}]"#)
        #expect(box.location == "[0].bbox" && box.kind == .nonFiniteNumber)
    }

    @Test("negative width or height, negative area")
    func negativeSizes() throws {
        let width = try detectionsError(#"[{"image_id": 1, "category_id": 5, "bbox": [0, 0, -2, 1], "score": 0.5}]"#)
        #expect(width.location == "[0].bbox" && width.kind == .negativeSize(width: -2, height: 1))
        let area = try groundTruthError(#"{"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "area": -1}]}"#)
        #expect(area.location == "annotations[0].area" && area.kind == .negativeArea(-1))
    }

    @Test("unknown image or category ids, duplicate ids")
    func references() throws {
        let image = try detectionsError(#"[{"image_id": 9, "category_id": 5, "bbox": [0, 0, 1, 1], "score": 0.5}]"#)
        #expect(image.location == "[0].image_id" && image.kind == .unknownImage(id: 9))
        let category = try detectionsError(#"[{"image_id": 1, "category_id": 7, "bbox": [0, 0, 1, 1], "score": 0.5}]"#)
        #expect(category.location == "[0].category_id" && category.kind == .unknownCategory(id: 7))
        let orphan = try groundTruthError(#"{"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [{"id": 1, "image_id": 2, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1}]}"#)
        #expect(orphan.location == "annotations[0].image_id" && orphan.kind == .unknownImage(id: 2))
        let duplicate = try groundTruthError(#"{"images": [{"id": 1}, {"id": 1}], "categories": [], "annotations": []}"#)
        #expect(duplicate.location == "images[1].id" && duplicate.kind == .duplicateID(1))
    }

    @Test("wrong types and forms: string id, fractional id, 3-number bbox")
    func wrongForms() throws {
        let string = try groundTruthError(#"{"images": [{"id": "a"}], "categories": [], "annotations": []}"#)
        #expect(string.location == "images[0].id")
        let fractional = try groundTruthError(#"{"images": [{"id": 1.5}], "categories": [], "annotations": []}"#)
        #expect(fractional.location == "images[0].id" && fractional.kind == .invalidValue("expected an integer, found 1.5"))
        let box = try detectionsError(#"[{"image_id": 1, "category_id": 5, "bbox": [0, 0, 1], "score": 0.5}]"#)
        #expect(box.location == "[0].bbox" && box.kind == .invalidValue("a bbox holds 4 numbers [x, y, w, h], found 3"))
        let object = try detectionsError(#"{"image_id": 1}"#)
        #expect(object.location == "")
    }

    @Test("unreadable file and malformed JSON")
    func unreadableAndMalformed() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/quarry/gt.json")
        #expect(throws: COCOFileError.self) { try COCOGroundTruth.load(contentsOf: missing) }
        do {
            _ = try COCOGroundTruth.load(contentsOf: missing)
        } catch {
            guard case .unreadable = error.kind else { Issue.record("expected unreadable, got \(error)"); return }
            #expect(error.description.hasPrefix("/nonexistent/quarry/gt.json: cannot read the file"))
        }
        let truncated = try groundTruthError(#"{"images": [{"id": 1}"#)
        guard case .malformedJSON = truncated.kind else { Issue.record("expected malformedJSON, got \(truncated)"); return }
    }

    @Test("error messages name file, location and problem")
    func messages() {
        let error = COCOFileError(file: "dets.json", location: "[3].bbox", kind: .negativeSize(width: -1, height: 2))
        #expect(error.description == "dets.json: [3].bbox: negative box size (w -1.0, h 2.0)")
        #expect(COCOFileError(file: "gt.json", location: "", kind: .missingKey("images")).description
                == "gt.json: missing key \"images\"")
    }
}
