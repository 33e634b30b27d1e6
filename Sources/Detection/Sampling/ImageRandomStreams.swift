// Legend: G images in the global batch, numbered 0..<G in the order the data stream drew them;
// a rank trains a contiguous share of them.
//
// Data-parallel training splits a batch over ranks, so one sequential generator for the whole
// batch (the one-process trainer's) cannot be reproduced on a rank that sees only its share:
// how many draws image 0 takes decides where image 1's start. Here every image of every step
// has a stream of its own, keyed by (seed, step, global image index), which both heads of the
// detector draw from in turn; a step's selections then depend on the global batch alone, not on
// the number of ranks. (PyTorch DDP leaves such randomness to the user; Horovod likewise. This
// is the usual remedy: derive per-sample streams from a counter rather than share one.)
import Randomness

/// A random number generator made of one SplitMix64 stream per image of a step; the caller
/// picks the image before each draw (`TrainingHead.sampledLoss` does, by batch index).
///
/// A class so that `sampledLoss`, which receives the generator as `some RandomNumberGenerator`,
/// can select the stream through a cast and keep drawing through the same generic value.
public final class ImageRandomStreams: RandomNumberGenerator {
    /// The global index of this rank's first image (its images are `first ..< first + count`).
    public let firstImage: Int
    /// The streams of this rank's images, by local index.
    var streams: [SplitMix64]
    /// The local index of the stream `next()` draws from.
    public private(set) var current = 0

    /// Creates the streams of `count` images starting at global index `firstImage` in step `step`.
    /// - Parameters:
    ///   - seed: the run's sampling seed (`TrainingConfiguration.streamSeeds.sampling`).
    ///   - step: the training iteration (0-based).
    ///   - firstImage: the global batch index of the first image.
    ///   - count: the number of images, ≥ 1.
    /// - Precondition: `step`, `firstImage` ≥ 0; `count` ≥ 1.
    public init(seed: UInt64, step: Int, firstImage: Int, count: Int) {
        precondition(step >= 0 && firstImage >= 0 && count >= 1,
                     "ImageRandomStreams: step \(step), first image \(firstImage), count \(count)")
        self.firstImage = firstImage
        streams = (firstImage..<(firstImage + count)).map { Self.stream(seed: seed, step: step, image: $0) }
    }

    /// The stream of one image: SplitMix64 seeded by mixing the seed with the step, then the
    /// result with the image index (each mix one SplitMix64 output, so nearby keys give
    /// unrelated streams).
    public static func stream(seed: UInt64, step: Int, image: Int) -> SplitMix64 {
        var byStep = SplitMix64(seed: seed ^ (UInt64(step) &* 0xD1B5_4A32_D192_ED03))
        var byImage = SplitMix64(seed: byStep.next() ^ (UInt64(image) &* 0x9E37_79B9_7F4A_7C15))
        return SplitMix64(seed: byImage.next())
    }

    /// Makes `next()` draw from the stream of local image `image`.
    /// - Precondition: `image` in 0..<count.
    public func select(image: Int) {
        precondition(image >= 0 && image < streams.count, "ImageRandomStreams: image \(image) of \(streams.count)")
        current = image
    }

    /// Returns the next 64 bits of the selected image's stream.
    public func next() -> UInt64 { streams[current].next() }
}
