import Foundation
import Testing
import TestSupport
@testable import Evaluation

@Suite("VOCEvaluator: all-point AP at IoU 0.5")
struct VOCEvaluatorTests {
    static func box(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> VOCBox {
        VOCBox(x1: x1, y1: y1, x2: x2, y2: y2)
    }

    /// 3 objects (A, B in image 1; C in image 2) and 5 detections of class 1.
    static let objects = [
        VOCGroundTruth(imageID: 1, classID: 1, box: box(0, 0, 10, 10)),   // A
        VOCGroundTruth(imageID: 1, classID: 1, box: box(20, 0, 30, 10)),  // B
        VOCGroundTruth(imageID: 2, classID: 1, box: box(0, 0, 10, 10)),   // C
    ]
    static let detections = [
        VOCDetection(imageID: 1, classID: 1, box: box(50, 50, 60, 60), score: 0.6),  // d4: no overlap → FP
        VOCDetection(imageID: 1, classID: 1, box: box(0, 0, 10, 10), score: 0.9),    // d1: A, IoU 1 → TP
        VOCDetection(imageID: 2, classID: 1, box: box(0, 0, 10, 10), score: 0.7),    // d3: C → TP
        VOCDetection(imageID: 1, classID: 1, box: box(1, 0, 11, 10), score: 0.8),    // d2: A again (90/110) → FP
        VOCDetection(imageID: 1, classID: 1, box: box(20, 0, 30, 10), score: 0.5),   // d5: B → TP
    ]

    @Test("3 objects, 5 detections: TP FP TP FP TP gives AP 34/45")
    func handComputed() throws {
        // Score order d1 TP, d2 FP, d3 TP, d4 FP, d5 TP:
        //   recall    1/3, 1/3, 2/3, 2/3, 1
        //   precision 1,   1/2, 2/3, 1/2, 3/5
        // Envelope (running max from the right): 1, 2/3, 2/3, 3/5, 3/5.
        // AP = 1/3·1 + 1/3·2/3 + 1/3·3/5 = 15/45 + 10/45 + 9/45 = 34/45 ≈ 0.7556.
        let result = VOCEvaluator().evaluate(groundTruth: Self.objects, detections: Self.detections)
        let entry = try #require(result.classes.first)
        #expect(result.classes.count == 1 && entry.classID == 1 && entry.groundTruthCount == 3)
        #expect(abs(try #require(entry.averagePrecision) - 34.0 / 45.0) < 1e-12)
        #expect(entry.curve.scores == [0.9, 0.8, 0.7, 0.6, 0.5])
        let expectedRecall = [1.0 / 3, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1]
        let expectedPrecision = [1, 0.5, 2.0 / 3, 0.5, 0.6]
        for i in 0..<5 {
            #expect(abs(entry.curve.recall[i] - expectedRecall[i]) < 1e-12)
            #expect(abs(entry.curve.precision[i] - expectedPrecision[i]) < 1e-12)
        }
        #expect(abs(try #require(result.meanAveragePrecision) - 34.0 / 45.0) < 1e-12)
    }

    @Test("a difficult object is not counted and detections on it are ignored")
    func difficult() throws {
        let objects = Self.objects + [VOCGroundTruth(imageID: 2, classID: 1, box: Self.box(40, 40, 50, 50), isDifficult: true)]
        let detections = Self.detections + [VOCDetection(imageID: 2, classID: 1, box: Self.box(40, 40, 50, 50), score: 0.65)]
        let entry = try #require(VOCEvaluator().evaluate(groundTruth: objects, detections: detections).classes.first)
        #expect(entry.groundTruthCount == 3)
        #expect(entry.curve.scores == [0.9, 0.8, 0.7, 0.6, 0.5])  // the 0.65 detection adds no point
        #expect(abs(try #require(entry.averagePrecision) - 34.0 / 45.0) < 1e-12)
    }

    @Test("IoU exactly 0.5 is a true positive; just below is not")
    func thresholdInclusive() throws {
        let object = [VOCGroundTruth(imageID: 1, classID: 2, box: Self.box(0, 0, 10, 20))]
        let half = [VOCDetection(imageID: 1, classID: 2, box: Self.box(0, 0, 10, 10), score: 1)]  // 100 / 200
        #expect(VOCEvaluator().evaluate(groundTruth: object, detections: half).averagePrecision(ofClass: 2) == 1)
        let below = [VOCDetection(imageID: 1, classID: 2, box: Self.box(0, 0, 10, 9.99), score: 1)]
        #expect(VOCEvaluator().evaluate(groundTruth: object, detections: below).averagePrecision(ofClass: 2) == 0)
    }

    @Test("devkit rule vs highest unmatched overlap on a duplicate near two objects")
    func matchingRules() throws {
        // E and F overlap; d1 has IoU 90/110 with both (tie → E, the first), d2 IoU 1 with E, 80/120 with F.
        let objects = [VOCGroundTruth(imageID: 1, classID: 1, box: Self.box(0, 0, 10, 10)),
                       VOCGroundTruth(imageID: 1, classID: 1, box: Self.box(2, 0, 12, 10))]
        let detections = [VOCDetection(imageID: 1, classID: 1, box: Self.box(1, 0, 11, 10), score: 0.9),
                          VOCDetection(imageID: 1, classID: 1, box: Self.box(0, 0, 10, 10), score: 0.8)]
        // Devkit: d2 is judged against E (taken) → FP; points (1/2, 1), (1/2, 1/2) → AP 1/2.
        let devkit = VOCEvaluator().evaluate(groundTruth: objects, detections: detections)
        #expect(devkit.averagePrecision(ofClass: 1) == 0.5)
        // Unmatched rule: d2 takes F (IoU 2/3) → TP; points (1/2, 1), (1, 1) → AP 1.
        let unmatched = VOCEvaluator(matchingRule: .highestUnmatchedOverlap).evaluate(groundTruth: objects, detections: detections)
        #expect(unmatched.averagePrecision(ofClass: 1) == 1)
    }

    @Test("classes without objects have no AP and stay out of the mean; no detections give 0")
    func emptyClasses() throws {
        let objects = [VOCGroundTruth(imageID: 1, classID: 1, box: Self.box(0, 0, 10, 10)),
                       VOCGroundTruth(imageID: 1, classID: 3, box: Self.box(0, 0, 10, 10))]
        let detections = [VOCDetection(imageID: 1, classID: 1, box: Self.box(0, 0, 10, 10), score: 0.9),
                          VOCDetection(imageID: 1, classID: 2, box: Self.box(0, 0, 10, 10), score: 0.9)]
        let result = VOCEvaluator().evaluate(groundTruth: objects, detections: detections)
        #expect(result.classes.map(\.classID) == [1, 2, 3])
        #expect(result.averagePrecision(ofClass: 1) == 1)
        #expect(result.averagePrecision(ofClass: 2) == nil)  // detections only
        #expect(result.averagePrecision(ofClass: 3) == 0)    // objects only
        #expect(result.meanAveragePrecision == 0.5)
        #expect(VOCEvaluator().evaluate(groundTruth: [], detections: []).meanAveragePrecision == nil)
    }

    @Test("COCO inputs agree with the generator's port of the VOC devkit", arguments: (try? COCOFixture.generated()) ?? [])
    func cocoCases(_ fixture: COCOFixture) throws {
        let result = VOCEvaluator().evaluate(groundTruth: fixture.groundTruth, detections: fixture.detections)
        let perCategory = try #require(fixture.vocPerCategory)
        for (category, expected) in perCategory {
            #expect(abs(try #require(result.averagePrecision(ofClass: category)) - expected) <= 1e-9,
                    "\(fixture.name) category \(category)")
        }
        #expect(result.classes.count { $0.averagePrecision != nil } == perCategory.count)
        #expect(abs(try #require(result.meanAveragePrecision) - (try #require(fixture.vocMean))) <= 1e-9)
    }

