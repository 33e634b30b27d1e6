import Foundation
import Testing
import TestSupport
@testable import Evaluation

@Suite("COCOEvaluator against pycocotools 2.0.11")
struct COCOEvaluatorTests {
    static let cases: [COCOFixture] = (try? COCOFixture.generated()) ?? []

    func evaluate(_ fixture: COCOFixture) -> COCOEvaluation {
        COCOEvaluator(parameters: COCOEvaluationParameters(maxDetections: fixture.maxDetections))
            .evaluate(groundTruth: fixture.groundTruth, detections: fixture.detections)
    }

    @Test("reference case coco_eval.json: 12 stats to 1e-6")
    func referenceStats() throws {
        let fixture = try COCOFixture.reference()
        let stats = evaluate(fixture).summary.stats
        #expect(stats.count == 12)
        for (index, (value, expected)) in zip(stats, fixture.stats).enumerated() {
            #expect(abs(value - expected) <= 1e-6, "stats[\(index)]: \(value) vs pycocotools \(expected)")
        }
    }

    @Test("generated cases exist")
    func generatedCasesLoad() throws {
        let names = try COCOFixture.generated().map(\.name)
        #expect(names.contains("crowd") && names.contains("max_dets_300") && names.contains("score_ties"))
        #expect(names.count == 10)
    }

    @Test("generated case: 12 stats to 1e-6", arguments: cases)
    func generatedStats(_ fixture: COCOFixture) {
        let stats = evaluate(fixture).summary.stats
        for (index, (value, expected)) in zip(stats, fixture.stats).enumerated() {
            #expect(abs(value - expected) <= 1e-6, "\(fixture.name) stats[\(index)]: \(value) vs pycocotools \(expected)")
        }
    }

    @Test("generated case: recall [T, K, A, M] and per-category AP to 1e-9", arguments: cases)
    func generatedRecallAndCategoryAP(_ fixture: COCOFixture) throws {
        let evaluation = evaluate(fixture)
        let recall = try #require(fixture.recall)
        for t in 0..<10 {
            for k in evaluation.categoryIDs.indices {
                for a in 0..<4 {
                    for m in 0..<3 {
                        let value = evaluation.recall(iou: t, category: k, area: a, cap: m)
                        #expect(abs(value - recall[t][k][a][m]) <= 1e-9, "\(fixture.name) recall[\(t)][\(k)][\(a)][\(m)]")
                    }
                }
            }
        }
        let categoryAP = try #require(fixture.categoryAP)
        for (k, expected) in categoryAP.enumerated() {
            var sum = 0.0, count = 0
            for t in 0..<10 {
                for r in 0..<101 {
                    let value = evaluation.precision(iou: t, recallPoint: r, category: k, area: 0, cap: 2)
                    if value > -1 { sum += value; count += 1 }
                }
            }
            let value = count == 0 ? -1 : sum / Double(count)
            #expect(abs(value - expected) <= 1e-9, "\(fixture.name) category \(evaluation.categoryIDs[k]) AP")
        }
    }

    @Test("maxDets 300 keeps detections beyond 100 and reports AP at 300")
    func maxDetections300() throws {
        let wide = try COCOFixture.generated(named: "max_dets_300")
        let standard = try COCOFixture.generated(named: "max_dets_300_default")
        let atWide = evaluate(wide).summary, atStandard = evaluate(standard).summary
        #expect(atWide.metrics[0].maxDetections == 300 && atWide.metrics[8].maxDetections == 300)
        #expect(atWide.stats[0] > atStandard.stats[0] + 0.1)  // 279 objects: a cap of 100 loses most of them
        #expect(atWide.stats[7] == atStandard.stats[7])  // AR@10 does not depend on the largest cap
    }

    @Test("thresholds equal numpy.linspace bit for bit")
    func parameters() {
        let p = COCOEvaluationParameters()
        #expect(p.iouThresholds == [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95])
        #expect(p.recallThresholds.count == 101)
        #expect(p.recallThresholds[35] == 0.35000000000000003 && p.recallThresholds[100] == 1.0)
        #expect(p.areaRanges.map(\.upperBound) == [1e10, 1024, 9216, 1e10])
        #expect(p.maxDetections == [1, 10, 100])
    }

    @Test("no detections: AP and AR 0 where objects exist, -1 for an empty range")
    func noDetections() {
        let groundTruth = COCOGroundTruth(
            images: [.init(id: 1), .init(id: 2)],
            annotations: [.init(id: 1, imageID: 1, categoryID: 1, box: COCOBox(x: 0, y: 0, width: 10, height: 10))],
            categories: [.init(id: 1), .init(id: 2)])
        let stats = COCOEvaluator().evaluate(groundTruth: groundTruth, detections: []).summary.stats
        #expect(stats == [0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1])
    }

    @Test("one perfect detection per object gives 1 everywhere an object exists")
    func perfectDetections() {
        let boxes = [COCOBox(x: 0, y: 0, width: 10, height: 10), COCOBox(x: 50, y: 50, width: 40, height: 40)]
        let groundTruth = COCOGroundTruth(
            images: [.init(id: 7)],
            annotations: boxes.enumerated().map { .init(id: $0 + 1, imageID: 7, categoryID: 3, box: $1) },
            categories: [.init(id: 3)])
        let detections = boxes.enumerated().map { COCODetection(imageID: 7, categoryID: 3, box: $1, score: 0.9 - Double($0) * 0.1) }
        let stats = COCOEvaluator().evaluate(groundTruth: groundTruth, detections: detections).summary.stats
        // AR@1 = 1/2: one detection per image and category reaches one of the two objects.
        // Precision is tp / (tp + fp + eps) as in pycocotools, hence 1 − 2.2e-16 rather than 1.
        let expected: [Double] = [1, 1, 1, 1, 1, -1, 0.5, 1, 1, 1, 1, -1]
        for (value, reference) in zip(stats, expected) {
            #expect(abs(value - reference) <= 1e-12)
        }
    }

    @Test("summary lines are formatted as pycocotools prints them, with the fixture's numbers")
    func summaryLines() throws {
        let fixture = try COCOFixture.reference()
        // pycocotools 2.0.11's labels for maxDets [1, 10, 100]; its numbers are the fixture's
        // stats, printed with '{:0.3f}'.
        let labels = [
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]",
            " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ]",
            " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ]",
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]",
            " Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ]",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ]",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]",
            " Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]",
        ]
        #expect(fixture.maxDetections == [1, 10, 100] && fixture.stats.count == labels.count)
        let printed = zip(labels, fixture.stats).map { "\($0) = \(String(format: "%0.3f", $1))" }.joined(separator: "\n")
        #expect(evaluate(fixture).summary.description == printed)
    }
}
