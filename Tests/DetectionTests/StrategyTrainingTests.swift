// TinyFasterRCNN trains end to end under each sampling strategy, through the protocol only.
//
// The scene is SyntheticTrainingTests' (two 128×128 images of noise with bright squares); every
// other step the batch is mirrored left–right, so the hard-negative buffer replays through flips.
// "Falls" compares the untrained and the trained weights on one candidate set (every anchor; the
// trained RPN's proposals + ground truth) under the strategy's own loss: the training losses
// themselves are not comparable across a run at the RoI head, whose positives move from the
// appended ground truth (box target 0) to real proposals as the RPN learns.
import Autograd
import Datasets
import Detection
import DetectionKernels
import Foundation
import Kernels
import NN
import Randomness
import TensorCore
import Testing
import TestSupport

@Suite struct StrategyTrainingTests {
    static let side = 128

    /// The batch mirrored left–right: pixels x → W − 1 − x, boxes (x1, x2) → (W − x2, W − x1).
    static func mirrored(_ images: Tensor, _ groundTruth: [GroundTruth]) -> (Tensor, [GroundTruth]) {
        let w = images.shape[3], rows = images.count / w
        var pixels = images.scalars
        for r in 0..<rows { pixels[(r * w)..<((r + 1) * w)].reverse() }
        let flipped = groundTruth.map { gt in
            var boxes = gt.boxes.scalars
            Flip.horizontalOnly.mirror(&boxes, width: Float(w), height: Float(images.shape[2]))
            return GroundTruth(boxes: Tensor(shape: gt.boxes.shape, scalars: boxes), labels: gt.labels)
        }
        return (Tensor(shape: images.shape, scalars: pixels), flipped)
    }

    /// What a short run under one strategy recorded.
    struct Run {
        /// Per iteration: RPN objectness, RPN box, RoI classification, RoI box.
        var terms: [[Float]] = []
        /// The four terms on one candidate set, by the untrained and the trained weights.
        var fixedBefore: [Float] = [], fixedAfter: [Float] = []
        var rpnMining = MiningStatistics(), roiMining = MiningStatistics()
    }

    /// The four terms under the strategy's own loss and normaliser, without gradient, over a
    /// given candidate set: every non-ignored anchor, and `proposals` plus the ground truth at
    /// the RoI head (every candidate selected).
    static func fixedLosses(_ model: TinyFasterRCNN, _ images: Tensor, _ groundTruth: [GroundTruth],
                            proposals: [Tensor], kind: ClassificationLossKind) -> [Float] {
        let normalization: LossNormalization = kind == .crossEntropy ? .selectedCount : .positiveCount
        return withoutGradients {
            let features = model.features(images)
            let output = model.rpn(features)
            let anchors = groundTruth.map { model.rpn.matchedAnchors(output.anchors, groundTruth: $0) }
            let rpn = model.rpn.loss(output, candidates: anchors, selections: anchors.map { .allNonIgnored($0.labels) },
                                     kind: kind, normalization: normalization)
            let rois = zip(proposals, groundTruth).map { model.roiHeads.matchedCandidates(proposals: $0, groundTruth: $1) }
            let roi = model.roiHeads.loss(features: features, candidates: rois, selections: rois.map { .allNonIgnored($0.labels) },
                                          kind: kind, normalization: normalization)
            return [rpn.classification, rpn.box, roi.classification, roi.box].map { $0.value.scalar }
        }
    }

    /// Trains a fresh detector for `iterations` SGD steps under `kind`, both images with ids 0
    /// and 1, mirrored on odd steps.
    static func train(_ kind: StrategyKind, iterations: Int, groundTruth override: [GroundTruth]? = nil) -> Run {
        var generator = SplitMix64(seed: 42)
        let scene = SyntheticTrainingTests.scene(using: &generator)
        let groundTruth = override ?? scene.groundTruth
        let initial = generator
        let model = TinyFasterRCNN(classCount: 1, using: &generator)
        var strategies = model.heads.map { kind.makeStrategy(for: $0) }
        if case .focal = strategies[0].classificationLoss { model.initializeClassificationPrior(of: .rpn, probability: 0.01) }
        var optimizer = SGD(model.parameters, learningRate: 0.02, momentum: 0.9, weightDecay: 1e-4)
        var run = Run()
        for step in 0..<iterations {
            let flip: Flip = step % 2 == 1 ? .horizontalOnly : .none
            let (images, truth) = flip.isIdentity ? (scene.images, groundTruth) : mirrored(scene.images, groundTruth)
            let samplingImages = (0..<2).map { SamplingImage(id: $0, width: side, height: side, flip: flip) }
            let losses = model.trainingLoss(images: images, groundTruth: truth, samplingImages: samplingImages,
                                            progress: TrainingProgress(step: step, stepsPerEpoch: 1),
                                            strategies: &strategies, using: &generator)
            run.terms.append([losses.rpnObjectness, losses.rpnBox, losses.roiClassification, losses.roiBox].map(\.value.scalar))
            run.rpnMining.merge(losses.rpnMining)
            run.roiMining.merge(losses.roiMining)
            optimizer.zeroGradients()
            losses.total.backward()
            optimizer.step()
        }
        // Before and after on the same candidates: the trained model's proposals (the initial
        // model's are nearly random, and better proposals carry larger box targets).
        var g = initial
        let untrained = TinyFasterRCNN(classCount: 1, using: &g)
        if case .focal = strategies[0].classificationLoss { untrained.initializeClassificationPrior(of: .rpn, probability: 0.01) }
        let proposals = withoutGradients {
            model.rpn.proposals(model.rpn(model.features(scene.images)), imageHeight: side, imageWidth: side,
                                filter: model.rpn.trainingFilter)
        }
        let kind = strategies[0].classificationLoss
        run.fixedBefore = fixedLosses(untrained, scene.images, groundTruth, proposals: proposals, kind: kind)
        run.fixedAfter = fixedLosses(model, scene.images, groundTruth, proposals: proposals, kind: kind)
        return run
    }