    @Test("TestSupport's devkit port equals the generator's on every case, so tests can derive VOC APs from inputs")
    func referencePort() throws {
        let root = try #require(Fixtures.json("coco_eval_cases.json") as? [String: Any])
        var checked = 0
        for entry in try #require(root["cases"] as? [[String: Any]]) {
            guard let voc = entry["voc"] as? [String: Any], let expected = voc["per_category"] as? [String: Double] else { continue }
            let port = ReferenceVOC.averagePrecision(groundTruth: try #require(entry["ground_truth"] as? [String: Any]),
                                                     detections: try #require(entry["detections"] as? [[String: Any]]))
            #expect(port.perCategory.count == expected.count, "\(entry["name"] ?? "?")")
            for (category, value) in expected {
                #expect(abs(try #require(port.perCategory[Int(category)!]) - value) <= 1e-12, "\(entry["name"] ?? "?") \(category)")
            }
            #expect(port.mean.map { abs($0 - (voc["mean"] as? Double ?? .nan)) <= 1e-12 } ?? (voc["mean"] is NSNull), "\(entry["name"] ?? "?")")
            checked += 1
        }
        #expect(checked > 0)
    }
}

@Suite("PrecisionRecallCurve")
struct PrecisionRecallCurveTests {
    @Test("all-point AP of the documented worked example is 5/9")
    func workedExample() {
        let curve = PrecisionRecallCurve(recall: [1.0 / 3, 1.0 / 3, 2.0 / 3], precision: [1, 0.5, 2.0 / 3], scores: [3, 2, 1])
        #expect(abs(curve.allPointAveragePrecision - 5.0 / 9.0) < 1e-12)
    }

    @Test("empty curve gives 0; a perfect curve gives 1")
    func extremes() {
        #expect(PrecisionRecallCurve(recall: [], precision: [], scores: []).allPointAveragePrecision == 0)
        #expect(PrecisionRecallCurve(recall: [0.5, 1], precision: [1, 1], scores: [2, 1]).allPointAveragePrecision == 1)
    }
}
