// `focal`: every non-ignored candidate, focal loss; classification normalised by a moving
// average of the batch's positives, box terms as every other strategy.
//
// Legend: N candidates, P foreground, Q background (per image; P_b the batch's positives).
// Selects all P + Q.

import Foundation
import TensorCore

/// A strategy that keeps every non-ignored candidate and trains it with the focal loss
/// (RetinaNet): the loss itself down-weights the easy negatives instead of a selection.
///
/// Sigmoid focal loss on the RPN objectness and RetinaNet's K class logits, softmax focal loss at
/// the RoI head (alpha_t = alpha for foreground, 1 − alpha for background), alpha 0.25, gamma 2.
/// The strategy changes the classification loss and nothing else (issue 14, "fair focal"):
/// - *Classification* is divided by ``normalization``: by default an exponential moving average
///   of the batch's positive count, n ← m·n + (1 − m)·max(1, P) with m = 0.9 and n = 100 before
///   the first step, updated once per step before the division — detectron2's `RetinaNet`
///   (`loss_normalizer`, `loss_normalizer_momentum`). P is the batch total (both images, as
///   detectron2 counts its whole batch). One batch's max(1, P) swings from 1 to ~200 between
///   batches of two tiles; the average damps it. `.positiveCount` (the batch's max(1, P) alone:
///   the paper, torchvision per image, mmdetection) and `.selectedCount` stay available.
/// - *Box regression* is divided by ``boxNormalization``: by default the head's budget b per
///   image (``LossNormalization/budget``: 256 RPN, 128 RoI head), the count `random` divides
///   by, so that each positive's box term weighs what it weighs under `random`. Focal selects
///   every candidate, so `.selectedCount` (tens of thousands of anchors) would all but switch
///   the box term off, and `.positiveCount` — RetinaNet's, which divides the box term by the
///   positives as well — weighs it 5–6× more than `random` does at the same learning rate;
///   both stay available (`.positiveCount` is the golden fixtures' behaviour).
/// Pair it with the classification prior: a sigmoid head's bias −log((1 − π)/π) (−4.595 for
/// π = 0.01, ``priorProbabilityBias(prior:)``), the RoI softmax head's background bias
/// log(K·(1 − π)/π) (``backgroundPriorBias(prior:classCount:)``), so that early training is not
/// swamped by the background's loss. At the RoI head this trains on every proposal. An image
/// with no ground truth contributes its negatives' loss.
/// Reference: Lin et al., "Focal Loss for Dense Object Detection", arXiv:1708.02002, §3.3 and
/// §4.1 (α = 0.25, γ = 2, π = 0.01); torchvision `sigmoid_focal_loss`; detectron2
/// `modeling/meta_arch/retinanet.py` (the moving-average normaliser, momentum 0.9, start 100).
public struct FocalStrategy: StatefulSamplingStrategy {
    /// The head this instance samples.
    public var head: DetectionHead
    /// alpha in [0, 1], the weight of the foreground term (0.25).
    public var alpha: Float
    /// gamma ≥ 0, the focusing exponent (2).
    public var gamma: Float
    /// What the classification sum is divided by (`.positiveCountAverage`).
    public var normalization: LossNormalization
    /// What the box sum is divided by (`.budget`: b per image, `random`'s count).
    public var boxNormalization: LossNormalization
    /// b, the candidates per image a sampling strategy would select at this head (256 RPN and
    /// RetinaNet, 128 RoI head), ≥ 1: the count of the `.budget` normaliser.
    public var budget: Int
    /// m in [0, 1), the moving average's momentum (0.9, detectron2's).
    public var momentum: Double
    /// n, the moving average of max(1, batch positives) after the steps seen so far (100 before
    /// the first, detectron2's start). Only `.positiveCountAverage` reads and updates it; the
    /// checkpoint state carries it.
    public internal(set) var positiveCountAverage: Double
    /// During a data-parallel step (FocalStrategy+Replication.swift): the average when the step
    /// began and this rank's positives so far; nil otherwise.
    var sharedStep: FocalSharedStep?

    /// The moving average's value before the first step (detectron2's `loss_normalizer = 100`).
    public static let initialPositiveCountAverage: Double = 100

