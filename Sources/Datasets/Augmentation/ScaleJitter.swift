// W×H sample image; W'×H' the resized image. Scale jitter: resize by a random factor, then crop
// or pad back to W×H.
import Randomness

/// Resizes a sample by a factor f drawn uniformly in a range, then crops a random W × H window
/// (f > 1) or pads to W × H (f < 1), so a batch keeps its tile size.
///
/// Draws, in order: `unit()` for the probability; if applied, f = `double(in: lower..<upper)`,
/// then the window's x origin `int(in: 0...W' − W)` and y origin `int(in: 0...H' − H)` when the
/// resized image is wider / taller than W × H (no draw otherwise). The resized image is
/// W' = round(f·W) by H' = round(f·H), bilinear (`RGBImage.resized`); padding puts it at the
/// top-left and fills the rest with `augmentationFillColor`, as Ghiasi et al. pad.
///
/// Box rule: coordinates scale by (W'/W, H'/H); then DESIGN.md's tile rule on the window (a box
/// is kept when at least half its area is inside, clipped to the window, shifted to its
/// origin: `DetectionTarget.cropped(to:minimumVisibleFraction:)`); finally a box narrower or
/// lower than ``minimumBoxSide`` pixels is dropped (it covers no whole pixel of the object).
/// Reference: Ghiasi et al., "Simple Copy-Paste is a Strong Data Augmentation Method for
/// Instance Segmentation", CVPR 2021 (large scale jitter, factors 0.1–2.0; standard 0.8–1.25).
public struct ScaleJitter: SampleTransform, Hashable {
    /// `scale-jitter`.
    public static let name = "scale-jitter"
    /// Boxes under this side after scaling, in pixels, are dropped: 1.
    public static let minimumBoxSide: Float = 1
    /// The range of the factor f (> 0); 1 keeps the size.
    public var scales: ClosedRange<Double>
    /// The probability of applying the transform, in [0, 1].
    public var probability: Double

    /// Creates a scale jitter.
    /// - Precondition: `scales.lowerBound > 0`, `probability` in [0, 1].
    public init(scales: ClosedRange<Double> = 0.5...2.0, probability: Double = 1) {
        precondition(scales.lowerBound > 0, "ScaleJitter: scales \(scales) must be positive")
        precondition((0...1).contains(probability), "ScaleJitter: probability \(probability) outside [0, 1]")
        self.scales = scales
        self.probability = probability
    }

    /// Resizes, then crops or pads back (see the type's doc for the draws and the box rule).
    public func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64) {
        guard generator.bool(probability: probability) else { return }
        let factor = generator.double(in: scales.lowerBound..<scales.upperBound)
        let image = sample.sample.image
        let width = image.width, height = image.height
        guard width >= 1 && height >= 1 else { return }
        let newWidth = max(1, Int((Double(width) * factor).rounded()))
        let newHeight = max(1, Int((Double(height) * factor).rounded()))
        let x = newWidth > width ? generator.int(in: 0...(newWidth - width)) : 0
        let y = newHeight > height ? generator.int(in: 0...(newHeight - height)) : 0
        sample = Self.rescaled(sample, to: PixelSize(width: newWidth, height: newHeight), window: PixelRegion(x: x, y: y, width: width, height: height))
    }

    /// Resizes a sample to `size`, then cuts `window` (in the resized image's pixels; it may
    /// reach past it, padded with `augmentationFillColor`); the box rule of the type's doc.
    /// - Precondition: `size` at least 1 × 1.
    public static func rescaled(_ sample: AugmentedSample, to size: PixelSize, window: PixelRegion) -> AugmentedSample {
        let image = sample.sample.image
        let scaleX = Float(size.width) / Float(image.width), scaleY = Float(size.height) / Float(image.height)
        let target = sample.sample.target.scaled(x: scaleX, y: scaleY)
            .cropped(to: window, minimumVisibleFraction: Tiling.reference.minimumVisibleFraction)
            .droppingBoxes(under: minimumBoxSide)
        let unchanged = size.width == image.width && size.height == image.height && window.x == 0 && window.y == 0
            && window.width == image.width && window.height == image.height
        return AugmentedSample(sample: DetectionSample(name: sample.sample.name, image: image.resized(to: size, window: window, fill: augmentationFillColor),
                                                       target: target),
                               frame: unchanged ? sample.frame : .altered)
    }
}

extension DetectionTarget {
    /// The boxes with x coordinates multiplied by `x` and y coordinates by `y` (a resize).
    public func scaled(x: Float, y: Float) -> DetectionTarget {
        DetectionTarget(boxes: boxes.map { BoundingBox(x1: $0.x1 * x, y1: $0.y1 * y, x2: $0.x2 * x, y2: $0.y2 * y) },
                        labels: labels, isDifficult: isDifficult)
    }

    /// The objects whose box is at least `side` pixels wide and high.
    public func droppingBoxes(under side: Float) -> DetectionTarget {
        let kept = (0..<count).filter { boxes[$0].width >= side && boxes[$0].height >= side }
        guard kept.count < count else { return self }
        return DetectionTarget(boxes: kept.map { boxes[$0] }, labels: kept.map { labels[$0] }, isDifficult: kept.map { isDifficult[$0] })
    }
}
