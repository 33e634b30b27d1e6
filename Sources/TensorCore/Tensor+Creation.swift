// Creation: constants, ranges, and seeded random tensors.
import Foundation

extension Tensor {
    /// A tensor of zeros. - Precondition: every dimension ≥ 0.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
    /// A tensor of ones. - Precondition: every dimension ≥ 0.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// A tensor of zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// The 1-D tensor [0, 1, …, n−1]. - Precondition: `n >= 0`.
    public static func arange(_ n: Int) -> Tensor {
        precondition(n >= 0, "arange: negative length \(n)")
        return Tensor(shape: [n], scalars: (0..<n).map(Float.init))
    }

    /// A tensor of independent uniform samples in `[low, high)`, drawn from `generator`.
    ///
    /// Each element takes the top 24 bits of one `next()` call, so a generator with a fixed
    /// algorithm and seed (e.g. `SplitMix64`) gives the same tensor on every machine.
    /// - Precondition: every dimension ≥ 0, `low <= high`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               using generator: inout some RandomNumberGenerator) -> Tensor {
        precondition(low <= high, "uniform: low \(low) > high \(high)")
        let n = Shape.count(shape)
        var out = [Float](repeating: 0, count: n)
        let width = high - low
        for i in 0..<n { out[i] = low + width * unitFloat(&generator) }
        return Tensor(shape: shape, scalars: out)
    }

    /// A tensor of independent normal samples N(mean, std²), drawn from `generator` by the
    /// Box–Muller transform in Double (two `next()` calls per pair), so results repeat across
    /// machines for a fixed generator and seed.
    /// - Precondition: every dimension ≥ 0, `std >= 0`.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              using generator: inout some RandomNumberGenerator) -> Tensor {
        precondition(std >= 0, "normal: negative std \(std)")
        let n = Shape.count(shape)
        var out = [Float](repeating: 0, count: n)
        var i = 0
        while i < n {
            // u1 in (0, 1] so log(u1) is finite.
            let u1 = Double((generator.next() >> 11) + 1) / 9_007_199_254_740_992.0
            let u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992.0
            let r = (-2 * Foundation.log(u1)).squareRoot()
            out[i] = mean + std * Float(r * Foundation.cos(2 * .pi * u2))
            if i + 1 < n { out[i + 1] = mean + std * Float(r * Foundation.sin(2 * .pi * u2)) }
            i += 2
        }
        return Tensor(shape: shape, scalars: out)
    }
}

/// A uniform Float in [0, 1) from the top 24 bits of one generator draw.
@inline(__always)
func unitFloat(_ generator: inout some RandomNumberGenerator) -> Float {
    Float(generator.next() >> 40) * (1.0 / 16_777_216.0)
}
