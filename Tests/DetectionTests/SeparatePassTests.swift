// The separate pass of the hard-negative buffer's `.separatePass` replays, through the detector.
//
// A fixed strategy (no randomness) picks a small batch and known separate-pass negatives: the
// last 5 background anchors of each image at the RPN, the 3 appended extra proposals at the RoI
// head. The loss must be the batch term plus the mean background loss of exactly those
// candidates (computed here from the model's own logits), its gradients the sum of two
// backward passes, and they must reach the objectness / class-score parameters.
import Autograd
import Detection
import Foundation
import Kernels
import NN
import Randomness
import TensorCore
import Testing
import TestSupport

/// A deterministic strategy: the first 4 foreground and the first 8 background candidates;
/// with `separate`, the last 5 background anchors (RPN) or the background extra proposals
/// (RoI head) as separate-pass negatives.
struct FixedSeparatePassStrategy: StatefulSamplingStrategy {
    var head: DetectionHead
    var separate: Bool
    /// [E, 4] boxes appended at the RoI head, the same for every image.
    var extraBoxes: [Float]
    /// What `sample` returned as separate-pass negatives, per call.
    var returned: [[Int]] = []
    /// Candidates per `sample` call.
    var candidateCounts: [Int] = []
    /// What the separate pass is divided by.
    var divisor: SeparatePassDivisor = .own

    var name: String { "fixed-separate-pass" }
    var requirements: SamplingRequirements { [] }

    mutating func extraCandidates(for image: SamplingImage, progress: TrainingProgress) -> Tensor {
        head == .roi ? Tensor(shape: [extraBoxes.count / 4, 4], scalars: extraBoxes) : Tensor(shape: [0, 4], scalars: [])
    }

    var checkpointState: String { "{}" }

    mutating func restoreCheckpointState(_ state: String) throws(StrategyStateError) {}

    mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        let labels = input.labels, n = input.candidateCount
        let positives = Array(labels.indices.filter { labels[$0] > 0 }.prefix(4))
        let negatives = Array(labels.indices.filter { labels[$0] == 0 }.prefix(8))
        var separatePass: [Int] = []
        if separate {
            separatePass = head == .rpn
                ? Array(labels.indices.filter { labels[$0] == 0 }.suffix(5))
                : ((n - extraBoxes.count / 4)..<n).filter { labels[$0] == 0 }
        }
        returned.append(separatePass)
        candidateCounts.append(n)
        var statistics = MiningStatistics(selectionOf: input, positives: positives, negatives: negatives)
        statistics.replays = separatePass.count
        return SamplingResult(candidateCount: n, positives: positives, negatives: negatives,
                              separatePassNegatives: separatePass, separatePassDivisor: divisor, statistics: statistics)
    }
}

@Suite struct SeparatePassTests {
    /// Three boxes away from every ground-truth square of the scene (background at IoU 0.5).
    static let extraBoxes: [Float] = [110, 0, 127, 20, 0, 110, 20, 127, 50, 100, 75, 127]
    static let side = 128

    struct Setup {
        var model: TinyFasterRCNN
        var images: Tensor
        var groundTruth: [GroundTruth]
    }

    static func setup() -> Setup {
        var g = SplitMix64(seed: 11)
        let scene = SyntheticTrainingTests.scene(using: &g)
        return Setup(model: TinyFasterRCNN(classCount: 1, using: &g), images: scene.images, groundTruth: scene.groundTruth)
    }

    /// The losses under the fixed strategy, with or without separate-pass negatives.
    static func losses(_ s: Setup, separate: Bool, divisor: SeparatePassDivisor = .own)
        -> (DetectorLosses, rpn: FixedSeparatePassStrategy, roi: FixedSeparatePassStrategy) {
        var strategies: [any SamplingStrategy] = [FixedSeparatePassStrategy(head: .rpn, separate: separate, extraBoxes: [], divisor: divisor),
                                                  FixedSeparatePassStrategy(head: .roi, separate: separate, extraBoxes: extraBoxes, divisor: divisor)]
        var g = SplitMix64(seed: 0)
        let losses = trainingLoss(s.model, images: s.images, groundTruth: s.groundTruth, strategies: &strategies, using: &g)
        return (losses, strategies[0] as! FixedSeparatePassStrategy, strategies[1] as! FixedSeparatePassStrategy)
    }

    /// The model's logits without gradient: [2, A] objectness, and [6, 2] class logits of the
    /// extra boxes of image 0 then image 1.
    static func logits(_ s: Setup) -> (objectness: Tensor, extra: Tensor) {
        withoutGradients {
            let features = s.model.features(s.images)
            let extra = Tensor(shape: [3, 4], scalars: extraBoxes)
            return (s.model.rpn(features).objectness.value,
                    s.model.roiHeads(features, rois: RoIHeads.rois([extra, extra])).classLogits.value)
        }
    }

