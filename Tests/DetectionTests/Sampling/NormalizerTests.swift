// Issue 14 (items 3 and 6): each strategy's normalisers as parameters, focal's moving average of
// the positive count (detectron2), the box term under focal as under every other strategy, and the
// RoI head's background prior — on hand-computed cases.
import Autograd
import Detection
import Foundation
import Randomness
import TensorCore
import Testing
import TestSupport

@Suite("Loss normalisers: parameters, focal's moving average, the box term, the RoI prior")
struct NormalizerTests {
    /// A result with `positives` positives and `negatives` negatives (indices 0..<P, P..<P+Q).
    static func result(positives: Int, negatives: Int, _ normalization: LossNormalization = .positiveCountAverage,
                       box: LossNormalization = .selectedCount) -> SamplingResult {
        SamplingResult(candidateCount: positives + negatives, positives: Array(0..<positives),
                       negatives: Array(positives..<(positives + negatives)), classificationLoss: .retinaNetFocal,
                       normalization: normalization, boxNormalization: box)
    }

    @Test("focal's moving average, by hand: 100 → 90.3 → 81.37 → 78.233 for batches of 3, 0 and 50 positives")
    func movingAverageByHand() {
        var focal = FocalStrategy(head: .rpn, boxNormalization: .selectedCount)
        #expect(focal.positiveCountAverage == 100 && focal.momentum == 0.9)
        // Step 1: two images, 1 + 2 positives: n = 0.9·100 + 0.1·3 = 90.3; box over 1+4 + 2+5 = 12 selected.
        let first = focal.lossDivisors(for: [Self.result(positives: 1, negatives: 4), Self.result(positives: 2, negatives: 5)])
        expectClose(first.classification, 90.3, relativeTolerance: 1e-6)
        #expect(first.box == 12)
        // Step 2: no positive at all counts as max(1, 0) = 1: n = 0.9·90.3 + 0.1 = 81.37.
        let second = focal.lossDivisors(for: [Self.result(positives: 0, negatives: 7), Self.result(positives: 0, negatives: 0)])
        expectClose(second.classification, 81.37, relativeTolerance: 1e-6)
        #expect(second.box == 7)
        // Step 3: 50 positives: n = 0.9·81.37 + 0.1·50 = 78.233.
        let third = focal.lossDivisors(for: [Self.result(positives: 50, negatives: 0)])
        expectClose(third.classification, 78.233, relativeTolerance: 1e-6)
        expectClose(focal.positiveCountAverage, 78.233, relativeTolerance: 1e-12)
    }

    @Test("momentum 0 is the batch's own max(1, P); the old normaliser needs no state and changes nothing")
    func momentumZeroAndOldNormalizer() {
        var zero = FocalStrategy(head: .roi, momentum: 0)
        #expect(zero.lossDivisors(for: [Self.result(positives: 7, negatives: 3)]).classification == 7)
        var old = FocalStrategy(head: .roi, normalization: .positiveCount, boxNormalization: .positiveCount)
        let batch = [Self.result(positives: 7, negatives: 3, .positiveCount, box: .positiveCount)]
        #expect(old.lossDivisors(for: batch) == LossDivisors(classification: 7, box: 7))
        #expect(old.lossDivisors(for: batch) == LossDivisors(classification: 7, box: 7))
        #expect(old.positiveCountAverage == 100, "the average is only updated under positives-ema")
    }