    /// `focal`.
    public var name: String { StrategyKind.focal.rawValue }
    /// Nothing: every non-ignored candidate is kept.
    public var requirements: SamplingRequirements { [] }
    /// `.focal(alpha:gamma:)` with this strategy's parameters.
    public var classificationLoss: ClassificationLossKind { .focal(alpha: alpha, gamma: gamma) }

    /// Creates the strategy (alpha 0.25, gamma 2, classification over the moving average of the
    /// positives with momentum 0.9, box over the head's budget, unless given).
    /// - Parameters:
    ///   - head: the head.
    ///   - alpha: the foreground weight.
    ///   - gamma: the focusing exponent.
    ///   - normalization: the classification term's divisor.
    ///   - boxNormalization: the box term's divisor.
    ///   - budget: b per image for `.budget` (the head's default batch size when nil).
    ///   - momentum: m of the moving average.
    ///   - initialAverage: the average before the first step, > 0 (100).
    /// - Precondition: `0 <= alpha <= 1`, `gamma >= 0`, `0 <= momentum < 1`, `initialAverage > 0`,
    ///   `budget >= 1`;
    ///   `boxNormalization` is not `.positiveCountAverage` (one average per head, kept for the
    ///   classification term).
    public init(head: DetectionHead, alpha: Float = 0.25, gamma: Float = 2,
                normalization: LossNormalization = .positiveCountAverage, boxNormalization: LossNormalization = .budget,
                budget: Int? = nil, momentum: Double = 0.9, initialAverage: Double = FocalStrategy.initialPositiveCountAverage) {
        precondition(alpha >= 0 && alpha <= 1 && gamma >= 0, "FocalStrategy: need alpha in [0, 1] and gamma >= 0, got \(alpha), \(gamma)")
        precondition(momentum >= 0 && momentum < 1 && initialAverage > 0 && initialAverage.isFinite,
                     "FocalStrategy: need momentum in [0, 1) and a finite initial average > 0, got \(momentum), \(initialAverage)")
        precondition(boxNormalization != .positiveCountAverage,
                     "FocalStrategy: the box term cannot take the moving average (the classification term's)")
        self.head = head
        self.budget = budget ?? head.defaultBatchSize
        precondition(self.budget >= 1, "FocalStrategy: need a budget >= 1, got \(self.budget)")
        self.alpha = alpha
        self.gamma = gamma
        self.normalization = normalization
        self.boxNormalization = boxNormalization
        self.momentum = momentum
        self.positiveCountAverage = initialAverage
    }

    /// Returns the bias −log((1 − π)/π) that makes a zero-input logit predict foreground with
    /// probability π (−4.59512 for π = 0.01): RetinaNet's prior-probability initialisation of
    /// the classification (here: RPN objectness) bias.
    /// - Parameter prior: π in (0, 1).
    /// - Returns: the bias value, in logits.
    /// - Precondition: `0 < prior < 1`.
    public static func priorProbabilityBias(prior: Double = 0.01) -> Float {
        precondition(prior > 0 && prior < 1, "FocalStrategy.priorProbabilityBias: prior must be in (0, 1), got \(prior)")
        return Float(-log((1 - prior) / prior))
    }

    /// Returns the bias log(K·(1 − π)/π) of the background logit of a softmax classifier over
    /// K + 1 classes (background = 0) whose K foreground logits start at bias 0, so that a
    /// zero-input RoI has P(background) = 1 − π and each foreground class π/K: softmax gives
    /// e^b / (e^b + K) = 1 − π, hence e^b = K(1 − π)/π. For K = 1 and π = 0.01: log 99 ≈ 4.595,
    /// the sigmoid prior's magnitude.
    ///
    /// RetinaNet §3.3 sets its sigmoid classifier's prior; a softmax RoI head has no such rule
    /// in the paper, so Quarry carries the same prior over to the background logit (issue 14).
    /// - Parameters:
    ///   - prior: π in (0, 1), the total foreground probability.
    ///   - classCount: K ≥ 1, the foreground classes.
    /// - Returns: the background bias, in logits.
    /// - Precondition: `0 < prior < 1`, `classCount >= 1`.
    public static func backgroundPriorBias(prior: Double = 0.01, classCount: Int) -> Float {
        precondition(prior > 0 && prior < 1 && classCount >= 1,
                     "FocalStrategy.backgroundPriorBias: need a prior in (0, 1) and K >= 1, got \(prior), \(classCount)")
        return Float(log(Double(classCount) * (1 - prior) / prior))
    }

