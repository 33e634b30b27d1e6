import Evaluation
import Foundation
import Testing
@testable import Training

@Suite("Learning curves: the still-rising check")
struct LearningCurveTests {
    /// Two images with one object each; `hits` says which image's single detection hits it.
    static func evaluation(hits: [Bool]) -> VOCResampling {
        let box = VOCBox(x1: 0, y1: 0, x2: 10, y2: 10), miss = VOCBox(x1: 50, y1: 50, x2: 60, y2: 60)
        let objects = hits.indices.map { VOCGroundTruth(imageID: $0 + 1, classID: 1, box: box) }
        let detections = hits.enumerated().map { i, hit in
            VOCDetection(imageID: i + 1, classID: 1, box: hit ? box : miss, score: 0.9 - 0.1 * Double(i))
        }
        return VOCResampling(evaluation: VOCEvaluator().evaluate(groundTruth: objects, detections: detections),
                             imageIDs: Array(1...hits.count))
    }

    @Test("a gain on every image: every resample gains 1, so the interval [1, 1] is above 0 — rising")
    func risingEverywhere() throws {
        let interval = try #require(StrategyComparison.gainInterval(from: Self.evaluation(hits: [false, false]),
                                                                    to: Self.evaluation(hits: [true, true]),
                                                                    bootstrap: PercentileBootstrap()))
        #expect(interval == ConfidenceInterval(lower: 1, upper: 1))
        #expect(StillRisingCheck(fromIteration: 400, toIteration: 600, gain: 1, gainInterval: interval).isRising)
    }

    @Test("a gain on one image only: the resample of the other image alone gains 0, so not rising")
    func risingOnOneImage() throws {
        // Resamples {A,A}: 1 − 0; {A,B}: AP(hit at 0.9, miss at 0.8 over 2 objects) = 1/2 − 0; {B,B}: 0 − 0.
        let interval = try #require(StrategyComparison.gainInterval(from: Self.evaluation(hits: [false, false]),
                                                                    to: Self.evaluation(hits: [true, false]),
                                                                    bootstrap: PercentileBootstrap()))
        #expect(interval == ConfidenceInterval(lower: 0, upper: 1))
        #expect(!StillRisingCheck(fromIteration: 400, toIteration: 600, gain: 0.5, gainInterval: interval).isRising)
        #expect(!StillRisingCheck(fromIteration: 400, toIteration: 600, gain: 0.5, gainInterval: nil).isRising)
    }

    @Test("the check's JSON names its keys and derives still_rising")
    func json() throws {
        let check = StillRisingCheck(fromIteration: 500, toIteration: 600, gain: 0.02,
                                     gainInterval: ConfidenceInterval(lower: 0.01, upper: 0.03))
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(check)) as? [String: Any])
        #expect(object["from_iteration"] as? Int == 500 && object["to_iteration"] as? Int == 600)
        #expect(object["gain_ci"] as? [Double] == [0.01, 0.03] && object["still_rising"] as? Bool == true)
        #expect(try JSONDecoder().decode(StillRisingCheck.self, from: JSONEncoder().encode(check)) == check)
    }
}