    @Test("focal's box term over the budget, by hand: 2 RPN images → 512 (random's full batch), roi.budget=64 → 128")
    func boxOverBudget() throws {
        // Two images of 6 candidates: labels 1, 0, 0, −1, 1, 0 → 2 positives and 3 negatives each.
        let labels: [Int32] = [1, 0, 0, -1, 1, 0]
        func input(_ id: Int) -> SamplingInput {
            SamplingInput(image: SamplingImage(id: id, width: 8, height: 8), labels: labels, boxes: .zeros([6, 4]))
        }
        var g = SplitMix64(seed: 0)
        var rpn = FocalStrategy(head: .rpn)
        let results = [rpn.sample(input(0), using: &g), rpn.sample(input(1), using: &g)]
        // Classification: 0.9·100 + 0.1·(2 + 2) = 90.4; box: 256 per image, not the 5 + 5 selected.
        let divisors = rpn.lossDivisors(for: results)
        expectClose(divisors.classification, 90.4, relativeTolerance: 1e-6)
        #expect(divisors.box == 512)
        // `random` with a full batch divides by the same count: 2 images × 256 selected.
        var random = RandomStrategy(head: .rpn)
        let full = (0..<2).map { _ in SamplingResult(candidateCount: 300, positives: Array(0..<10), negatives: Array(10..<256)) }
        #expect(random.lossDivisors(for: full).box == divisors.box)
        // The parameter: `focal(roi.budget=64)` builds a RoI strategy counting 64 per image.
        var roi = try #require(try StrategyVariant(parsing: "focal(roi.budget=64)").configuration.makeStrategy(for: .roi) as? FocalStrategy)
        #expect(roi.budget == 64)
        #expect(roi.lossDivisors(for: [roi.sample(input(0), using: &g), roi.sample(input(1), using: &g)]).box == 128)
        // `boxNormalizer=positives` restores RetinaNet's (and the golden fixtures') 2 + 2.
        var old = FocalStrategy(head: .rpn, boxNormalization: .positiveCount)
        #expect(old.lossDivisors(for: [old.sample(input(0), using: &g), old.sample(input(1), using: &g)]).box == 4)
    }

