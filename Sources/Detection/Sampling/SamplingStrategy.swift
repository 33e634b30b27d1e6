// The sampling-strategy protocol: which matched candidates enter the loss, and how.
//
// Legend: N candidates of one image at one head (H·W·A anchors at the RPN, proposals at the
// RoI head), boxes [N, 4] as (x1, y1, x2, y2) in input-image pixels.
// Call order per training step, per image and per head (DESIGN.md "Sampling strategies"):
//   1. (RoI head) `extraProposals(for:progress:)`: boxes the caller appends, as the last E
//      proposals, before the RoI head runs (the hard-negative buffer's replays).
//   2. match the candidates; if `requirements` asks for them, compute per-candidate losses and
//      foreground probabilities in a no-gradient pass;
//   3. `sample(_:using:)`: the selected indices, weights, loss kind and normaliser.

/// The detector stage whose candidates a strategy samples.
///
/// Each head has its own defaults (Faster R-CNN's): the RPN samples 256 anchors per image with
/// positive fraction 0.5 and background below IoU 0.3; the RoI head samples 128 proposals with
/// positive fraction 0.25 and background below IoU 0.5.
/// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497; torchvision's `RPN`/`RoIHeads`.
public enum DetectionHead: String, Sendable, Hashable, CaseIterable {
    /// The region proposal network: candidates are anchors, classification is objectness (BCE).
    case rpn
    /// The RoI (box) head: candidates are proposals, classification is softmax over K + 1 classes.
    case roi

    /// The number of candidates per image that enter the loss: 256 (RPN) or 128 (RoI head).
    public var defaultBatchSize: Int { self == .rpn ? 256 : 128 }

    /// The fraction of the batch reserved for positives: 0.5 (RPN) or 0.25 (RoI head).
    public var defaultPositiveFraction: Double { self == .rpn ? 0.5 : 0.25 }

    /// The matcher's background threshold (max IoU below it is background): 0.3 (RPN) or 0.5
    /// (RoI head), as DESIGN.md's matchers.
    public var defaultBackgroundThreshold: Float { self == .rpn ? 0.3 : 0.5 }
}

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

    /// [N] per-candidate loss: classification + smooth-L1 box loss on positives (OHEM's
    /// ranking quantity; `Kernels.objectnessCandidateLosses` / `Kernels.roiCandidateLosses`).
    public static let candidateLosses = SamplingRequirements(rawValue: 1 << 0)
    /// [N] predicted foreground probability: sigmoid(objectness) at the RPN, 1 − softmax
    /// background probability at the RoI head.
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
/// ``DetectionHead``; stateful strategies (the hard-negative buffer) keep their state across
/// calls, hence `mutating`. Empty inputs are not errors: no candidates selects nothing, an image
/// without ground truth (all background) selects negatives only.
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

    /// Returns boxes to append as the image's last proposals before the RoI head is evaluated.
    ///
    /// Called once per image per visit at the RoI head, before matching. The caller appends
    /// the E returned boxes after every other proposal (including the ground truth), so they are
    /// candidates N − E ..< N of the following ``sample(_:using:)`` for this image.
    /// - Parameters:
    ///   - image: the image (id, size, flip) the proposals belong to.
    ///   - progress: the current training step, for expiry of stored state.
    /// - Returns: [E, 4] boxes (x1, y1, x2, y2) in the image's current (possibly flipped) frame,
    ///   pixels, flattened row-major; empty for strategies without replay.
    mutating func extraProposals(for image: SamplingImage, progress: TrainingProgress) -> [Float]

    /// Selects the candidates of one image that enter the loss.
    /// - Parameters:
    ///   - input: labels, boxes and the quantities named by ``requirements`` for N candidates.
    ///   - generator: the random source (e.g. `SplitMix64`).
    /// - Returns: positives and negatives (ascending indices), weights, loss kind, normaliser
    ///   and mining statistics.
    /// - Precondition: `input` holds every array named by ``requirements``, each of length N
    ///   (boxes 4·N), and `input.image` matches ``head``'s needs (an anchor layout at the RPN
    ///   when the image is flipped, for strategies that store anchors).
    mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult

    /// The state that must survive a checkpoint for an exact resume, as a JSON document, or nil
    /// for a stateless strategy (every built-in one but the hard-negative buffer).
    var checkpointState: String? { get }

    /// Restores the state written by ``checkpointState`` (e.g. from a training checkpoint), so
    /// that the following calls behave as they would have in the uninterrupted run.
    /// - Parameter state: a document written by ``checkpointState`` of an equally configured instance.
    /// - Throws: ``SamplerStateError`` naming the strategy when the document is malformed, does
    ///   not fit this instance's configuration, or the strategy keeps no state.
    mutating func restoreCheckpointState(_ state: String) throws(SamplerStateError)
}

extension SamplingStrategy {
    /// No extra proposals: the default for strategies without replay.
    public mutating func extraProposals(for image: SamplingImage, progress: TrainingProgress) -> [Float] { [] }

    /// Cross-entropy: the default classification loss.
    public var classificationLoss: ClassificationLossKind { .crossEntropy }

    /// No state: the default for stateless strategies.
    public var checkpointState: String? { nil }

    /// Rejects any state: a stateless strategy has none to restore.
    /// - Throws: ``SamplerStateError`` always.
    public mutating func restoreCheckpointState(_ state: String) throws(SamplerStateError) {
        throw SamplerStateError(strategy: name, reason: "the strategy keeps no state, but a state was given")
    }
}

/// The error of restoring a strategy's checkpoint state that does not fit it.
public struct SamplerStateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The strategy's name (`hard-negative-buffer`, …).
    public var strategy: String
    /// What is wrong with the state.
    public var reason: String

    /// Creates the error.
    public init(strategy: String, reason: String) {
        self.strategy = strategy
        self.reason = reason
    }

    /// "hard-negative-buffer: cannot restore state: …".
    public var description: String { "\(strategy): cannot restore state: \(reason)" }
}
