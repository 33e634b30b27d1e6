import Testing
@testable import Evaluation

@Suite("VOCResampling: AP of a multiset of images from one evaluation's records")
struct VOCResamplingTests {
    /// The hand case of `VOCEvaluatorTests`: objects A, B on image 1 and C on image 2; in score
    /// order d1 TP (1), d2 FP (1), d3 TP (2), d4 FP (1), d5 TP (1) — image in brackets.
    static var handCase: VOCEvaluation {
        VOCEvaluator().evaluate(groundTruth: VOCEvaluatorTests.objects, detections: VOCEvaluatorTests.detections)
    }

    @Test("the records keep each counted detection's image and outcome in rank order, and objects per image")
    func records() throws {
        let entry = try #require(Self.handCase.classes.first)
        #expect(entry.rankedDetections.map(\.imageID) == [1, 1, 2, 1, 1])
        #expect(entry.rankedDetections.map(\.isTruePositive) == [true, false, true, false, true])
        #expect(entry.rankedDetections.map(\.score) == entry.curve.scores)
        #expect(entry.groundTruthCountByImage == [1: 2, 2: 1])
    }

    @Test("hand-computed multisets: each image alone, image 2 twice, nothing drawn")
    func handMultisets() throws {
        let resampling = VOCResampling(evaluation: Self.handCase, imageIDs: [1, 2])
        // All ones: the evaluator's own AP, 34/45, exactly.
        #expect(resampling.meanAveragePrecision(multiplicities: [1, 1]) == Self.handCase.meanAveragePrecision)
        // Image 1 alone (2 objects): TP FP FP TP → recall 1/2, 1/2, 1/2, 1; precision 1, 1/2, 1/3, 1/2;
        // envelope 1 on (0, 1/2], 1/2 on (1/2, 1] → AP 3/4. Twice the same image: the same curve.
        #expect(abs(try #require(resampling.meanAveragePrecision(multiplicities: [1, 0])) - 0.75) < 1e-12)
        #expect(abs(try #require(resampling.meanAveragePrecision(multiplicities: [2, 0])) - 0.75) < 1e-12)
        // Image 2 alone: one object, one TP → 1.
        #expect(try #require(resampling.meanAveragePrecision(multiplicities: [0, 1])) == 1)
        // Image 1 once, image 2 twice (4 objects): d1 TP, d2 FP, d3 TP×2, d4 FP, d5 TP →
        // recall 1/4, 1/4, 3/4, 3/4, 1; precision 1, 1/2, 3/4, 3/5, 2/3; envelope 1, 3/4, 2/3 at
        // the recall steps → AP 1/4·1 + 1/2·3/4 + 1/4·2/3 = 19/24.
        #expect(abs(try #require(resampling.meanAveragePrecision(multiplicities: [1, 2])) - 19.0 / 24.0) < 1e-12)
        #expect(resampling.meanAveragePrecision(multiplicities: [0, 0]) == nil)
    }

