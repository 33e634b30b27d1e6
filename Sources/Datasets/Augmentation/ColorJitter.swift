// H×W image, 3 channels; a random affine colour map (brightness, contrast, saturation, hue).
import Foundation
import Randomness

/// Changes brightness, contrast, saturation and hue by random amounts, as torchvision's
/// `ColorJitter`, composed into one affine colour map applied in a single pass.
///
/// Draws, in order: `unit()` for the probability; if applied, four `double(in:)` draws:
/// brightness b in [1 − B, 1 + B), contrast c in [1 − C, 1 + C), saturation s in
/// [1 − S, 1 + S), hue h in [−Hh, Hh) (a fraction of a full turn), always all four.
///
/// Pixel rule, on values v in [0, 255], in this fixed order: brightness v ← b·v; contrast
/// v ← c·v + (1 − c)·m, m the mean grey level (0.299 R + 0.587 G + 0.114 B) of the brightened
/// image; saturation v ← s·v + (1 − s)·grey(v); hue: the chroma (I, Q) of the YIQ colour space
/// rotated by 2π·h. One clamp to [0, 255] and rounding at the end. Departures from torchvision,
/// for one pass: a fixed order instead of a random one, one clamp instead of one per step, and
/// the hue turned in YIQ instead of HSV. Boxes are unchanged.
/// Reference: torchvision `ColorJitter`; Howard, "Some Improvements on Deep Convolutional
/// Neural Network Based Image Classification", arXiv:1312.5402 (colour jitter).
public struct ColorJitter: SampleTransform, Hashable {
    /// `color`.
    public static let name = "color"
    /// The brightness amount B in [0, 1]: the factor is drawn in [1 − B, 1 + B).
    public var brightness: Double
    /// The contrast amount C in [0, 1].
    public var contrast: Double
    /// The saturation amount S in [0, 1].
    public var saturation: Double
    /// The hue amount Hh in [0, 0.5], a fraction of a full turn.
    public var hue: Double
    /// The probability of applying the transform, in [0, 1].
    public var probability: Double

    /// Creates a colour jitter.
    /// - Precondition: amounts in [0, 1] (hue in [0, 0.5]), `probability` in [0, 1].
    public init(brightness: Double = 0.2, contrast: Double = 0.2, saturation: Double = 0.2, hue: Double = 0.02,
                probability: Double = 0.5) {
        precondition([brightness, contrast, saturation, probability].allSatisfy { (0...1).contains($0) } && (0...0.5).contains(hue),
                     "ColorJitter: amounts must be in [0, 1] (hue in [0, 0.5]), got \(brightness), \(contrast), \(saturation), \(hue), p \(probability)")
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
        self.probability = probability
    }

