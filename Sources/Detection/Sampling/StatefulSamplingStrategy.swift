// Strategies whose state outlives a step: what they remember (the hard-negative buffer's
// entries, focal's moving-average normaliser), what they add to a proposal head's candidates, and how the state survives a
// checkpoint. A refinement of `SamplingStrategy`, so the core protocol stays three properties
// and one method.
//
// Legend: E extra candidates of one image, boxes [E, 4] as (x1, y1, x2, y2) in the image's
// current (possibly flipped) frame, input-image pixels.
import TensorCore

/// A sampling strategy that keeps state across steps: it may append candidates to a proposal
/// head before matching, return separate-pass negatives in its results, and must carry its
/// state through a checkpoint for an exact resume.
///
/// The caller (`TrainingHead.sampledLoss(strategy:images:progress:using:)`) asks for extra
/// candidates once per image per visit, before matching, and appends them after every other
/// candidate, so they are candidates N − E ..< N of the following ``sample(_:using:)`` for that
/// image. Separate-pass negatives (``SamplingResult/separatePassNegatives``) are trained by the
/// head in a pass of their own, divided by their own count over the batch.
/// Reference: DESIGN.md "The hard-negative buffer" (replay as extra proposals, the separate
/// pass, resume).
public protocol StatefulSamplingStrategy: SamplingStrategy {
    /// Returns boxes to append as the image's last candidates before its head is matched.
    ///
    /// Called once per image per visit at every head, before matching; an anchor head takes no
    /// extra candidates, so a strategy returns [0, 4] there.
    /// - Parameters:
    ///   - image: the image (id, size, flip) the candidates belong to.
    ///   - progress: the current training step, for expiry of stored state.
    /// - Returns: [E, 4] boxes (x1, y1, x2, y2) in the image's current (possibly flipped) frame,
    ///   pixels; [0, 4] when there are none.
    mutating func extraCandidates(for image: SamplingImage, progress: TrainingProgress) -> Tensor

    /// The state that must survive a checkpoint for an exact resume, as a JSON document.
    var checkpointState: String { get }

    /// Restores the state written by ``checkpointState`` (e.g. from a training checkpoint), so
    /// that the following calls behave as they would have in the uninterrupted run.
    /// - Parameter state: a document written by ``checkpointState`` of an equally configured instance.
    /// - Throws: ``StrategyStateError`` naming the strategy when the document is malformed or
    ///   does not fit this instance's configuration.
    mutating func restoreCheckpointState(_ state: String) throws(StrategyStateError)
}

/// The error of restoring a strategy's checkpoint state that does not fit it.
public struct StrategyStateError: Error, Sendable, Hashable, CustomStringConvertible {
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
