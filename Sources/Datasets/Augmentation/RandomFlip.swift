// The reference augmentation: horizontal and vertical flips, each with probability p.
import Randomness

/// Flips a sample left–right with probability p, then top–bottom with probability p: two
/// `unit()` draws, horizontal first, taken whether or not a flip happens.
///
/// With p = 0.5 this is DESIGN.md's data augmentation, drawn exactly as `Flip.random` (and so
/// as the batch sampler drew before augmentation lists existed). Box rule: `x1' = W − x2`,
/// `x2' = W − x1` (likewise in y); no box is clipped or dropped.
/// Reference: DESIGN.md "Data" (flips with probability 0.5 each).
public struct RandomFlip: SampleTransform, Hashable {
    /// `flip`.
    public static let name = "flip"
    /// The probability of each flip, in [0, 1].
    public var probability: Double

    /// Creates a flip transform.
    /// - Precondition: `probability` in [0, 1].
    public init(probability: Double = 0.5) {
        precondition((0...1).contains(probability), "RandomFlip: probability \(probability) outside [0, 1]")
        self.probability = probability
    }

    /// Flips the sample and its boxes; the frame records the flip.
    public func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64) {
        let flip = Flip.random(probability: probability, using: &generator)
        sample.sample = sample.sample.flipped(flip)
        sample.frame = sample.frame.flipped(flip)
    }
}
