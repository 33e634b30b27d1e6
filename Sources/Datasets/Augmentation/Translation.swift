// W×H sample image shifted by (dx, dy) whole pixels.
import Randomness

/// Shifts a sample by whole pixels (dx, dy), each drawn uniformly in [−m, m] with
/// m = ⌊fraction · side⌋; pixels shifted out are lost, exposed pixels take
/// `augmentationFillColor`.
///
/// Draws, in order: `unit()` for the probability; if applied, dx = `int(in: −mx...mx)`, then
/// dy = `int(in: −my...my)`.
///
/// Box rule: boxes move by (dx, dy); then DESIGN.md's tile rule against the image (kept when at
/// least half the moved box's area is inside, clipped to the image: the tiling's
/// `DetectionTarget.cropped(to:minimumVisibleFraction:)` on the window (−dx, −dy, W, H)).
/// Reference: DeepForest's shift augmentation; Krizhevsky et al., "ImageNet Classification with
/// Deep Convolutional Neural Networks", NeurIPS 2012 (translations); DESIGN.md "Data".
public struct Translation: SampleTransform, Hashable {
    /// `translate`.
    public static let name = "translate"
    /// The largest shift as a fraction of the image's side, in [0, 1].
    public var fraction: Double
    /// The probability of applying the transform, in [0, 1].
    public var probability: Double

    /// Creates a translation.
    /// - Precondition: `fraction` and `probability` in [0, 1].
    public init(fraction: Double = 0.1, probability: Double = 0.5) {
        precondition((0...1).contains(fraction), "Translation: fraction \(fraction) outside [0, 1]")
        precondition((0...1).contains(probability), "Translation: probability \(probability) outside [0, 1]")
        self.fraction = fraction
        self.probability = probability
    }

    /// Shifts the sample (see the type's doc for the draws and the box rule).
    public func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64) {
        guard generator.bool(probability: probability) else { return }
        let maxX = Int(Double(sample.sample.image.width) * fraction), maxY = Int(Double(sample.sample.image.height) * fraction)
        let dx = generator.int(in: -maxX...maxX)
        let dy = generator.int(in: -maxY...maxY)
        sample = Self.shifted(sample, dx: dx, dy: dy)
    }

    /// Shifts a sample by (dx, dy) pixels (the box rule of the type's doc).
    public static func shifted(_ sample: AugmentedSample, dx: Int, dy: Int) -> AugmentedSample {
        guard dx != 0 || dy != 0 else { return sample }
        let image = sample.sample.image
        let window = PixelRegion(x: -dx, y: -dy, width: image.width, height: image.height)
        let target = sample.sample.target.cropped(to: window, minimumVisibleFraction: Tiling.reference.minimumVisibleFraction)
        return AugmentedSample(sample: DetectionSample(name: sample.sample.name, image: image.window(window, fill: augmentationFillColor),
                                                       target: target),
                               frame: .altered)
    }
}
