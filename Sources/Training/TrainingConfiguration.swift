// The knobs of one training run, with DESIGN.md's reference values as defaults.
import Datasets
import Randomness

/// The settings of one training run (DESIGN.md "The reference detector", optimiser and schedule).
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    /// Training iterations n (one batch each).
    public var iterations: Int
    /// The run's seed: initialisation, data order, flips and sampling are all derived from it.
    public var seed: UInt64
    /// Images per batch (2 for the reference).
    public var batchSize = 2
    /// Base learning rate (0.01), reached after the linear warm-up.
    public var baseLearningRate: Float = 0.01
    /// SGD momentum (0.9).
    public var momentum: Float = 0.9
    /// L2 weight decay on conv/linear weights (1e-4; none on GroupNorm parameters or biases).
    public var weightDecay: Float = 1e-4
    /// The augmentations applied to each drawn tile, in order (DESIGN.md's `flip(p=0.5)`; the
    /// `--augment` list; docs/augmentation.md). Encoded as its text form.
    public var augmentations = AugmentationList.reference
    /// Save a checkpoint every this many iterations (0: only at the end).
    public var checkpointInterval = 0
    /// Record the loss curve and log every this many iterations (≥ 1).
    public var logInterval = 10

    /// Creates a configuration with the reference defaults.
    /// - Precondition: `iterations ≥ 0`, `batchSize ≥ 1`, `logInterval ≥ 1`.
    public init(iterations: Int, seed: UInt64) {
        precondition(iterations >= 0, "TrainingConfiguration: negative iteration count \(iterations)")
        self.iterations = iterations
        self.seed = seed
    }

    /// Probability of each flip (horizontal, vertical) per drawn tile: the first `flip` item of
    /// ``augmentations`` (0 without one; setting it changes that item or adds one first).
    public var flipProbability: Double {
        get { augmentations.flipProbability }
        set { augmentations.flipProbability = newValue }
    }

    /// Independent seeds for the run's random streams, derived from `seed` by SplitMix64 so
    /// that changing one stream's use never shifts another's.
    public var streamSeeds: (initialization: UInt64, data: UInt64, sampling: UInt64) {
        var g = SplitMix64(seed: seed)
        return (g.next(), g.next(), g.next())
    }
}