    /// Jitters the colours (see the type's doc for the draws and the pixel rule).
    public func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64) {
        guard generator.bool(probability: probability) else { return }
        let b = generator.double(in: (1 - brightness)..<(1 + brightness))
        let c = generator.double(in: (1 - contrast)..<(1 + contrast))
        let s = generator.double(in: (1 - saturation)..<(1 + saturation))
        let h = generator.double(in: -hue..<hue)
        sample.sample.image = Self.adjusted(sample.sample.image, brightness: b, contrast: c, saturation: s, hue: h)
    }

    /// The grey-level weights of ITU-R BT.601 (R, G, B), as torchvision's `rgb_to_grayscale`.
    static let greyWeights = [0.299, 0.587, 0.114]

    /// Returns the image with the given factors applied (the pixel rule of the type's doc).
    /// - Parameters:
    ///   - brightness: factor b (1: unchanged).
    ///   - contrast: factor c (1: unchanged; 0: the mean grey everywhere).
    ///   - saturation: factor s (1: unchanged; 0: grey).
    ///   - hue: the turn h of the chroma, a fraction of a full turn (0: unchanged).
    public static func adjusted(_ image: RGBImage, brightness b: Double, contrast c: Double, saturation s: Double,
                                hue h: Double) -> RGBImage {
        guard image.width * image.height > 0 else { return image }
        // Mean grey of the brightened (unclamped) image: b times the original's.
        var red = 0, green = 0, blue = 0
        image.pixels.withUnsafeBufferPointer { p in
            for i in Swift.stride(from: 0, to: p.count, by: 3) {
                red &+= Int(p[i]); green &+= Int(p[i + 1]); blue &+= Int(p[i + 2])
            }
        }
        let sums = [Double(red), Double(green), Double(blue)]
        let count = Double(image.width * image.height)
        var grey = 0.0
        for c in 0..<3 { grey += greyWeights[c] * sums[c] / count }
        let mean = b * grey
        // v ← M (c b v + (1 − c) m 1), M = hue · saturation.
        let matrix = multiply(hueMatrix(turn: h), saturationMatrix(s))
        let offset = (0..<3).map { (row: Int) -> Double in
            (matrix[row * 3] + matrix[row * 3 + 1] + matrix[row * 3 + 2]) * (1 - c) * mean
        }
        let linear = matrix.map { Float($0 * c * b) }
        return mapped(image, matrix: linear, offset: offset.map(Float.init))
    }

    /// Applies v ← clamp(A v + o, 0, 255), rounded half up, to every pixel.
    /// - Parameters:
    ///   - matrix: A, row-major 3 × 3.
    ///   - offset: o, 3 values, in pixel levels.
    static func mapped(_ image: RGBImage, matrix a: [Float], offset o: [Float]) -> RGBImage {
        var output = image
        let (a00, a01, a02, a10, a11, a12, a20, a21, a22) = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8])
        let (o0, o1, o2) = (o[0], o[1], o[2])
        output.pixels.withUnsafeMutableBufferPointer { p in
            for i in Swift.stride(from: 0, to: p.count, by: 3) {
                let r = Float(p[i]), g = Float(p[i + 1]), bl = Float(p[i + 2])
                p[i] = roundedPixel(a00 * r + a01 * g + a02 * bl + o0)
                p[i + 1] = roundedPixel(a10 * r + a11 * g + a12 * bl + o1)
                p[i + 2] = roundedPixel(a20 * r + a21 * g + a22 * bl + o2)
            }
        }
        return output
    }

    /// s·I + (1 − s)·1·wᵀ: blends each colour with its grey level.
    static func saturationMatrix(_ s: Double) -> [Double] {
        (0..<9).map { (index: Int) -> Double in
            let diagonal: Double = index / 3 == index % 3 ? s : 0
            return diagonal + (1 - s) * greyWeights[index % 3]
        }
    }

    /// T⁻¹ R(2πh) T: the YIQ transform T (FCC NTSC), a rotation of (I, Q), and back.
    static func hueMatrix(turn h: Double) -> [Double] {
        let t: [Double] = [0.299, 0.587, 0.114, 0.595716, -0.274453, -0.321263, 0.211456, -0.522591, 0.311135]
        let angle = 2 * Double.pi * h
        let rotation: [Double] = [1, 0, 0, 0, cos(angle), -sin(angle), 0, sin(angle), cos(angle)]
        return multiply(inverse(t), multiply(rotation, t))
    }

    /// The product of two row-major 3 × 3 matrices.
    static func multiply(_ x: [Double], _ y: [Double]) -> [Double] {
        var product = [Double](repeating: 0, count: 9)
        for row in 0..<3 {
            for column in 0..<3 {
                var sum = 0.0
                for k in 0..<3 { sum += x[row * 3 + k] * y[k * 3 + column] }
                product[row * 3 + column] = sum
            }
        }
        return product
    }

    /// The inverse of a row-major 3 × 3 matrix (adjugate over determinant).
    static func inverse(_ m: [Double]) -> [Double] {
        // Cofactor (r, c) of the transpose: rows r+1, r+2 and columns c+1, c+2, cyclically.
        func entry(_ r: Int, _ c: Int) -> Double { m[(r % 3) * 3 + c % 3] }
        var cofactors = [Double](repeating: 0, count: 9)
        for r in 0..<3 {
            for c in 0..<3 {
                let a: Double = entry(c + 1, r + 1) * entry(c + 2, r + 2)
                let b: Double = entry(c + 1, r + 2) * entry(c + 2, r + 1)
                cofactors[r * 3 + c] = a - b
            }
        }
        let determinant: Double = m[0] * cofactors[0] + m[1] * cofactors[3] + m[2] * cofactors[6]
        return cofactors.map { $0 / determinant }
    }
}

/// A value clamped to [0, 255] and rounded half up to a byte (NaN gives 0).
@inline(__always)
func roundedPixel(_ value: Float) -> UInt8 {
    // Written with comparisons that send NaN to 0, so a conversion never traps.
    UInt8((value < 255 ? (value > 0 ? value : 0) : 255) + 0.5)
}
