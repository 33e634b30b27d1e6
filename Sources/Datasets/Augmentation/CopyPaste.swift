// W×H sample image; N objects of the sample, P objects pasted from another training sample.
import Randomness

/// Pastes objects of another training sample into this one, at the same pixel position.
///
/// Draws, in order: `unit()` for the probability; if applied, the source sample
/// `int(below: sources.count)` (the sample itself may be drawn), then one `unit()` per source
/// object, in order, pasting the object when it is below ``objectFraction``.
///
/// Quarry's annotations are boxes, not masks, so an object is its box's rectangle of pixels
/// (the box rounded outwards to whole pixels, clipped to both images) rather than Ghiasi et
/// al.'s mask. Box rule: a pasted object keeps its source box (clipped to this image; dropped
/// if nothing of it is inside) and label, appended after the existing objects; an existing box
/// less than half visible outside the pasted rectangles is dropped (the rule of `Cutout`,
/// DESIGN.md's half-visible area; Ghiasi et al. drop fully occluded objects and shrink partly
/// occluded masks).
/// Reference: Ghiasi et al., "Simple Copy-Paste is a Strong Data Augmentation Method for
/// Instance Segmentation", CVPR 2021.
public struct CopyPaste: SampleTransform, Hashable {
    /// `copy-paste`.
    public static let name = "copy-paste"
    /// The probability of pasting each object of the source sample, in [0, 1].
    public var objectFraction: Double
    /// The probability of applying the transform, in [0, 1].
    public var probability: Double

    /// Creates a copy-paste transform.
    /// - Precondition: `objectFraction` and `probability` in [0, 1].
    public init(objectFraction: Double = 0.5, probability: Double = 0.5) {
        precondition((0...1).contains(objectFraction) && (0...1).contains(probability),
                     "CopyPaste: objectFraction \(objectFraction) and probability \(probability) must be in [0, 1]")
        self.objectFraction = objectFraction
        self.probability = probability
    }

    /// Pastes objects of a drawn source sample (see the type's doc for the draws and the box rule).
    public func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64) {
        guard generator.bool(probability: probability), !sources.isEmpty else { return }
        let source = sources[generator.int(below: sources.count)]
        var chosen: [Int] = []
        for index in 0..<source.target.count where generator.bool(probability: objectFraction) { chosen.append(index) }
        sample.sample = Self.pasted(objects: chosen, of: source, into: sample.sample)
    }

    /// Pastes the objects `objects` (indices into `source`'s target) into `sample` (the box rule
    /// of the type's doc).
    public static func pasted(objects: [Int], of source: DetectionSample, into sample: DetectionSample) -> DetectionSample {
        var image = sample.image
        let frame = PixelRegion(x: 0, y: 0, width: min(image.width, source.image.width),
                                height: min(image.height, source.image.height)).box
        var rectangles: [BoundingBox] = []
        var added = DetectionTarget.empty
        for index in objects {
            guard let box = source.target.boxes[index].intersection(frame) else { continue }
            let x1 = Int(box.x1.rounded(.down)), y1 = Int(box.y1.rounded(.down))
            let region = PixelRegion(x: x1, y: y1, width: Int(box.x2.rounded(.up)) - x1, height: Int(box.y2.rounded(.up)) - y1)
            image.paste(source.image.cropped(to: region), x: region.x, y: region.y)
            rectangles.append(region.box)
            added.boxes.append(box)
            added.labels.append(source.target.labels[index])
            added.isDifficult.append(source.target.isDifficult[index])
        }
        var target = sample.target.occluded(by: rectangles, minimumVisibleFraction: Tiling.reference.minimumVisibleFraction)
        target.boxes += added.boxes
        target.labels += added.labels
        target.isDifficult += added.isDifficult
        return DetectionSample(name: sample.name, image: image, target: target)
    }
}
