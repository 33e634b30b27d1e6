// H×W image, 3 interleaved channels, as [H, W·3] Float rows; a separable Gaussian filter of
// radius r = ⌈3σ⌉ taps each side.
import Foundation
import Randomness

/// Blurs a sample with a Gaussian of standard deviation σ drawn uniformly in a range.
///
/// Draws, in order: `unit()` for the probability; if applied, σ = `double(in: lower..<upper)`.
/// Pixel rule: a separable filter with taps w_k = exp(−k²/(2σ²)) / Σ, k in −r...r,
/// r = ⌈3σ⌉ (99.7% of the mass), rows then columns, in Float; edges replicate the border pixel;
/// rounded half up at the end. Boxes are unchanged.
/// Reference: Chen et al., "A Simple Framework for Contrastive Learning of Visual
/// Representations" (SimCLR), ICML 2020 (σ in [0.1, 2.0]); DeepForest's blur augmentation.
public struct GaussianBlur: SampleTransform, Hashable {
    /// `blur`.
    public static let name = "blur"
    /// The range of σ, in pixels (> 0).
    public var sigmas: ClosedRange<Double>
    /// The probability of applying the transform, in [0, 1].
    public var probability: Double

    /// Creates a blur.
    /// - Precondition: `sigmas.lowerBound > 0`, `probability` in [0, 1].
    public init(sigmas: ClosedRange<Double> = 0.1...2.0, probability: Double = 0.5) {
        precondition(sigmas.lowerBound > 0, "GaussianBlur: sigmas \(sigmas) must be positive")
        precondition((0...1).contains(probability), "GaussianBlur: probability \(probability) outside [0, 1]")
        self.sigmas = sigmas
        self.probability = probability
    }

    /// Blurs the image (see the type's doc for the draws and the pixel rule).
    public func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64) {
        guard generator.bool(probability: probability) else { return }
        sample.sample.image = Self.blurred(sample.sample.image, sigma: generator.double(in: sigmas.lowerBound..<sigmas.upperBound))
    }

    /// The normalised taps w_{−r}…w_r of a Gaussian of standard deviation `sigma` pixels.
    /// - Precondition: `sigma > 0`.
    public static func taps(sigma: Double) -> [Float] {
        precondition(sigma > 0, "GaussianBlur.taps: sigma \(sigma) must be positive")
        let radius = Int((3 * sigma).rounded(.up))
        let raw = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let sum = raw.reduce(0, +)
        return raw.map { Float($0 / sum) }
    }

    /// Returns the image blurred with a Gaussian of standard deviation `sigma` pixels (the
    /// pixel rule of the type's doc).
    /// - Precondition: `sigma > 0`.
    public static func blurred(_ image: RGBImage, sigma: Double) -> RGBImage {
        let weights = taps(sigma: sigma)
        let radius = weights.count / 2
        let width = image.width, height = image.height, rowValues = width * 3
        guard width >= 1 && height >= 1 else { return image }
        let input = image.pixels.map(Float.init)
        var across = [Float](repeating: 0, count: input.count)
        // Columns whose taps all fall inside the image, and the border columns around them.
        let first = min(radius, width), last = max(width - radius, first)
        let borderColumns = Array(0..<first) + Array(last..<width)
        let center = weights[radius]
        input.withUnsafeBufferPointer { sourceBuffer in
            across.withUnsafeMutableBufferPointer { acrossBuffer in
                let source = sourceBuffer.baseAddress!, rows = acrossBuffer.baseAddress!
                for y in 0..<height {
                    let base = y * rowValues
                    // Interior columns: the centre tap, then one symmetric pair of taps per pass,
                    // each a contiguous multiply-add (vectorises).
                    let from = base + first * 3, count = (last - first) * 3
                    let out = rows + from, middle = source + from
                    for i in 0..<count { out[i] = center * middle[i] }
                    for k in 1...max(radius, 1) where k <= radius {
                        let w = weights[radius + k], left = middle - 3 * k, right = middle + 3 * k
                        for i in 0..<count { out[i] += w * (left[i] + right[i]) }
                    }
                    // Border columns: taps clamped to the image.
                    for x in borderColumns {
                        for c in 0..<3 {
                            var sum: Float = 0
                            for (t, w) in weights.enumerated() {
                                sum += w * source[base + min(max(x + t - radius, 0), width - 1) * 3 + c]
                            }
                            rows[base + x * 3 + c] = sum
                        }
                    }
                }
            }
        }
        // Down the columns: whole rows at a time (contiguous, vectorises); rows clamped; each
        // finished row rounded into the output at once.
        var output = image
        var row = [Float](repeating: 0, count: rowValues)
        across.withUnsafeBufferPointer { acrossBuffer in
            row.withUnsafeMutableBufferPointer { rowBuffer in
                output.pixels.withUnsafeMutableBufferPointer { target in
                    let rows = acrossBuffer.baseAddress!, out = rowBuffer.baseAddress!
                    for y in 0..<height {
                        let middle = rows + y * rowValues
                        for i in 0..<rowValues { out[i] = center * middle[i] }
                        for k in 1...max(radius, 1) where k <= radius {
                            let w = weights[radius + k]
                            let above = rows + max(y - k, 0) * rowValues, below = rows + min(y + k, height - 1) * rowValues
                            for i in 0..<rowValues { out[i] += w * (above[i] + below[i]) }
                        }
                        let base = y * rowValues
                        for i in 0..<rowValues { target[base + i] = roundedPixel(out[i]) }
                    }
                }
            }
        }
        return output
    }
}