    @Test("every loss term falls under each strategy", arguments: StrategyKind.allCases)
    func trains(_ kind: StrategyKind) {
        let run = Self.train(kind, iterations: 30)
        #expect(run.terms.joined().allSatisfy { $0.isFinite }, "\(kind): non-finite loss in \(run.terms)")
        // The initial and the trained weights on the same candidates, under the strategy's loss.
        for (t, term) in ["rpn objectness", "rpn box", "roi classification", "roi box"].enumerated() {
            #expect(run.fixedAfter[t] < run.fixedBefore[t],
                     "\(kind) \(term): \(run.fixedBefore[t]) → \(run.fixedAfter[t]); training: \(run.terms.map { $0[t] })")
        }
        // Both images every step at both heads; positives were selected at both heads.
        #expect(run.rpnMining.images == 60 && run.roiMining.images == 60)
        #expect(run.rpnMining.positivesSelected > 0 && run.roiMining.positivesSelected > 0)
        // Losses are computed for exactly the strategies that rank by them.
        let ranksByLoss = kind == .ohem || kind == .ssd
        #expect((run.rpnMining.meanSelectedLoss != nil) == ranksByLoss && (run.roiMining.meanSelectedLoss != nil) == ranksByLoss)
        if kind == .hardNegativeBuffer || kind == .hardNegativeBufferSeparate {
            for (head, mining) in [("rpn", run.rpnMining), ("roi", run.roiMining)] {
                #expect(mining.insertions > 0 && mining.replays > 0, "\(head): \(mining)")
            }
        } else {
            #expect(run.rpnMining.insertions + run.roiMining.insertions + run.rpnMining.replays + run.roiMining.replays == 0)
        }
    }

    @Test("background-only images train under each strategy", arguments: StrategyKind.allCases)
    func backgroundOnly(_ kind: StrategyKind) {
        let run = Self.train(kind, iterations: 2, groundTruth: [.empty, .empty])
        for terms in run.terms {
            #expect(terms.allSatisfy { $0.isFinite && $0 >= 0 }, "\(kind): \(terms)")
            #expect(terms[1] == 0 && terms[3] == 0, "\(kind): no positives, no box loss; \(terms)")
        }
        // The first step trains on negatives at both heads. (Later ones may saturate: `focal`
        // divides the sum over every background RoI by max(1, 0 positives) = 1, a large first step.)
        #expect(run.terms[0][0] > 0 && run.terms[0][2] > 0, "\(kind): \(run.terms[0])")
        #expect(run.rpnMining.positivesSelected == 0 && run.roiMining.positivesSelected == 0)
        #expect(run.roiMining.negativesSelected > 0)
        // 16×16 locations × 9 anchors = 2,304 background anchors per image, 2 images × 2 steps.
        let anchors = 2 * 2 * 16 * 16 * 9
        #expect(run.rpnMining.candidates == anchors)
        let expected: Int = switch kind {
        case .random, .ohem, .hardNegativeBuffer, .hardNegativeBufferSeparate, .hardNegativeBootstrap, .iouBalanced: 4 * 256
        case .ssd: 4 * 16
        case .focal: anchors
        }
        #expect(run.rpnMining.negativesSelected == expected, "\(kind): \(run.rpnMining.negativesSelected) RPN negatives")
    }

    @Test("random through the protocol equals the built-in random rule, draw for draw")
    func randomMatchesSelectionRule() {
        var g1 = SplitMix64(seed: 5), g2 = SplitMix64(seed: 5)
        var setup = SplitMix64(seed: 9)
        let (images, groundTruth) = SyntheticTrainingTests.scene(using: &setup)
        let model = TinyFasterRCNN(classCount: 1, using: &setup)
        var strategies: [any SamplingStrategy] = [RandomStrategy(head: .rpn), RandomStrategy(head: .roi)]
        let viaStrategy = trainingLoss(model, images: images, groundTruth: groundTruth, strategies: &strategies, using: &g1)
        var rules: [any SamplingStrategy] = [BalancedRule(head: .rpn), BalancedRule(head: .roi)]
        let viaRule = trainingLoss(model, images: images, groundTruth: groundTruth, strategies: &rules, using: &g2)
        for (a, b) in [(viaStrategy.rpnObjectness, viaRule.rpnObjectness), (viaStrategy.rpnBox, viaRule.rpnBox),
                       (viaStrategy.roiClassification, viaRule.roiClassification), (viaStrategy.roiBox, viaRule.roiBox)] {
            #expect(a.value.scalar == b.value.scalar)
        }
        #expect(g1.state == g2.state)
        #expect(viaStrategy.rpnMining.positivesSelected + viaStrategy.rpnMining.negativesSelected == 512)
    }

    @Test("predictions are computed only when the requirements name them")
    func requirementsDecideTheReadOnlyPass() {
        let matched = MatchedCandidates(candidates: Tensor(shape: [2, 4], scalars: [0, 0, 10, 10, 50, 50, 60, 60]),
                                        groundTruthBoxes: Tensor(shape: [1, 4], scalars: [0, 0, 10, 11]),
                                        groundTruthLabels: [1], matcher: .roiHead, coder: .roiHead)
        let head = CountingHead(matched: matched)
        let images = [SamplingImage(id: 0, width: 64, height: 64)], progress = TrainingProgress(step: 0, stepsPerEpoch: 1)
        var generator = SplitMix64(seed: 0)
        var bareStrategy: any SamplingStrategy = AllCandidatesStrategy(head: .roi)
        _ = head.sampledLoss(strategy: &bareStrategy, images: images, progress: progress, using: &generator)
        let bare = (bareStrategy as! AllCandidatesStrategy).inputs[0]
        #expect(head.calls.count == 0 && bare.losses == nil && bare.foregroundProbabilities == nil)
        expectClose(bare.maxIoU!, [100.0 / 110.0, 0.0] as [Double])
        var fullStrategy: any SamplingStrategy = AllCandidatesStrategy(head: .roi, requirements: [.candidateLosses, .foregroundProbabilities])
        _ = head.sampledLoss(strategy: &fullStrategy, images: images, progress: progress, using: &generator)
        let full = (fullStrategy as! AllCandidatesStrategy).inputs[0]
        #expect(head.calls.count == 1)
        // RoI 0: softmax (½, ½) → foreground ½. RoI 1 (background): softmax of (0, log 3) is
        // (¼, ¾) → foreground ¾ and cross-entropy −log ¼ = log 4 (no box term for background).
        expectClose(full.foregroundProbabilities!, [0.5, 0.75])
        expectClose(full.losses![1], Float(log(4.0)))
    }
}

