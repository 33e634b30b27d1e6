import Kernels
import Randomness

// Naive twins of the optimised kernels: obviously correct loops in Double, used only by tests.

/// Reference kernels written as plain triple loops in Double.
public enum Reference {
    /// C = op(A)·op(B) for row-major dense A and B (no leading-dimension padding), in Double.
    /// op(A) is [M, K] (stored [K, M] when transposed); op(B) is [K, N] (stored [N, K] when transposed).
    public static func gemm(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
                            transposeA: Bool, transposeB: Bool) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var acc = 0.0
                for p in 0..<k {
                    let av = transposeA ? a[p * m + i] : a[i * k + p]
                    let bv = transposeB ? b[j * k + p] : b[p * n + j]
                    acc += Double(av) * Double(bv)
                }
                c[i * n + j] = acc
            }
        }
        return c
    }

    /// Direct 2-D cross-correlation of [N, C, H, W] with [F, C, KH, KW] (+ bias [F]), in Double.
    public static func conv2d(_ input: [Float], n: Int, c: Int, h: Int, w: Int,
                              weight: [Float], f: Int, kh: Int, kw: Int, bias: [Float]?,
                              stride: Int, padding: Int, dilation: Int = 1) -> (output: [Double], oh: Int, ow: Int) {
        let oh = (h + 2 * padding - dilation * (kh - 1) - 1) / stride + 1
        let ow = (w + 2 * padding - dilation * (kw - 1) - 1) / stride + 1
        var out = [Double](repeating: 0, count: n * f * oh * ow)
        for ni in 0..<n { for fi in 0..<f { for y in 0..<oh { for x in 0..<ow {
            var acc = Double(bias?[fi] ?? 0)
            for ci in 0..<c { for ky in 0..<kh { for kx in 0..<kw {
                let iy = y * stride + ky * dilation - padding, ix = x * stride + kx * dilation - padding
                if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
                acc += Double(input[((ni * c + ci) * h + iy) * w + ix]) * Double(weight[((fi * c + ci) * kh + ky) * kw + kx])
            } } }
            out[((ni * f + fi) * oh + y) * ow + x] = acc
        } } } }
        return (out, oh, ow)
    }
}

/// Random test data from a fixed seed (SplitMix64), so failures reproduce.
public func randomFloats(_ count: Int, seed: UInt64, range: ClosedRange<Float> = -1...1) -> [Float] {
    var generator = SplitMix64(seed: seed)
    let width = range.upperBound - range.lowerBound
    return (0..<count).map { _ in range.lowerBound + width * Float(generator.next() >> 40) / 16_777_216 }
}
