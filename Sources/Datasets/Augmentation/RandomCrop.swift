// W×H sample image; a w×h crop of it, resized back to W×H.
import Randomness

/// Crops a random window whose sides are a fraction s of the image's, drawn uniformly in a
/// range, and resizes it back to W × H (a zoom into part of the tile).
///
/// Draws, in order: `unit()` for the probability; if applied, s = `double(in: lower..<upper)`,
/// then the window's x origin `int(in: 0...W − w)` and y origin `int(in: 0...H − h)`, with
/// w = max(1, round(s·W)), h = max(1, round(s·H)).
///
/// Box rule: DESIGN.md's tile rule on the window (kept when at least half the box's area is
/// inside, clipped, shifted: `DetectionTarget.cropped(to:minimumVisibleFraction:)`, the
/// tiling's code), then scaled by (W/w, H/h) with the image.
/// Reference: Liu et al., "SSD: Single Shot MultiBox Detector", ECCV 2016 (random crops
/// resized back to the input size); DeepForest's crop augmentation; DESIGN.md "Data" (the
/// half-visible-area rule).
public struct RandomCrop: SampleTransform, Hashable {
    /// `crop`.
    public static let name = "crop"
    /// The range of the side fraction s, in (0, 1].
    public var scales: ClosedRange<Double>
    /// The probability of applying the transform, in [0, 1].
    public var probability: Double

    /// Creates a random crop.
    /// - Precondition: `scales` inside (0, 1], `probability` in [0, 1].
    public init(scales: ClosedRange<Double> = 0.5...1.0, probability: Double = 0.5) {
        precondition(scales.lowerBound > 0 && scales.upperBound <= 1, "RandomCrop: scales \(scales) outside (0, 1]")
        precondition((0...1).contains(probability), "RandomCrop: probability \(probability) outside [0, 1]")
        self.scales = scales
        self.probability = probability
    }

    /// Crops and resizes back (see the type's doc for the draws and the box rule).
    public func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64) {
        guard generator.bool(probability: probability) else { return }
        let fraction = generator.double(in: scales.lowerBound..<scales.upperBound)
        let width = sample.sample.image.width, height = sample.sample.image.height
        guard width >= 1 && height >= 1 else { return }
        let cropWidth = max(1, Int((Double(width) * fraction).rounded()))
        let cropHeight = max(1, Int((Double(height) * fraction).rounded()))
        let x = generator.int(in: 0...(width - cropWidth)), y = generator.int(in: 0...(height - cropHeight))
        sample = Self.cropped(sample, to: PixelRegion(x: x, y: y, width: cropWidth, height: cropHeight))
    }

    /// Crops `region` (inside the image) and resizes it to the image's size; the box rule of
    /// the type's doc.
    /// - Precondition: `region` lies inside the image and is at least 1 × 1.
    public static func cropped(_ sample: AugmentedSample, to region: PixelRegion) -> AugmentedSample {
        let image = sample.sample.image
        let crop = image.cropped(to: region)
        let target = sample.sample.target.cropped(to: region, minimumVisibleFraction: Tiling.reference.minimumVisibleFraction)
            .scaled(x: Float(image.width) / Float(region.width), y: Float(image.height) / Float(region.height))
        let unchanged = region.x == 0 && region.y == 0 && region.width == image.width && region.height == image.height
        return AugmentedSample(sample: DetectionSample(name: sample.sample.name, image: crop.resized(width: image.width, height: image.height),
                                                       target: target),
                               frame: unchanged ? sample.frame : .altered)
    }
}
