// H×W image, 3 interleaved channels; additive noise, one value per channel sample.
import Randomness

/// Adds zero-mean noise of standard deviation σ (pixel levels, drawn uniformly in a range) to
/// every channel of every pixel.
///
/// Draws, in order: `unit()` for the probability; if applied, σ = `double(in: lower..<upper)`,
/// then one `next()` that seeds the noise stream. Samples 2i and 2i + 1 of the image
/// (interleaved order) take the low and high 32 bits of the i-th output of
/// `SplitMix64(seed: that value)` — computed from i directly, so the loop needs no sequential
/// state — each turned into z = (Σ_{j<4} (u_j + ½)/2⁸ − 2)·√3 from its four bytes u_j: the
/// Irwin–Hall approximation of a standard normal (exact mean 0 and variance 1 up to the byte
/// grid, tails cut at ±3.46σ), a fraction of the cost of Box–Muller's logarithm and cosine.
/// Then v ← v + σ·z, clamped to [0, 255], rounded half up. Boxes are unchanged.
/// Reference: DeepForest's noise augmentation (albumentations `GaussNoise`).
public struct GaussianNoise: SampleTransform, Hashable {
    /// `noise`.
    public static let name = "noise"
    /// The range of σ, in pixel levels (0–255), ≥ 0.
    public var sigmas: ClosedRange<Double>
    /// The probability of applying the transform, in [0, 1].
    public var probability: Double

    /// Creates a noise transform.
    /// - Precondition: `sigmas.lowerBound ≥ 0`, `probability` in [0, 1].
    public init(sigmas: ClosedRange<Double> = 2...8, probability: Double = 0.5) {
        precondition(sigmas.lowerBound >= 0, "GaussianNoise: sigmas \(sigmas) must be ≥ 0")
        precondition((0...1).contains(probability), "GaussianNoise: probability \(probability) outside [0, 1]")
        self.sigmas = sigmas
        self.probability = probability
    }

    /// Adds the noise (see the type's doc for the draws and the pixel rule).
    public func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64) {
        guard generator.bool(probability: probability) else { return }
        let sigma = generator.double(in: sigmas.lowerBound..<sigmas.upperBound)
        sample.sample.image = Self.noised(sample.sample.image, sigma: sigma, seed: generator.next())
    }

    /// Returns the image with noise of standard deviation `sigma` pixel levels from the stream
    /// `seed` (the pixel rule of the type's doc).
    public static func noised(_ image: RGBImage, sigma: Double, seed: UInt64) -> RGBImage {
        var output = image
        let scale = Float(sigma) * 1.7320508 / 256
        let shift = Float(sigma) * 1.7320508 * 2
        // Sum of the four bytes of a 32-bit word, plus 4 · ½.
        @inline(__always) func byteSum(_ word: UInt64) -> Float {
            Float((word & 0xFF) + ((word >> 8) & 0xFF) + ((word >> 16) & 0xFF) + ((word >> 24) & 0xFF)) + 2
        }
        output.pixels.withUnsafeMutableBufferPointer { p in
            let pairs = p.count / 2
            for i in 0..<(pairs + p.count % 2) {
                // The (i + 1)-th SplitMix64 state and its output mix, as `SplitMix64.next()`.
                var z = seed &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                p[2 * i] = roundedPixel(Float(p[2 * i]) + byteSum(z) * scale - shift)
                if 2 * i + 1 < p.count { p[2 * i + 1] = roundedPixel(Float(p[2 * i + 1]) + byteSum(z >> 32) * scale - shift) }
            }
        }
        return output
    }
}
