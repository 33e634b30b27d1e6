import Randomness
import TensorCore

// B images per batch, 3 channels, H×W pixels; N objects per image.

/// A training batch: normalised images, their targets, and where each image came from.
public struct DetectionBatch: Sendable, Equatable {
    /// `[B, 3, H, W]` normalised images (NCHW Float32), padded to the largest image with 0.
    public var images: Tensor
    /// `[B]` ground truth in the augmented image's pixels.
    public var targets: [DetectionTarget]
    /// `[B]` positions of the images in the sampler's sample list (the image id: the tile index).
    public var sampleIndices: [Int]
    /// `[B]` the flip that maps each stored sample onto its image (`Flip.none` when the frame is
    /// altered; see `frames`).
    public var flips: [Flip]
    /// `[B]` how each image's pixel grid relates to its stored sample's.
    public var frames: [SampleFrame]
    /// `[B]` each image's own size before padding, in pixels.
    public var imageSizes: [PixelSize]
    /// The epoch (0-based) of each image's draw; a batch can straddle two epochs.
    public var epochs: [Int]
}

/// One draw of the batch sampler: which stored sample, in which epoch, and the augmented sample.
public struct AugmentedDraw: Sendable, Equatable {
    /// The stored sample's position in the sampler's list (the image id).
    public var index: Int
    /// The epoch (0-based) of the draw.
    public var epoch: Int
    /// The sample after the augmentation list, with its frame.
    public var sample: AugmentedSample
}

/// Draws training batches: samples from seeded epoch lists, each augmented by a list of
/// seeded transforms.
///
/// The sampler keeps a stream of epoch lists and takes the next `batchSize` entries for each
/// batch (a batch may take its last entries from the next epoch's list). An epoch's list is a
/// permutation of `0..<samples.count`, or, with a `repeat-factor` item, the repeat-factor list
/// (`RepeatFactorSampling.epoch`). Draw order, all from one `SplitMix64(seed:)`: an epoch list
/// whenever the previous one is used up, then for each sample taken, the augmentation list's
/// draws in list order. With the reference list (`flip(p=0.5)`) that is a permutation, then per
/// sample its horizontal flip, then its vertical flip — exactly the draws before augmentation
/// lists existed.
public struct BatchSampler: Sendable {
    /// The samples batches are drawn from (e.g. the 65 NEON training tiles).
    public let samples: [DetectionSample]
    /// The number of images per batch B (2 for the reference detector).
    public let batchSize: Int
    /// The augmentations applied to each drawn sample.
    public let augmentations: AugmentationList
    /// The probability of each flip of the list's first `flip` item (0 without one).
    public var flipProbability: Double { augmentations.flipProbability }
    /// The input normalisation.
    public let normalization: Normalization
    /// `[S]` the repeat factors of the samples, or nil without a `repeat-factor` item.
    public let repeatFactors: [Double]?
    private var generator: SplitMix64
    private var permutation: [Int] = []
    private var position = 0
    /// The current epoch, 0-based; −1 before the first draw.
    public private(set) var epoch = -1

    /// Creates a sampler with flips only (DESIGN.md's augmentation at probability 0.5).
    /// - Precondition: at least one sample, `batchSize ≥ 1`, `flipProbability` in [0, 1].
    public init(samples: [DetectionSample], batchSize: Int = 2, seed: UInt64,
                flipProbability: Double = 0.5, normalization: Normalization = .imageNet) {
        precondition((0...1).contains(flipProbability), "BatchSampler: flipProbability \(flipProbability) outside [0, 1]")
        self.init(samples: samples, batchSize: batchSize, seed: seed,
                  augmentations: AugmentationList([.flip(RandomFlip(probability: flipProbability))]), normalization: normalization)
    }

    /// Creates a sampler with an augmentation list.
    /// - Precondition: at least one sample, `batchSize ≥ 1`.
    public init(samples: [DetectionSample], batchSize: Int = 2, seed: UInt64, augmentations: AugmentationList,
                normalization: Normalization = .imageNet) {
        precondition(!samples.isEmpty, "BatchSampler: no samples")
        precondition(batchSize >= 1, "BatchSampler: batchSize \(batchSize) < 1")
        self.samples = samples
        self.batchSize = batchSize
        self.augmentations = augmentations
        self.normalization = normalization
        repeatFactors = augmentations.repeatFactorSampling?.factors(for: samples.map(\.target))
        generator = SplitMix64(seed: seed)
    }

    /// Moves to the next entry of the epoch list, starting a new epoch when it is used up.
    private mutating func nextIndex() -> Int {
        if position == permutation.count {
            if let repeatFactors {
                permutation = RepeatFactorSampling.epoch(factors: repeatFactors, using: &generator)
            } else {
                permutation = generator.permutation(of: samples.count)
            }
            position = 0
            epoch += 1
        }
        let index = permutation[position]
        position += 1
        return index
    }

    /// Draws the next sample index and its flip without building images.
    /// - Precondition: the list holds only flips (`AugmentationList.isFlipsOnly`); other lists
    ///   draw with `nextSample()` or `skip(_:)`.
    public mutating func nextDraw() -> (index: Int, flip: Flip, epoch: Int) {
        precondition(augmentations.isFlipsOnly, "BatchSampler.nextDraw: the list '\(augmentations)' holds more than flips; use nextSample()")
        let index = nextIndex()
        let frame = augmentations.skip(samples[index], sources: samples, using: &generator)
        guard case .source(let flip) = frame else { preconditionFailure("BatchSampler.nextDraw: flips altered the frame") }
        return (index, flip, epoch)
    }

    /// Draws the next sample and applies the augmentation list to it.
    public mutating func nextSample() -> AugmentedDraw {
        let index = nextIndex()
        let sample = augmentations.apply(to: samples[index], sources: samples, using: &generator)
        return AugmentedDraw(index: index, epoch: epoch, sample: sample)
    }

    /// Takes the draws of the next `count` samples, as `nextSample()` would, building no pixels
    /// when the list holds only flips (a resumed run replays its data stream with this).
    public mutating func skip(_ count: Int) {
        for _ in 0..<max(count, 0) {
            let index = nextIndex()
            _ = augmentations.skip(samples[index], sources: samples, using: &generator)
        }
    }

    /// Draws the next batch: B samples, augmented, normalised into one tensor.
    public mutating func nextBatch() -> DetectionBatch {
        let draws = (0..<batchSize).map { _ in nextSample() }
        let augmented = draws.map(\.sample.sample)
        return DetectionBatch(images: normalization.tensor(from: augmented.map(\.image)),
                              targets: augmented.map(\.target),
                              sampleIndices: draws.map(\.index),
                              flips: draws.map { $0.sample.flip ?? .none },
                              frames: draws.map(\.sample.frame),
                              imageSizes: augmented.map { PixelSize(width: $0.image.width, height: $0.image.height) },
                              epochs: draws.map(\.epoch))
    }
}
