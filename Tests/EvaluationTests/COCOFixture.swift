import Foundation
import Testing
import TestSupport
@testable import Evaluation

/// A COCO evaluation case from `coco_eval.json` or `coco_eval_cases.json`: inputs and
/// pycocotools 2.0.11's answers (see scripts/fixtures/make_coco_cases.py).
struct COCOFixture: Sendable, CustomTestStringConvertible {
    var name: String
    var groundTruth: COCOGroundTruth
    var detections: [COCODetection]
    var maxDetections: [Int]
    /// [12] summarize() numbers (stats[0] at the largest cap).
    var stats: [Double]
    /// [T][K][A][M] pycocotools' eval['recall'], or nil.
    var recall: [[[[Double]]]]?
    /// [K] mean precision per category at area all and the largest cap, or nil.
    var categoryAP: [Double]?
    /// The generator's VOC devkit port: AP per category id and mean, or nil.
    var vocPerCategory: [Int: Double]?
    var vocMean: Double?

    var testDescription: String { name }

    /// Re-serialises a parsed JSON value and decodes it with the module's decoders.
    static func decode<T: Decodable>(_ type: T.Type, from object: Any) throws -> T {
        try JSONDecoder().decode(type, from: JSONSerialization.data(withJSONObject: object))
    }

    /// The single case of `coco_eval.json` (the DESIGN.md reference).
    static func reference() throws -> COCOFixture {
        let root = try #require(Fixtures.json("coco_eval.json") as? [String: Any])
        return try COCOFixture(name: "coco_eval", root, maxDetections: [1, 10, 100])
    }

    /// Every case of `coco_eval_cases.json`.
    static func generated() throws -> [COCOFixture] {
        let root = try #require(Fixtures.json("coco_eval_cases.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        return try cases.map { entry in
            try COCOFixture(name: try #require(entry["name"] as? String), entry,
                            maxDetections: try #require(entry["max_dets"] as? [Int]))
        }
    }

    /// Loads a named case of `coco_eval_cases.json`.
    static func generated(named name: String) throws -> COCOFixture {
        try #require(try generated().first { $0.name == name })
    }

    init(name: String, _ entry: [String: Any], maxDetections: [Int]) throws {
        self.name = name
        self.maxDetections = maxDetections
        groundTruth = try Self.decode(COCOGroundTruth.self, from: try #require(entry["ground_truth"]))
        detections = try Self.decode([COCODetection].self, from: try #require(entry["detections"]))
        stats = try #require(entry["stats"] as? [Double])
        recall = entry["recall"] as? [[[[Double]]]]
        categoryAP = entry["category_ap"] as? [Double]
        if let voc = entry["voc"] as? [String: Any], let perCategory = voc["per_category"] as? [String: Double] {
            vocPerCategory = Dictionary(uniqueKeysWithValues: perCategory.map { (Int($0.key)!, $0.value) })
            vocMean = voc["mean"] as? Double
        }
    }
}
