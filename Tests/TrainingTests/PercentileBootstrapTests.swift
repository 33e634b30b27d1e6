import Evaluation
import Testing
@testable import Training

@Suite("Percentile bootstrap over test images")
struct PercentileBootstrapTests {
    /// n images that are exact copies of one another: one object, a hit at 0.9 and a miss at 0.8.
    static func identicalImages(_ n: Int) -> VOCResampling {
        let box = VOCBox(x1: 0, y1: 0, x2: 10, y2: 10), miss = VOCBox(x1: 50, y1: 50, x2: 60, y2: 60)
        let objects = (1...n).map { VOCGroundTruth(imageID: $0, classID: 1, box: box) }
        let detections = (1...n).flatMap {
            [VOCDetection(imageID: $0, classID: 1, box: box, score: 0.9), VOCDetection(imageID: $0, classID: 1, box: miss, score: 0.8)]
        }
        return VOCResampling(evaluation: VOCEvaluator().evaluate(groundTruth: objects, detections: detections), imageIDs: Array(1...n))
    }

    @Test("identical images: every resample has the same AP, so the interval has zero width")
    func identicalImagesZeroWidth() throws {
        let records = Self.identicalImages(5)
        // Hits at 0.9 ranked above every miss: recall reaches 1 at precision 1 → AP 1 for any multiset.
        #expect(records.meanAveragePrecision(multiplicities: [1, 1, 1, 1, 1]) == 1)
        let interval = try #require(PercentileBootstrap().interval(count: 5) { records.meanAveragePrecision(multiplicities: $0) })
        #expect(interval.lower == 1 && interval.upper == 1 && interval.halfWidth == 0)
    }

    @Test("two images with AP 1 and 0: resamples {A,A}, {A,B}, {B,B} give 1, 1/2, 0, so the interval is [0, 1]")
    func twoImages() throws {
        let box = VOCBox(x1: 0, y1: 0, x2: 10, y2: 10), miss = VOCBox(x1: 50, y1: 50, x2: 60, y2: 60)
        let objects = [VOCGroundTruth(imageID: 1, classID: 1, box: box), VOCGroundTruth(imageID: 2, classID: 1, box: box)]
        let detections = [VOCDetection(imageID: 1, classID: 1, box: box, score: 0.9),
                          VOCDetection(imageID: 2, classID: 1, box: miss, score: 0.8)]
        let records = VOCResampling(evaluation: VOCEvaluator().evaluate(groundTruth: objects, detections: detections), imageIDs: [1, 2])
        #expect(records.meanAveragePrecision(multiplicities: [2, 0]) == 1)
        #expect(records.meanAveragePrecision(multiplicities: [1, 1]) == 0.5)   // TP then FP over 2 objects
        #expect(records.meanAveragePrecision(multiplicities: [0, 2]) == 0)
        // Each of {A,A} and {B,B} has probability 1/4: about 250 of 1,000 values at each end, so
        // the 25th smallest is 0 and the 975th is 1.
        let interval = try #require(PercentileBootstrap().interval(count: 2) { records.meanAveragePrecision(multiplicities: $0) })
        #expect(interval == ConfidenceInterval(lower: 0, upper: 1))
    }

    @Test("a fixed seed gives the same resamples and interval; the resamples have the binomial counts")
    func deterministic() throws {
        // The count of item 0 among 10 draws is Binomial(10, 0.1): P(0) = 0.349, P(≤ 2) = 0.930,
        // P(≤ 3) = 0.987, so its 2.5% and 97.5% percentiles are 0 and 3.
        let bootstrap = PercentileBootstrap(resamples: 1000, confidence: 0.95, seed: 7)
        var sums: [Int] = []
        let first = try #require(bootstrap.interval(count: 10) { m in sums.append(m.reduce(0, +)); return Double(m[0]) })
        #expect(first == ConfidenceInterval(lower: 0, upper: 3))
        #expect(sums.count == 1000 && sums.allSatisfy { $0 == 10 })
        var firstDraws: [[Int]] = [], secondDraws: [[Int]] = []
        _ = bootstrap.interval(count: 4) { firstDraws.append($0); return 0 }
        _ = bootstrap.interval(count: 4) { secondDraws.append($0); return 0 }
        #expect(firstDraws == secondDraws)
        var otherSeed = bootstrap
        otherSeed.seed = 8
        var otherDraws: [[Int]] = []
        _ = otherSeed.interval(count: 4) { otherDraws.append($0); return 0 }
        #expect(otherDraws != firstDraws)
    }

    @Test("percentile ranks: the 25th and 975th of 1,000 values; the 1st and 39th of 40")
    func ranks() throws {
        let thousand = (1...1000).map(Double.init).reversed().map { $0 }
        #expect(PercentileBootstrap.percentileInterval(thousand, confidence: 0.95) == ConfidenceInterval(lower: 25, upper: 975))
        #expect(PercentileBootstrap.percentileInterval((1...40).map(Double.init), confidence: 0.95)
                == ConfidenceInterval(lower: 1, upper: 39))
        #expect(PercentileBootstrap.percentileInterval([], confidence: 0.95) == nil)
    }

    @Test("no items, or a statistic undefined on every resample, give no interval")
    func undefined() {
        #expect(PercentileBootstrap().interval(count: 0) { _ in 1 } == nil)
        #expect(PercentileBootstrap(resamples: 10).interval(count: 3) { _ in nil } == nil)
    }
}
