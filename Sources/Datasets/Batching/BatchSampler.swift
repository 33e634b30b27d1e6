import Randomness
import TensorCore

// B images per batch, 3 channels, H×W pixels; N objects per image.

/// A training batch: normalised images, their targets, and where each image came from.
public struct DetectionBatch: Sendable, Equatable {
    /// `[B, 3, H, W]` normalised images (NCHW Float32), padded to the largest image with 0.
    public var images: Tensor
    /// `[B]` ground truth in the flipped image's pixels.
    public var targets: [DetectionTarget]
    /// `[B]` positions of the images in the sampler's sample list (the image id: the tile index).
    public var sampleIndices: [Int]
    /// `[B]` the flip applied to each image.
    public var flips: [Flip]
    /// `[B]` each image's own size before padding, in pixels.
    public var imageSizes: [PixelSize]
    /// The epoch (0-based) of each image's draw; a batch can straddle two epochs.
    public var epochs: [Int]
}

/// Draws training batches: samples from seeded epoch permutations, a flip drawn per sample.
///
/// The sampler keeps a stream of permutations of `0..<samples.count`, one per epoch, and
/// takes the next `batchSize` entries for each batch (a batch may take its last entries from
/// the next epoch's permutation). Draw order, all from one `SplitMix64(seed:)`: a permutation
/// (`SplitMix64.permutation(of:)`) whenever the previous one is used up, then for each sample
/// taken, its horizontal flip, then its vertical flip (probability `flipProbability` each).
public struct BatchSampler: Sendable {
    /// The samples batches are drawn from (e.g. the 65 NEON training tiles).
    public let samples: [DetectionSample]
    /// The number of images per batch B (2 for the reference detector).
    public let batchSize: Int
    /// The probability of each flip (0.5 for the reference; 0 disables flipping).
    public let flipProbability: Double
    /// The input normalisation.
    public let normalization: Normalization
    private var generator: SplitMix64
    private var permutation: [Int] = []
    private var position = 0
    /// The current epoch, 0-based; −1 before the first draw.
    public private(set) var epoch = -1

    /// Creates a sampler.
    /// - Precondition: at least one sample, `batchSize ≥ 1`, `flipProbability` in [0, 1].
    public init(samples: [DetectionSample], batchSize: Int = 2, seed: UInt64,
                flipProbability: Double = 0.5, normalization: Normalization = .imageNet) {
        precondition(!samples.isEmpty, "BatchSampler: no samples")
        precondition(batchSize >= 1, "BatchSampler: batchSize \(batchSize) < 1")
        precondition((0...1).contains(flipProbability), "BatchSampler: flipProbability \(flipProbability) outside [0, 1]")
        self.samples = samples
        self.batchSize = batchSize
        self.flipProbability = flipProbability
        self.normalization = normalization
        generator = SplitMix64(seed: seed)
    }

    /// Draws the next sample index and its flip without building images.
    public mutating func nextDraw() -> (index: Int, flip: Flip, epoch: Int) {
        if position == permutation.count {
            permutation = generator.permutation(of: samples.count)
            position = 0
            epoch += 1
        }
        let index = permutation[position]
        position += 1
        let flip = Flip.random(probability: flipProbability, using: &generator)
        return (index, flip, epoch)
    }

    /// Draws the next batch: B samples, flipped, normalised into one tensor.
    public mutating func nextBatch() -> DetectionBatch {
        var flipped: [DetectionSample] = []
        var indices: [Int] = []
        var flips: [Flip] = []
        var epochs: [Int] = []
        for _ in 0..<batchSize {
            let draw = nextDraw()
            flipped.append(samples[draw.index].flipped(draw.flip))
            indices.append(draw.index)
            flips.append(draw.flip)
            epochs.append(draw.epoch)
        }
        return DetectionBatch(images: normalization.tensor(from: flipped.map(\.image)),
                              targets: flipped.map(\.target),
                              sampleIndices: indices,
                              flips: flips,
                              imageSizes: flipped.map { PixelSize(width: $0.image.width, height: $0.image.height) },
                              epochs: epochs)
    }
}
