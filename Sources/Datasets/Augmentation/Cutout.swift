// W×H sample image; n erased rectangles of w×h pixels.
import Randomness

/// Erases `count` random rectangles (fills them with `augmentationFillColor`), each side a
/// fraction of the image's side drawn uniformly in a range, at a uniform position.
///
/// Draws, in order: `unit()` for the probability; if applied, per rectangle: the width fraction
/// and the height fraction (`double(in: lower..<upper)` each), then x = `int(in: 0...W − w)`,
/// y = `int(in: 0...H − h)`, with w = max(1, round(fraction·W)), h likewise.
///
/// Box rule: a box is dropped when less than ``minimumVisibleFraction`` of its area stays
/// outside the erased rectangles (their union: `DetectionTarget.occluded(by:minimumVisibleFraction:)`);
/// kept boxes are unchanged. The threshold 0.5 is DESIGN.md's half-visible-area rule for tiles,
/// applied to occlusion: an object that is mostly hidden is no longer a positive.
/// Reference: DeVries & Taylor, "Improved Regularization of Convolutional Neural Networks with
/// Cutout", arXiv:1708.04552; Zhong et al., "Random Erasing Data Augmentation", AAAI 2020.
public struct Cutout: SampleTransform, Hashable {
    /// `cutout`.
    public static let name = "cutout"
    /// The number of rectangles per image, ≥ 1.
    public var count: Int
    /// The range of each side's fraction of the image side, in (0, 1].
    public var sizes: ClosedRange<Double>
    /// The least visible fraction of a kept box's area, in [0, 1] (0.5).
    public var minimumVisibleFraction: Float
    /// The probability of applying the transform, in [0, 1].
    public var probability: Double

    /// Creates a cutout.
    /// - Precondition: `count ≥ 1`, `sizes` inside (0, 1], `minimumVisibleFraction` and
    ///   `probability` in [0, 1].
    public init(count: Int = 1, sizes: ClosedRange<Double> = 0.1...0.3, minimumVisibleFraction: Float = 0.5,
                probability: Double = 0.5) {
        precondition(count >= 1, "Cutout: count \(count) must be ≥ 1")
        precondition(sizes.lowerBound > 0 && sizes.upperBound <= 1, "Cutout: sizes \(sizes) outside (0, 1]")
        precondition((0...1).contains(minimumVisibleFraction) && (0...1).contains(probability),
                     "Cutout: minimumVisibleFraction \(minimumVisibleFraction) and probability \(probability) must be in [0, 1]")
        self.count = count
        self.sizes = sizes
        self.minimumVisibleFraction = minimumVisibleFraction
        self.probability = probability
    }

    /// Erases the rectangles (see the type's doc for the draws and the box rule).
    public func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64) {
        guard generator.bool(probability: probability) else { return }
        let width = sample.sample.image.width, height = sample.sample.image.height
        guard width >= 1 && height >= 1 else { return }
        var regions: [PixelRegion] = []
        for _ in 0..<count {
            let w = max(1, Int((Double(width) * generator.double(in: sizes.lowerBound..<sizes.upperBound)).rounded()))
            let h = max(1, Int((Double(height) * generator.double(in: sizes.lowerBound..<sizes.upperBound)).rounded()))
            regions.append(PixelRegion(x: generator.int(in: 0...(width - w)), y: generator.int(in: 0...(height - h)), width: w, height: h))
        }
        sample.sample = Self.erased(sample.sample, regions: regions, minimumVisibleFraction: minimumVisibleFraction)
    }

    /// Fills `regions` with `augmentationFillColor` and drops the boxes they mostly cover (the
    /// box rule of the type's doc).
    public static func erased(_ sample: DetectionSample, regions: [PixelRegion], minimumVisibleFraction: Float) -> DetectionSample {
        var image = sample.image
        for region in regions {
            image.paste(RGBImage(width: region.width, height: region.height, filledWith: augmentationFillColor), x: region.x, y: region.y)
        }
        return DetectionSample(name: sample.name, image: image,
                               target: sample.target.occluded(by: regions.map(\.box), minimumVisibleFraction: minimumVisibleFraction))
    }
}
