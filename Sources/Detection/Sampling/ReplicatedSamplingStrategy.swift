// Legend: N ranks, each training a contiguous share of a step's G images (rank 0 the first).
//
// A stateful strategy under data-parallel training: every rank runs the strategy over its own
// images only, yet every rank's state must end each step as the one-process run's would — the
// state is one replica per rank, like the parameters. The strategy records its updates during
// the step instead of applying them; the trainer gathers every rank's record and each rank
// applies all of them, rank by rank, to the state the step started with — the global image
// order, which is the order a single process visits the batch in.

/// A ``StatefulSamplingStrategy`` whose state can be kept identical on every rank of a
/// data-parallel run.
///
/// Per step: ``beginSharedStep()``, then the step's visits of this rank's images (as in one
/// process), then ``sharedStepUpdates()``, whose bytes every rank exchanges (an all-gather),
/// then ``endSharedStep(applying:)`` with every rank's bytes in rank order.
/// Reference: the replicated-state rule of synchronous data parallelism (Horovod, PyTorch DDP:
/// every replica applies the same update in the same order); here the strategy's state is
/// treated like the parameters.
public protocol ReplicatedSamplingStrategy: StatefulSamplingStrategy {
    /// Remembers the state as it is and starts recording this step's updates; until
    /// ``endSharedStep(applying:)`` the visits read the state but defer their updates.
    mutating func beginSharedStep()

    /// This rank's recorded updates of the step, encoded for the exchange.
    /// - Precondition: ``beginSharedStep()`` was called this step.
    func sharedStepUpdates() -> [UInt8]

    /// Returns to the state the step began with and applies every rank's updates in order.
    /// - Parameter updates: every rank's ``sharedStepUpdates()``, in rank order.
    /// - Throws: ``StrategyStateError`` when an update cannot be decoded.
    /// - Precondition: ``beginSharedStep()`` was called this step.
    mutating func endSharedStep(applying updates: [[UInt8]]) throws(StrategyStateError)

    /// After ``endSharedStep(applying:)``: the classification divisor of the step when the
    /// strategy keeps one of its own (focal's moving average of the positives), which the
    /// trainer rescales every image's classification term to; nil: the batch's count,
    /// max(1, Σ counts over the ranks).
    var sharedStepClassificationDivisor: Double? { get }
}

extension ReplicatedSamplingStrategy {
    /// nil: the batch's count.
    public var sharedStepClassificationDivisor: Double? { nil }
}