/// torchvision's balanced draw called directly on the kernel, as a strategy: the rule `random`
/// must equal draw for draw.
struct BalancedRule: SamplingStrategy {
    var head: DetectionHead
    var name: String { "balanced-rule" }
    var requirements: SamplingRequirements { [] }

    mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        let batch = head.defaultBatchSize
        var positives = [Int](repeating: 0, count: batch), negatives = [Int](repeating: 0, count: batch)
        let (p, q) = input.labels.withUnsafeBufferPointer { l in
            positives.withUnsafeMutableBufferPointer { pos in
                negatives.withUnsafeMutableBufferPointer { neg in
                    Kernels.balancedRandomSample(positives: pos, negatives: neg, labels: l, batchSize: batch,
                                                 positiveFraction: head.defaultPositiveFraction, using: &generator)
                }
            }
        }
        return SamplingResult(candidateCount: input.candidateCount, positives: Array(positives.prefix(p)),
                              negatives: Array(negatives.prefix(q)))
    }
}

/// A one-image RoI-style head with fixed candidates whose predictions count their calls: a
/// softmax over 2 classes, logits (0, 0) and (0, log 3).
struct CountingHead: TrainingHead {
    final class Calls { var count = 0 }
    let matched: MatchedCandidates
    let calls = Calls()

    var head: DetectionHead { .roi }
    var classification: ClassificationForm { .softmax(classCount: 1) }
    var boxLossBeta: Float { HeadLossEvaluation.smoothL1Beta }
    var imageCount: Int { 1 }
    var anchorLayout: AnchorLayout? { nil }

    func candidates(ofImage image: Int, appending extraBoxes: Tensor?) -> MatchedCandidates { matched }

    func predictions(ofImage image: Int, for candidates: MatchedCandidates) -> HeadPredictions {
        calls.count += 1
        return HeadPredictions(form: classification, logits: Tensor(shape: [2, 2], scalars: [0, 0, 0, Float(log(3.0))]),
                               deltas: .zeros([2, 8]))
    }

    func loss(over candidates: [MatchedCandidates], selections: [CandidateSelection], kind: ClassificationLossKind,
              divisors: LossDivisors) -> HeadLoss {
        HeadLoss(classification: Variable(Tensor(0)), box: Variable(Tensor(0)))
    }
}
