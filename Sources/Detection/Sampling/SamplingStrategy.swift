// The sampling-strategy protocol: which matched candidates enter the loss, and how.
//
// Legend: N candidates of one image at one head (H·W·A anchors at the RPN and RetinaNet,
// proposals at the RoI head), boxes [N, 4] as (x1, y1, x2, y2) in input-image pixels.
// Call order per training step, per image and per head (DESIGN.md "Sampling strategies"), as
// `TrainingHead.sampledLoss(strategy:images:progress:using:)` runs it:
//   1. (stateful strategies) `extraCandidates(for:progress:)`: boxes the caller appends, as the
//      last E candidates of a proposal head (the hard-negative buffer's replays);
//   2. match the candidates; if `requirements` asks for them, compute per-candidate losses and
//      foreground probabilities in a no-gradient pass;
//   3. `sample(_:using:)`: the selected indices, weights, loss kind and normalisers;
// then, once per step and head after every image, `lossDivisors(for:)`: the batch's
// classification and box divisors (where focal's moving average takes in the batch's count).

/// The per-candidate quantities a strategy reads, which the caller must compute (without
/// gradient) before calling ``SamplingStrategy/sample(_:using:)``.
///
/// At the RoI head, a strategy that needs `candidateLosses` or `foregroundProbabilities` costs a
/// read-only RoI-head pass over every proposal (DESIGN.md "Precise choices").
public struct SamplingRequirements: OptionSet, Sendable, Hashable {
    /// The raw bit set.
    public let rawValue: Int
    /// Creates the set from its raw bits.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// [N] per-candidate loss: classification + the head's box loss on positives (OHEM's
    /// ranking quantity; `HeadPredictions.candidateLosses(for:beta:)`).
    public static let candidateLosses = SamplingRequirements(rawValue: 1 << 0)
    /// [N] predicted foreground probability: sigmoid(objectness) at the RPN, 1 − softmax
    /// background probability at the RoI head, the best class's sigmoid at RetinaNet.
    public static let foregroundProbabilities = SamplingRequirements(rawValue: 1 << 1)
    /// [N] each candidate's highest IoU with the image's ground truth (0 when there is none).
    public static let maxIoU = SamplingRequirements(rawValue: 1 << 2)
}

/// A strategy that chooses which matched candidates of one image contribute to one head's loss.
///
/// A strategy never calls a head: the caller matches the candidates, computes whatever
/// ``requirements`` names (no gradient), and passes it in a ``SamplingInput``. Every random
/// choice draws from the generator passed in, so equal seeds give equal selections; ties in
/// loss or score are broken by the lower candidate index. A strategy instance serves one
/// ``DetectionHead`` and reads only its defaults and candidate kind. Empty inputs are not
/// errors: no candidates selects nothing, an image without ground truth (all background)
/// selects negatives only. A strategy that keeps state across steps (extra candidates, a
/// separate pass, checkpoint state) conforms to ``StatefulSamplingStrategy``, which refines
/// this protocol.
/// Reference: the strategy table of DESIGN.md "Sampling strategies"; mmdetection's `BaseSampler`
/// (a shared helper owns the invariants, each strategy only chooses within the pools).
public protocol SamplingStrategy: Sendable {
    /// The strategy's name as the command line spells it (`random`, `ohem`, …).
    var name: String { get }
    /// The head whose candidates this instance samples.
    var head: DetectionHead { get }
    /// The per-candidate inputs the caller must supply to `sample`.
    var requirements: SamplingRequirements { get }
    /// The classification loss the selection is trained with.
    var classificationLoss: ClassificationLossKind { get }

    /// Selects the candidates of one image that enter the loss.
    /// - Parameters:
    ///   - input: labels, boxes, matches and the quantities named by ``requirements`` for N
    ///     candidates.
    ///   - generator: the random source (e.g. `SplitMix64`).
    /// - Returns: positives and negatives (ascending indices), weights, loss kind, normaliser
    ///   and mining statistics.
    /// - Precondition: `input` holds every array named by ``requirements``, each of length N,
    ///   and `input.image` matches ``head``'s needs (an anchor layout for a flipped image of an
    ///   anchor head, for strategies that store anchors).
    mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult

    /// Returns the divisors of the head's batch sums, called once per step after every image
    /// of the batch was sampled (a strategy with a moving-average normaliser updates it here).
    ///
    /// The default divides each term by its batch count (``SamplingResult/batchCount(_:_:)``):
    /// max(1, selected) or max(1, positives), as each result's `normalization` and
    /// `boxNormalization` say; for `.positiveCountAverage` it uses the batch's count, as a
    /// strategy without the average's state can do no better.
    /// - Parameter results: the results of every image of the batch at this head, in order.
    /// - Returns: the classification and box divisors, each ≥ 1 for the built-in normalisers.
    /// - Precondition: the results agree on their normalisations.
    mutating func lossDivisors(for results: [SamplingResult]) -> LossDivisors
}

extension SamplingStrategy {
    /// Cross-entropy: the default classification loss.
    public var classificationLoss: ClassificationLossKind { .crossEntropy }

    /// The batch counts of the results' normalisations (see the requirement's documentation).
    public mutating func lossDivisors(for results: [SamplingResult]) -> LossDivisors {
        guard let first = results.first else { return LossDivisors(both: 1) }
        return LossDivisors(classification: SamplingResult.batchCount(results, first.normalization),
                            box: SamplingResult.batchCount(results, first.boxNormalization))
    }
}
