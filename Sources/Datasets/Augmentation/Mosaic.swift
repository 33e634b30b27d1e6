// W×H output tile, split at (cx, cy) into four quadrants, each a window of one sample.
import Randomness

/// Builds a W × H image from four samples: the drawn one and three others, one per quadrant
/// around a random centre, each quadrant a random window of its sample at its own scale.
///
/// Draws, in order: `unit()` for the probability; if applied, three source samples
/// `int(below: sources.count)` (top-right, bottom-left, bottom-right; the drawn sample is the
/// top-left), the centre cx = `int(in: ⌊W/4⌋...⌊3W/4⌋)`, cy = `int(in: ⌊H/4⌋...⌊3H/4⌋)`, then
/// for each quadrant in that order (top-left first) the window's origin in its sample,
/// `int(in: 0...max(0, W_s − w))` then `int(in: 0...max(0, H_s − h))`, for a w × h quadrant of
/// a W_s × H_s sample (a sample smaller than its quadrant is padded with `augmentationFillColor`).
///
/// Box rule: per quadrant, DESIGN.md's tile rule on the window (kept when at least half a
/// box's area is inside, clipped, shifted: the tiling's
/// `DetectionTarget.cropped(to:minimumVisibleFraction:)`), then moved to the quadrant's place;
/// objects listed top-left, top-right, bottom-left, bottom-right.
/// Departure from YOLOv4: the four images keep their scale (no random resize; combine with
/// `scale-jitter` for that), so a tile's ground sampling distance is unchanged.
/// Reference: Bochkovskiy et al., "YOLOv4: Optimal Speed and Accuracy of Object Detection",
/// arXiv:2004.10934 (mosaic).
public struct Mosaic: SampleTransform, Hashable {
    /// `mosaic`.
    public static let name = "mosaic"
    /// The probability of applying the transform, in [0, 1].
    public var probability: Double

    /// Creates a mosaic transform.
    /// - Precondition: `probability` in [0, 1].
    public init(probability: Double = 0.5) {
        precondition((0...1).contains(probability), "Mosaic: probability \(probability) outside [0, 1]")
        self.probability = probability
    }

    /// Builds the mosaic (see the type's doc for the draws and the box rule).
    public func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64) {
        guard generator.bool(probability: probability), !sources.isEmpty else { return }
        let width = sample.sample.image.width, height = sample.sample.image.height
        guard width >= 1 && height >= 1 else { return }
        let parts = [sample.sample] + (0..<3).map { _ in sources[generator.int(below: sources.count)] }
        let cx = generator.int(in: (width / 4)...(3 * width / 4)), cy = generator.int(in: (height / 4)...(3 * height / 4))
        let quadrants = Self.quadrants(width: width, height: height, centerX: cx, centerY: cy)
        var windows: [PixelRegion] = []
        for (part, quadrant) in zip(parts, quadrants) {
            let x = generator.int(in: 0...max(0, part.image.width - quadrant.width))
            let y = generator.int(in: 0...max(0, part.image.height - quadrant.height))
            windows.append(PixelRegion(x: x, y: y, width: quadrant.width, height: quadrant.height))
        }
        sample = AugmentedSample(sample: Self.assembled(parts, windows: windows, size: PixelSize(width: width, height: height),
                                                        name: sample.sample.name, centerX: cx, centerY: cy),
                                 frame: .altered)
    }

    /// The four quadrants of a W × H image split at (cx, cy): top-left, top-right, bottom-left,
    /// bottom-right (a quadrant may be empty when the centre is on an edge).
    public static func quadrants(width: Int, height: Int, centerX cx: Int, centerY cy: Int) -> [PixelRegion] {
        [PixelRegion(x: 0, y: 0, width: cx, height: cy), PixelRegion(x: cx, y: 0, width: width - cx, height: cy),
         PixelRegion(x: 0, y: cy, width: cx, height: height - cy), PixelRegion(x: cx, y: cy, width: width - cx, height: height - cy)]
    }

    /// Assembles a mosaic: quadrant q of the `size` image split at (cx, cy) shows `windows[q]`
    /// of `parts[q]` (the box rule of the type's doc).
    /// - Precondition: four parts and four windows, each window the size of its quadrant.
    public static func assembled(_ parts: [DetectionSample], windows: [PixelRegion], size: PixelSize, name: String,
                                 centerX cx: Int, centerY cy: Int) -> DetectionSample {
        let quadrants = quadrants(width: size.width, height: size.height, centerX: cx, centerY: cy)
        precondition(parts.count == 4 && windows.count == 4
                     && zip(windows, quadrants).allSatisfy { $0.width == $1.width && $0.height == $1.height },
                     "Mosaic.assembled: need four parts and four windows of the quadrants' sizes \(quadrants), got \(windows)")
        var image = RGBImage(width: size.width, height: size.height, filledWith: augmentationFillColor)
        var target = DetectionTarget.empty
        for ((part, window), quadrant) in zip(zip(parts, windows), quadrants) where quadrant.width > 0 && quadrant.height > 0 {
            image.paste(part.image.window(window, fill: augmentationFillColor), x: quadrant.x, y: quadrant.y)
            let objects = part.target.cropped(to: window, minimumVisibleFraction: Tiling.reference.minimumVisibleFraction)
            target.boxes += objects.boxes.map { $0.offsetBy(dx: Float(quadrant.x), dy: Float(quadrant.y)) }
            target.labels += objects.labels
            target.isDifficult += objects.isDifficult
        }
        return DetectionSample(name: name, image: image, target: target)
    }
}