    @Test("a multiplicity equals evaluating a dataset that holds that many copies of the image")
    func copiesAgree() throws {
        // Image 2 copied as image 3 (object C′, detection d3′): the evaluator's AP of that dataset.
        var objects = VOCEvaluatorTests.objects, detections = VOCEvaluatorTests.detections
        objects.append(VOCGroundTruth(imageID: 3, classID: 1, box: VOCEvaluatorTests.box(0, 0, 10, 10)))
        detections.append(VOCDetection(imageID: 3, classID: 1, box: VOCEvaluatorTests.box(0, 0, 10, 10), score: 0.7))
        let copied = try #require(VOCEvaluator().evaluate(groundTruth: objects, detections: detections).meanAveragePrecision)
        #expect(abs(copied - 19.0 / 24.0) < 1e-12)

        // A larger case: 6 images, 2 classes, scattered boxes with distinct scores; image i drawn
        // m[i] times against a dataset with m[i] renamed copies of it.
        var state: UInt64 = 12345
        func draw(_ bound: Int) -> Int {  // a fixed LCG: the case is the same on every run
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var baseObjects: [VOCGroundTruth] = [], baseDetections: [VOCDetection] = []
        var nextScore = 1.0
        for image in 1...6 {
            for _ in 0..<(1 + draw(4)) {
                let x = Double(draw(80)), y = Double(draw(80)), c = 1 + draw(2)
                baseObjects.append(VOCGroundTruth(imageID: image, classID: c, box: VOCEvaluatorTests.box(x, y, x + 12, y + 12)))
                for _ in 0..<draw(3) {  // near-misses and hits
                    let dx = Double(draw(9)) - 4
                    nextScore -= 0.01
                    baseDetections.append(VOCDetection(imageID: image, classID: c, box: VOCEvaluatorTests.box(x + dx, y, x + dx + 12, y + 12),
                                                       score: nextScore - Double(draw(50)) / 10_000))
                }
            }
            nextScore -= 0.003
            baseDetections.append(VOCDetection(imageID: image, classID: 1 + draw(2), box: VOCEvaluatorTests.box(90, 90, 99, 99),
                                               score: Double(draw(1000)) / 1000))
        }
        let resampling = VOCResampling(evaluation: VOCEvaluator().evaluate(groundTruth: baseObjects, detections: baseDetections),
                                       imageIDs: Array(1...6))
        for multiplicities in [[1, 1, 1, 1, 1, 1], [0, 2, 1, 3, 1, 0], [6, 0, 0, 0, 0, 0], [0, 0, 1, 0, 4, 1]] {
            var copiesObjects: [VOCGroundTruth] = [], copiesDetections: [VOCDetection] = []
            for (i, m) in multiplicities.enumerated() where m > 0 {
                for copy in 0..<m {
                    let id = 100 * (i + 1) + copy
                    copiesObjects += baseObjects.filter { $0.imageID == i + 1 }.map { var o = $0; o.imageID = id; return o }
                    copiesDetections += baseDetections.filter { $0.imageID == i + 1 }.map { var d = $0; d.imageID = id; return d }
                }
            }
            let expected = VOCEvaluator().evaluate(groundTruth: copiesObjects, detections: copiesDetections).meanAveragePrecision
            let actual = resampling.meanAveragePrecision(multiplicities: multiplicities)
            #expect((expected == nil) == (actual == nil), "\(multiplicities)")
            if let expected, let actual { #expect(abs(actual - expected) < 1e-12, "\(multiplicities): \(actual) vs \(expected)") }
        }
    }

    @Test("a class without objects in the multiset stays out of the mean")
    func classAbsentFromMultiset() throws {
        let objects = [VOCGroundTruth(imageID: 1, classID: 1, box: VOCEvaluatorTests.box(0, 0, 10, 10)),
                       VOCGroundTruth(imageID: 2, classID: 2, box: VOCEvaluatorTests.box(0, 0, 10, 10))]
        let detections = [VOCDetection(imageID: 1, classID: 1, box: VOCEvaluatorTests.box(0, 0, 10, 10), score: 0.9),
                          VOCDetection(imageID: 2, classID: 2, box: VOCEvaluatorTests.box(50, 50, 60, 60), score: 0.8)]
        // Image 3 holds nothing: drawing it changes nothing but still counts as a draw.
        let resampling = VOCResampling(evaluation: VOCEvaluator().evaluate(groundTruth: objects, detections: detections),
                                       imageIDs: [1, 2, 3])
        #expect(resampling.meanAveragePrecision(multiplicities: [1, 1, 1]) == 0.5)   // class 1: 1, class 2: 0
        #expect(resampling.meanAveragePrecision(multiplicities: [2, 0, 1]) == 1)     // class 2 has no object drawn
        #expect(resampling.meanAveragePrecision(multiplicities: [0, 1, 2]) == 0)
        #expect(resampling.meanAveragePrecision(multiplicities: [0, 0, 3]) == nil)
    }
}
