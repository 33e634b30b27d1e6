// The one configuration of a run: schedule, model and strategy, with DESIGN.md's reference
// values as defaults. JSON: the properties' names as keys, `model` and `strategy` as sections;
// a document holds only what it changes, and an unknown key is an error (docs/configuration.md).
import Datasets
import Detection
import NN
import Randomness

/// The settings of one training run: the schedule (DESIGN.md "The reference detector",
/// optimiser and schedule), the detector's settings (``model``) and the sampling strategy with
/// its parameters per head (``strategy``).
///
/// Every default is DESIGN.md's, so `TrainingConfiguration(iterations:seed:)` trains the
/// reference run. Decoding (`--config FILE`) starts from the defaults, replaces the keys the
/// document holds and rejects any other key; ``validate()`` checks the values.
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
    /// Iterations of linear warm-up W (100); 0: none.
    public var warmUpIterations = 100
    /// The warm-up's starting factor f of the base rate, in [0, 1] (0.1).
    public var warmUpFactor: Float = 0.1
    /// Where the rate is multiplied by ``decayFactor``, as fractions of the run in [0, 1]: the
    /// milestone of fraction m is iteration round(m·n) (2/3 and 8/9).
    public var decayMilestones: [Double] = [2.0 / 3, 8.0 / 9]
    /// The factor γ applied at each milestone (0.1).
    public var decayFactor: Float = 0.1
    /// The augmentations applied to each drawn tile, in order (DESIGN.md's `flip(p=0.5)`; the
    /// `--augment` list; docs/augmentation.md). Encoded as its text form.
    public var augmentations = AugmentationList.reference
    /// Save a checkpoint every this many iterations (0: only at the end).
    public var checkpointInterval = 0
    /// Record the loss curve and log every this many iterations (≥ 1).
    public var logInterval = 10
    /// The detector's settings: classes, anchors, backbone width, proposal counts, RoI size, tiling.
    public var model = DetectorConfiguration()
    /// The sampling strategy and its parameters at each head (`random` with DESIGN.md's defaults).
    public var strategy = StrategyConfiguration(kind: .random)

    /// Creates a configuration with the reference defaults.
    /// - Precondition: `iterations ≥ 0`.
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

    /// The learning-rate schedule: warm-up, then ×``decayFactor`` at each milestone; with the
    /// defaults exactly `LearningRateSchedule.reference(iterations:baseLearningRate:)`.
    /// - Precondition: the configuration is valid.
    public var schedule: LearningRateSchedule {
        let n = Double(iterations)
        return LearningRateSchedule(baseLearningRate: baseLearningRate, warmupIterations: warmUpIterations, warmupFactor: warmUpFactor,
                                    milestones: decayMilestones.map { Int(($0 * n).rounded()) }, decayFactor: decayFactor)
    }

    /// Checks every value, so that no bad value reaches a precondition.
    /// - Throws: `ConfigurationError` naming the first bad key (`baseLearningRate`,
    ///   `model.anchorSizes[0]`, `strategy.rpn.budget`, …): iterations < 0; batch size < 1; a
    ///   learning rate ≤ 0 or not finite; momentum outside [0, 1); weight decay < 0; warm-up
    ///   < 0 iterations or a factor outside [0, 1]; a milestone outside [0, 1]; a decay factor
    ///   ≤ 0; a checkpoint interval < 0 or log interval < 1;
    ///   and the model's and strategy's checks.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.check(iterations, atLeast: 0, key: CodingKeys.iterations.rawValue)
        try ConfigurationError.check(batchSize, atLeast: 1, key: CodingKeys.batchSize.rawValue)
        try ConfigurationError.check(baseLearningRate, above: 0, key: CodingKeys.baseLearningRate.rawValue)
        guard momentum.isFinite, momentum >= 0, momentum < 1 else {
            throw ConfigurationError(key: CodingKeys.momentum.rawValue, reason: "must be a number in [0, 1), got \(momentum)")
        }
        try ConfigurationError.check(weightDecay, in: 0...Float.greatestFiniteMagnitude, key: CodingKeys.weightDecay.rawValue)
        try ConfigurationError.check(warmUpIterations, atLeast: 0, key: CodingKeys.warmUpIterations.rawValue)
        try ConfigurationError.check(warmUpFactor, in: 0...1, key: CodingKeys.warmUpFactor.rawValue)
        for (i, milestone) in decayMilestones.enumerated() {
            try ConfigurationError.check(milestone, in: 0...1, key: "\(CodingKeys.decayMilestones.rawValue)[\(i)]")
        }
        try ConfigurationError.check(decayFactor, above: 0, key: CodingKeys.decayFactor.rawValue)
        try ConfigurationError.check(checkpointInterval, atLeast: 0, key: CodingKeys.checkpointInterval.rawValue)
        try ConfigurationError.check(logInterval, atLeast: 1, key: CodingKeys.logInterval.rawValue)
        do { try model.validate() } catch { throw error.nested(under: CodingKeys.model.rawValue) }
        do { try strategy.validate() } catch { throw error.nested(under: CodingKeys.strategy.rawValue) }
    }

    // MARK: - Codable

    /// The JSON keys: the property names. (A new property needs its key here and a line in
    /// ``init(from:)``.)
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case iterations, seed, batchSize, baseLearningRate, momentum, weightDecay
        case warmUpIterations, warmUpFactor, decayMilestones, decayFactor
        case augmentations, checkpointInterval, logInterval, model, strategy
    }

    /// Decodes a JSON object, starting from the defaults (iterations 600, seed 0) and replacing
    /// the keys it holds.
    /// - Throws: `DecodingError` at an unknown key (listing the valid ones) or a value of the
    ///   wrong type; ``ConfigurationError/from(_:file:)`` names it.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(iterations: 0, seed: 0)
        // Decoded without the initialiser's precondition: validate() reports a negative count.
        iterations = try c.decode(.iterations, keeping: Self.defaultIterations)
        seed = try c.decode(.seed, keeping: seed)
        batchSize = try c.decode(.batchSize, keeping: batchSize)
        baseLearningRate = try c.decode(.baseLearningRate, keeping: baseLearningRate)
        momentum = try c.decode(.momentum, keeping: momentum)
        weightDecay = try c.decode(.weightDecay, keeping: weightDecay)
        warmUpIterations = try c.decode(.warmUpIterations, keeping: warmUpIterations)
        warmUpFactor = try c.decode(.warmUpFactor, keeping: warmUpFactor)
        decayMilestones = try c.decode(.decayMilestones, keeping: decayMilestones)
        decayFactor = try c.decode(.decayFactor, keeping: decayFactor)
        augmentations = try c.decode(.augmentations, keeping: augmentations)
        checkpointInterval = try c.decode(.checkpointInterval, keeping: checkpointInterval)
        logInterval = try c.decode(.logInterval, keeping: logInterval)
        model = try c.decode(.model, keeping: model)
        strategy = try c.decode(.strategy, keeping: strategy)
    }

    /// The iteration count of a document that gives none (600, DESIGN.md's accuracy reference).
    public static let defaultIterations = 600
}
