// The role every augmentation plays: a seeded transform of (image, boxes, labels).
import Randomness

/// A seeded transform of a training sample's image, boxes and labels.
///
/// Conformers draw every random choice from the generator passed in, in an order their doc
/// states, so the same seed and input give the same pixels and boxes on every machine. Each
/// states its box rule: how boxes move, when they are clipped, and when they are dropped.
public protocol SampleTransform: Sendable {
    /// The transform's name in an augmentation list (`scale-jitter`).
    static var name: String { get }

    /// Applies the transform (or, with probability 1 − p, leaves the sample as it is; the
    /// probability draw is still taken).
    /// - Parameters:
    ///   - sample: the sample to transform, in place.
    ///   - sources: the training samples, for transforms that take pixels from other images
    ///     (copy-paste, mosaic); the others ignore it.
    ///   - generator: the data stream's generator.
    func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64)
}

/// The fill colour of pixels a transform exposes (padding, translation, cutout): the ImageNet
/// mean (0.485, 0.456, 0.406) × 255 rounded, which the input normalisation maps to ≈ 0, as a
/// zero-padded normalised tensor would hold (Ghiasi et al.'s scale jitter pads with zeros
/// after normalisation; DeVries & Taylor's cutout fills with zeros after normalisation).
public let augmentationFillColor = RGBColor(red: 124, green: 116, blue: 104)