    static func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }

    @Test("each head's classification loss is the batch term plus the mean background loss of exactly the separate-pass candidates")
    func lossByHand() {
        let s = Self.setup()
        let (with, rpn, roi) = Self.losses(s, separate: true)
        let (without, _, _) = Self.losses(s, separate: false)
        // The RoI head's separate-pass negatives are the appended extras: the last 3 candidates.
        #expect(roi.returned.count == 2 && rpn.returned.map(\.count) == [5, 5])
        for (returned, n) in zip(roi.returned, roi.candidateCounts) { #expect(returned == [n - 3, n - 2, n - 1]) }

        let (rpnSum, roiSum) = Self.separatePassSums(s, rpnReturned: rpn.returned)
        #expect(rpnSum > 0 && roiSum > 0)
        expectClose(Double(with.rpnObjectness.value.scalar), Double(without.rpnObjectness.value.scalar) + rpnSum / 10,
                    relativeTolerance: 1e-5)
        expectClose(Double(with.roiClassification.value.scalar), Double(without.roiClassification.value.scalar) + roiSum / 6,
                    relativeTolerance: 1e-5)
        // Box terms and the batch's normaliser are untouched (8 + up to 4 selected per image).
        #expect(with.rpnBox.value.scalar == without.rpnBox.value.scalar)
        #expect(with.roiBox.value.scalar == without.roiBox.value.scalar)
        #expect(with.rpnMining.replays == 10 && with.roiMining.replays == 6)
        #expect(with.rpnMining.negativesSelected == 16 && with.roiMining.negativesSelected == 16)
    }

    /// The separate pass's summed losses by hand: at the RPN, BCE against 0 is softplus(x) over
    /// the returned anchors; at the RoI head, CE against class 0 is logsumexp(l) − l₀ over the 6
    /// appended RoIs.
    static func separatePassSums(_ s: Setup, rpnReturned: [[Int]]) -> (rpn: Double, roi: Double) {
        let (objectness, extra) = logits(s)
        let a = objectness.shape[1]
        var rpnSum = 0.0
        for (image, anchors) in rpnReturned.enumerated() {
            for j in anchors { rpnSum += softplus(Double(objectness.scalars[image * a + j])) }
        }
        var roiSum = 0.0
        for r in 0..<6 {
            let l0 = Double(extra.scalars[2 * r]), l1 = Double(extra.scalars[2 * r + 1])
            roiSum += max(l0, l1) + log(exp(l0 - max(l0, l1)) + exp(l1 - max(l0, l1))) - l0
        }
        return (rpnSum, roiSum)
    }

    @Test("divisor .batch: the separate pass is divided by the batch's count, each replay weighing one in-batch negative")
    func batchDivisor() {
        let s = Self.setup()
        let (with, rpn, _) = Self.losses(s, separate: true, divisor: .batch)
        let (without, _, _) = Self.losses(s, separate: false)
        let (rpnSum, roiSum) = Self.separatePassSums(s, rpnReturned: rpn.returned)
        // The batch divisor is the number selected over both images (8 negatives + up to 4
        // positives each): e.g. 24 at the RPN, so 10 replays weigh 10/24 of the batch, not 10/10.
        let rpnCount = Double(with.rpnMining.positivesSelected + with.rpnMining.negativesSelected)
        let roiCount = Double(with.roiMining.positivesSelected + with.roiMining.negativesSelected)
        #expect(rpnCount >= 16 && roiCount >= 16)
        expectClose(Double(with.rpnObjectness.value.scalar), Double(without.rpnObjectness.value.scalar) + rpnSum / rpnCount,
                    relativeTolerance: 1e-5)
        expectClose(Double(with.roiClassification.value.scalar), Double(without.roiClassification.value.scalar) + roiSum / roiCount,
                    relativeTolerance: 1e-5)
    }

    static func gradients(_ model: TinyFasterRCNN) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: model.parameters.map {
            ($0.name, $0.variable.gradient?.scalars ?? [Float](repeating: 0, count: $0.variable.value.count))
        })
    }

    static func zeroGradients(_ model: TinyFasterRCNN) { model.parameters.forEach { $0.variable.zeroGradient() } }

    @Test("one backward of the sum equals the batch backward plus a separate forward/backward, reaching objectness and box-head parameters")
    func gradientsOfTwoPasses() {
        let s = Self.setup()
        Self.zeroGradients(s.model)
        let (with, rpn, _) = Self.losses(s, separate: true)
        with.total.backward()
        let combined = Self.gradients(s.model)

        // Two passes: the batch alone, then — without zeroing — a forward/backward over the
        // separate-pass candidates alone, as the seed describes.
        Self.zeroGradients(s.model)
        Self.losses(s, separate: false).0.total.backward()
        let batchOnly = Self.gradients(s.model)
        let features = s.model.features(s.images)
        let objectness = s.model.rpn(features).objectness
        let a = objectness.shape[1]
        let rows = rpn.returned.enumerated().flatMap { image, anchors in anchors.map { image * a + $0 } }
        let rpnTerm = objectness.reshaped(to: [2 * a]).gathering(rows, alongAxis: 0)
            .binaryCrossEntropyWithLogits(targets: Tensor(repeating: 0, shape: [rows.count])).sum() * (1 / Float(rows.count))
        let extra = Tensor(shape: [3, 4], scalars: Self.extraBoxes)
        let roiTerm = s.model.roiHeads(features, rois: RoIHeads.rois([extra, extra])).classLogits
            .crossEntropy(labels: [Int32](repeating: 0, count: 6)).sum() * (1 / Float(6))
        (rpnTerm + roiTerm).backward()
        let twoPasses = Self.gradients(s.model)

        for (name, g) in combined {
            let scale = Double(g.map(abs).max() ?? 0)
            expectClose(g, twoPasses[name]!, relativeTolerance: 0, absoluteTolerance: max(1e-4 * scale, 1e-9), "\(name)")
        }
        // The extra term moves the objectness and class-score parameters (and, through RoI
        // Align, the box head's hidden layers), never a box-regression parameter.
        func change(_ name: String) -> Float { zip(combined[name]!, batchOnly[name]!).map { abs($0 - $1) }.max()! }
        for name in ["rpn_head.cls_logits.weight", "rpn_head.cls_logits.bias", "box_head.cls_score.weight",
                     "box_head.cls_score.bias", "box_head.fc6.weight", "box_head.fc7.weight", "backbone.0.0.weight"] {
            #expect(change(name) > 1e-6, "\(name): \(change(name))")
        }
        for name in ["rpn_head.bbox_pred.weight", "box_head.bbox_pred.weight"] {
            #expect(change(name) < 1e-6 * max(1, combined[name]!.map(abs).max()!), "\(name): \(change(name))")
        }

        // By hand: ∂/∂b (BCE(x, 0) mean) = mean σ(x) per anchor type k = j mod 9 of the RPN's
        // objectness bias; ∂/∂b₀ of the mean CE against class 0 is mean(p₀ − 1), ∂/∂b₁ mean p₁.
        let (logits, extraLogits) = Self.logits(s)
        var rpnBias = [Double](repeating: 0, count: 9)
        for (image, anchors) in rpn.returned.enumerated() {
            for j in anchors { rpnBias[j % 9] += 1 / (1 + exp(-Double(logits.scalars[image * a + j]))) / 10 }
        }
        let observed = zip(combined["rpn_head.cls_logits.bias"]!, batchOnly["rpn_head.cls_logits.bias"]!).map { Double($0 - $1) }
        expectClose(observed, rpnBias, relativeTolerance: 1e-3, absoluteTolerance: 1e-6)
        var clsBias = [0.0, 0.0]
        for r in 0..<6 {
            let l0 = Double(extraLogits.scalars[2 * r]), l1 = Double(extraLogits.scalars[2 * r + 1])
            let p1 = 1 / (1 + exp(l0 - l1))
            clsBias[0] += (1 - p1 - 1) / 6
            clsBias[1] += p1 / 6
        }
        let observedCls = zip(combined["box_head.cls_score.bias"]!, batchOnly["box_head.cls_score.bias"]!).map { Double($0 - $1) }
        expectClose(observedCls, clsBias, relativeTolerance: 1e-3, absoluteTolerance: 1e-6)
    }

    @Test("a central finite difference in the class-score bias matches the gradient of the loss with the separate pass")
    func finiteDifference() {
        let s = Self.setup()
        Self.zeroGradients(s.model)
        Self.losses(s, separate: true).0.roiClassification.backward()
        let bias = s.model.parameters.first { $0.name == "box_head.cls_score.bias" }!.variable
        let analytic = bias.gradient!.scalars
        let h: Float = 1e-2
        for k in 0..<2 {
            let original = bias.value.scalars[k]
            func loss(_ delta: Float) -> Double {
                bias.value.scalars[k] = original + delta
                defer { bias.value.scalars[k] = original }
                return Double(withoutGradients { Self.losses(s, separate: true).0.roiClassification.value.scalar })
            }
            let numeric = (loss(h) - loss(-h)) / Double(2 * h)
            expectClose(Double(analytic[k]), numeric, relativeTolerance: 0, absoluteTolerance: 2e-3, "bias \(k)")
        }
    }
}