    /// Selects every foreground and background candidate.
    /// - Parameters:
    ///   - input: [N] labels.
    ///   - generator: unused (no randomness).
    /// - Returns: all positives and negatives, focal loss, with this strategy's normalisations.
    public mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        input.validate(requirements, by: name)
        let positives = SamplingPools.indices(of: input.labels) { $0 > 0 }
        let negatives = SamplingPools.indices(of: input.labels) { $0 == 0 }
        return SamplingResult(candidateCount: input.candidateCount, positives: positives, negatives: negatives,
                              classificationLoss: classificationLoss, normalization: normalization,
                              boxNormalization: boxNormalization, budget: budget,
                              statistics: MiningStatistics(selectionOf: input, positives: positives, negatives: negatives))
    }

    /// Returns the batch's divisors; under `.positiveCountAverage` first takes the batch's
    /// max(1, P_b) into the average: n ← m·n + (1 − m)·max(1, P_b), then divides by n.
    /// - Parameter results: every image's result at this head for the step.
    /// - Returns: the classification divisor (n, or the batch count) and the box divisor.
    /// - Precondition: the results agree on their normalisations.
    public mutating func lossDivisors(for results: [SamplingResult]) -> LossDivisors {
        let box = SamplingResult.batchCount(results, boxNormalization)
        guard normalization == .positiveCountAverage else {
            return LossDivisors(classification: SamplingResult.batchCount(results, normalization), box: box)
        }
        if sharedStep != nil {
            // Data-parallel: this rank's images are passed one at a time; each is divided by its
            // own max(1, P_i) here, the trainer rescales it to the step's average, and the
            // average takes in the whole batch's count once, at the step's end.
            sharedStep!.positives += results.reduce(0) { $0 + $1.positives.count }
            return LossDivisors(classification: SamplingResult.batchCount(results, .positiveCount), box: box)
        }
        let count = Double(SamplingResult.batchCount(results, .positiveCount))
        positiveCountAverage = momentum * positiveCountAverage + (1 - momentum) * count
        return LossDivisors(classification: Float(positiveCountAverage), box: box)
    }
}

// MARK: - State across steps

extension FocalStrategy {
    /// Nothing: focal adds no candidates ([0, 4]).
    public mutating func extraCandidates(for image: SamplingImage, progress: TrainingProgress) -> Tensor {
        Tensor(shape: [0, 4], scalars: [])
    }

    /// The moving average and its momentum, as JSON: `{"momentum":0.9,"positiveCountAverage":…}`.
    /// Doubles round-trip exactly through Foundation's JSON, so a resume continues bit for bit.
    public var checkpointState: String {
        let state = FocalState(momentum: momentum, positiveCountAverage: positiveCountAverage)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(state)) ?? Data(), as: UTF8.self)
    }

    /// Restores the moving average written by ``checkpointState``.
    /// - Throws: ``StrategyStateError`` when the document does not parse, the momentum differs
    ///   from this instance's, or the average is not finite and > 0.
    public mutating func restoreCheckpointState(_ state: String) throws(StrategyStateError) {
        let decoded: FocalState
        do { decoded = try JSONDecoder().decode(FocalState.self, from: Data(state.utf8)) } catch {
            throw StrategyStateError(strategy: name, reason: "not a focal state: \(error)")
        }
        guard decoded.momentum == momentum else {
            throw StrategyStateError(strategy: name, reason: "momentum \(decoded.momentum) saved, \(momentum) configured")
        }
        guard decoded.positiveCountAverage.isFinite, decoded.positiveCountAverage > 0 else {
            throw StrategyStateError(strategy: name, reason: "the positive-count average must be finite and > 0, got \(decoded.positiveCountAverage)")
        }
        positiveCountAverage = decoded.positiveCountAverage
    }
}

/// The checkpoint form of ``FocalStrategy``'s state.
private struct FocalState: Codable {
    var momentum: Double
    var positiveCountAverage: Double
}