    @Test("the moving average survives a checkpoint: a restored copy divides exactly as the original")
    func checkpointRoundTrip() throws {
        var original = FocalStrategy(head: .rpn)
        for p in [3, 17, 0, 120] { _ = original.lossDivisors(for: [Self.result(positives: p, negatives: 2)]) }
        var restored = FocalStrategy(head: .rpn)
        try restored.restoreCheckpointState(original.checkpointState)
        #expect(restored.positiveCountAverage == original.positiveCountAverage)
        let next = [Self.result(positives: 9, negatives: 1)]
        #expect(restored.lossDivisors(for: next) == original.lossDivisors(for: next))
        var fresh = FocalStrategy(head: .rpn)
        #expect(fresh.lossDivisors(for: next) != original.lossDivisors(for: next), "without the state the divisor differs")

        var other = FocalStrategy(head: .rpn, momentum: 0.5)
        #expect(throws: StrategyStateError.self) { try other.restoreCheckpointState(original.checkpointState) }
        #expect(throws: StrategyStateError.self) { try fresh.restoreCheckpointState("{\"momentum\": 0.9}") }
        #expect(throws: StrategyStateError.self) { try fresh.restoreCheckpointState(#"{"momentum": 0.9, "positiveCountAverage": 0}"#) }
        #expect(fresh.extraCandidates(for: SamplingImage(id: 0, width: 8, height: 8),
                                      progress: TrainingProgress(step: 0, stepsPerEpoch: 1)).shape == [0, 4])
    }

    /// Three anchors against one ground-truth box: a0 foreground, a1 background, a2 ignored.
    static let anchors = MatchedCandidates(
        candidates: Tensor(shape: [3, 4], scalars: [0, 0, 10, 10,   100, 100, 110, 110,   0, 0, 10, 20]),
        groundTruthBoxes: Tensor(shape: [1, 4], scalars: [0, 0, 10, 11]), groundTruthLabels: [1],
        matcher: .rpn, coder: .rpn)

    /// The RPN loss of one image's selection under `strategy`'s divisors (deltas 0.5 everywhere,
    /// so the positive's box loss is not 0).
    static func rpnLoss(_ strategy: inout some SamplingStrategy) -> (result: SamplingResult, loss: HeadLoss) {
        var generator = SplitMix64(seed: 0)
        let input = SamplingInput(candidates: anchors, image: SamplingImage(id: 0, width: 200, height: 200),
                                  progress: TrainingProgress(step: 0, stepsPerEpoch: 1), losses: [1, 2, 0], foregroundProbabilities: nil)
        let result = strategy.sample(input, using: &generator)
        let divisors = strategy.lossDivisors(for: [result])
        let loss = HeadLossEvaluation.rpnLoss(
            objectness: Variable(Tensor(shape: [1, 3], scalars: [0, 0, 2])), deltas: Variable(Tensor(repeating: 0.5, shape: [1, 3, 4])),
            candidates: [anchors], selections: [result.selection], kind: result.classificationLoss, divisors: divisors)
        return (result, loss)
    }

    @Test("ssd(normalizer=positives) divides the classification term by P instead of P + Q: ×2 here; the box term is unchanged")
    func ssdPaperNormalizer() throws {
        #expect(Self.anchors.labels == [1, 0, -1])
        let configuration = try StrategyVariant(parsing: "ssd(normalizer=positives)").configuration
        var paper = try #require(configuration.makeStrategy(for: .rpn) as? SSDStrategy)
        var quarry = SSDStrategy(head: .rpn)
        #expect(paper.normalization == .positiveCount && quarry.normalization == .selectedCount)
        let a = Self.rpnLoss(&paper), b = Self.rpnLoss(&quarry)
        #expect(a.result.positives == [0] && a.result.negatives == [1])
        // BCE(0, 1) + BCE(0, 0) = 2 log 2, over 1 positive against over 2 selected.
        expectClose(a.loss.classification.value.scalar, Float(2 * log(2.0)))
        expectClose(b.loss.classification.value.scalar, Float(log(2.0)))
        #expect(a.loss.box.value.scalar == b.loss.box.value.scalar)
        let both = try StrategyVariant(parsing: "ssd(normalizer=positives, boxNormalizer=positives)").configuration
        var ssdBoth = try #require(both.makeStrategy(for: .rpn) as? SSDStrategy)
        expectClose(Self.rpnLoss(&ssdBoth).loss.box.value.scalar, 2 * b.loss.box.value.scalar)
    }

    @Test("focal's box term: over the budget by default (256, not the 2 selected), equal to random's under boxNormalizer=selected; the old normaliser weighed it ×(P + Q)/P")
    func focalBoxAsRandom() {
        // Random with a budget above the candidates selects all non-ignored ones, as focal does.
        var random = RandomStrategy(head: .rpn)
        var focal = FocalStrategy(head: .rpn)
        var selected = FocalStrategy(head: .rpn, boxNormalization: .selectedCount)
        var old = FocalStrategy(head: .rpn, normalization: .positiveCount, boxNormalization: .positiveCount)
        let r = Self.rpnLoss(&random), f = Self.rpnLoss(&focal), s = Self.rpnLoss(&selected), o = Self.rpnLoss(&old)
        #expect(r.result.selection == f.result.selection && f.result.selection == o.result.selection)
        #expect(r.loss.box.value.scalar > 0)
        #expect(s.loss.box.value.scalar == r.loss.box.value.scalar)
        expectClose(f.loss.box.value.scalar, r.loss.box.value.scalar * 2 / 256)  // over b = 256, not P + Q = 2
        expectClose(o.loss.box.value.scalar, 2 * r.loss.box.value.scalar)  // over P = 1, not P + Q = 2
        // Classification: the first step's average is 0.9·100 + 0.1·1 = 90.1, against 1 before.
        expectClose(f.loss.classification.value.scalar * 90.1, o.loss.classification.value.scalar, relativeTolerance: 1e-5)
    }

    @Test("the RoI background prior: bias log(K·99) on class 0, so P(background) = 0.99 and 0.01/K per class at zero input",
          arguments: [1, 10])
    func roiPrior(classCount k: Int) {
        expectClose(FocalStrategy.backgroundPriorBias(prior: 0.01, classCount: 1), Float(log(99.0)))
        var generator = SplitMix64(seed: 3)
        let model = TinyFasterRCNN(classCount: k, using: &generator)
        model.initializeClassificationPrior(of: .roi, probability: 0.01)
        let bias = model.roiHeads.boxHead.classScore.bias!.value.scalars
        #expect(bias.count == k + 1)
        expectClose(bias[0], Float(log(Double(k) * 99)))
        #expect(bias[1...].allSatisfy { $0 == 0 })
        // Softmax of the bias alone (a RoI whose features contribute nothing).
        let exps = bias.map { exp(Double($0)) }, total = exps.reduce(0, +)
        expectClose(exps[0] / total, 0.99, relativeTolerance: 1e-6)
        for e in exps[1...] { expectClose(e / total, 0.01 / Double(k), relativeTolerance: 1e-5) }
        // The RPN's prior is unchanged: −log 99 on every objectness logit.
        model.initializeClassificationPrior(of: .rpn, probability: 0.01)
        #expect(model.rpn.head.classificationLogits.bias!.value.scalars.allSatisfy { abs($0 + Float(log(99.0))) < 1e-6 })
    }

    @Test("parameters: parsed, defaults per strategy, JSON round trip; bad values name the key")
    func parameters() throws {
        let focal = try StrategyVariant(parsing: "focal(normalizer=positives, boxNormalizer=positives, momentum=0.5, roi.prior=none)")
        #expect(focal.configuration.rpn.normalizer == .positiveCount && focal.configuration.roi.boxNormalizer == .positiveCount)
        #expect(focal.configuration.rpn.momentum == 0.5 && focal.configuration.roi.prior == nil && focal.configuration.rpn.prior == 0.01)
        let built = try #require(focal.configuration.makeStrategy(for: .rpn) as? FocalStrategy)
        #expect(built.normalization == .positiveCount && built.boxNormalization == .positiveCount && built.momentum == 0.5)
        let defaults = try #require(StrategyConfiguration(kind: .focal).makeStrategy(for: .roi) as? FocalStrategy)
        #expect(defaults.normalization == .positiveCountAverage && defaults.boxNormalization == .budget && defaults.momentum == 0.9)
        #expect(defaults.budget == 128 && StrategyConfiguration(kind: .focal).rpn.boxNormalizer == nil)
        for kind in StrategyKind.allCases where kind != .focal {
            let config = StrategyConfiguration(kind: kind)
            let result = SamplingResult(candidateCount: 0, positives: [], negatives: [])
            #expect(config.rpn.normalizer == nil && config.rpn.boxNormalizer == nil)
            var strategy = config.makeStrategy(for: .rpn)
            #expect(strategy.lossDivisors(for: [result]) == LossDivisors(both: 1))
        }
        let data = try JSONEncoder().encode(focal.configuration)
        let decoded = try JSONDecoder().decode(StrategyConfiguration.self, from: data)
        #expect(decoded == focal.configuration)

        let bad: [(String, String)] = [
            ("focal(normalizer=mean)", "focal(rpn.normalizer): expected one of selected, positives, positives-ema, budget, got 'mean'"),
            ("ssd(normalizer=positives-ema)", "ssd(rpn.normalizer): positives-ema keeps a moving average only focal has; ssd takes selected or positives"),
            ("focal(boxNormalizer=positives-ema)", "focal(rpn.boxNormalizer): must be selected, positives or budget (the moving average is the classification term's), got positives-ema"),
            ("random(boxNormalizer=budget)", "random(rpn.boxNormalizer): budget is focal's (it selects every candidate); random selects up to its budget: take selected or positives"),
            ("focal(budget=0)", "focal(rpn.budget): must be at least 1, got 0"),
            ("focal(momentum=1)", "focal(rpn.momentum): must be in [0, 1), got 1.0"),
            ("random(momentum=0.5)", "random: unknown parameter 'momentum'; valid parameters: budget, positiveFraction, normalizer, boxNormalizer (each optionally prefixed by a head: rpn, roi, retina)"),
        ]
        for (text, message) in bad {
            #expect(throws: StrategySpecificationError.self) { try StrategyVariant(parsing: text) }
            do { _ = try StrategyVariant(parsing: text) } catch { #expect(error.description == message) }
        }
        var file = StrategyConfiguration(kind: .ohem)
        file.roi.normalizer = .positiveCountAverage
        #expect(throws: ConfigurationError(key: "roi.normalizer",
                                           reason: "positives-ema keeps a moving average only focal has; ohem takes selected or positives")) {
            try file.validate()
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(StrategyConfiguration.self, from: Data(#"{"name": "ssd", "rpn": {"normalizer": "mean"}}"#.utf8))
        }
    }
}
