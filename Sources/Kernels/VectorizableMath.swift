// Branch-free exp, log and log1p for Float, written so that a loop calling them vectorises.
//
// Why not `Foundation.exp`: a libm call inside a loop stops LLVM's loop vectoriser (Swift does
// not link a vector math library), which makes an exp-heavy loss loop 10–20× slower than these.
// The polynomials are Cephes' `expf`/`logf` (S. L. Moshier), accurate to about 1 ulp over the
// ranges the loss kernels use; every select below compiles to a compare-and-blend, not a branch.

extension Kernels {
    /// Computes e^x to within about 2 ulp, branch-free.
    ///
    /// Returns 0 below −87.33 (where e^x leaves Float's normal range), +∞ above 88.72 and NaN for
    /// NaN. Reference: Cephes `expf` (Cody–Waite reduction, degree-5 minimax polynomial).
    @inline(__always)
    static func vectorizableExp(_ x: Float) -> Float {
        let highest: Float = 88.722_83
        let value = expCore(x > highest ? highest : x)
        let bounded = x > highest ? Float.infinity : value
        return x != x ? x : bounded
    }

    /// Computes e^x for x ≤ 0 (e^−|z|, or a logit minus its row maximum) to within about 2 ulp,
    /// branch-free and cheaper than ``vectorizableExp(_:)``: no overflow side to guard.
    ///
    /// Returns 0 below −87.33 and NaN for NaN; the result for x > 0 is unspecified.
    @inline(__always)
    static func vectorizableExpOfNonPositive(_ x: Float) -> Float {
        expCore(x)
    }

    /// e^x for x ≤ 88.72: 0 below −87.33, NaN for NaN (the clamp and the final select both keep
    /// NaN, since every comparison with it is false).
    @inline(__always)
    static func expCore(_ x: Float) -> Float {
        let lowest: Float = -87.336_54
        let clamped = x < lowest ? lowest : x
        // Round x·log2(e) to the nearest integer n with the 1.5·2²³ trick: adding the magic
        // number leaves n in the low mantissa bits and (sum − magic) equal to n as a Float.
        let magic: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        let nBits = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
        // Cody–Waite: ln 2 split into a part exact in Float and a small correction.
        let r = (clamped - n * 0.693_359_375) - n * -2.121_944_4e-4
        let r2 = r * r
        var p: Float = 1.987_569_15e-4
        p = multiplyAdd(p, r, 1.398_199_95e-3)
        p = multiplyAdd(p, r, 8.333_451_9e-3)
        p = multiplyAdd(p, r, 4.166_579_6e-2)
        p = multiplyAdd(p, r, 1.666_666_5e-1)
        p = multiplyAdd(p, r, 5.000_000_1e-1)
        let expR = p * r2 + r + 1
        let scale = Float(bitPattern: UInt32(bitPattern: (nBits &+ 127) &<< 23))
        let value = expR * scale
        return x < lowest ? 0 : value
    }

    /// Computes the natural logarithm of a positive normal Float to within about 2 ulp, branch-free.
    ///
    /// The result is unspecified for zero, negative, subnormal, infinite or NaN input; callers
    /// guarantee `x >= Float.leastNormalMagnitude` and finite. Reference: Cephes `logf`.
    @inline(__always)
    static func vectorizableLog(_ x: Float) -> Float {
        let bits = x.bitPattern
        // x = m · 2^e with m in [0.5, 1).
        var exponent = Float(Int32(bitPattern: (bits &>> 23) & 0xFF) &- 126)
        let m = Float(bitPattern: (bits & 0x807F_FFFF) | 0x3F00_0000)
        // Move m to [√½, √2) so the polynomial argument stays within ±0.29.
        let small = m < 0.707_106_77
        exponent = small ? exponent - 1 : exponent
        let f = small ? (m + m) - 1 : m - 1
        let f2 = f * f
        var p: Float = 7.037_683_6e-2
        p = multiplyAdd(p, f, -1.151_461_0e-1)
        p = multiplyAdd(p, f, 1.167_699_9e-1)
        p = multiplyAdd(p, f, -1.242_014_1e-1)
        p = multiplyAdd(p, f, 1.424_932_3e-1)
        p = multiplyAdd(p, f, -1.666_805_8e-1)
        p = multiplyAdd(p, f, 2.000_071_5e-1)
        p = multiplyAdd(p, f, -2.499_999_4e-1)
        p = multiplyAdd(p, f, 3.333_333_1e-1)
        var y = p * f * f2
        y += exponent * -2.121_944_4e-4
        y -= 0.5 * f2
        return (f + y) + exponent * 0.693_359_375
    }

    /// Computes log(1 + x) for x in [0, 1] to within about 2 ulp, branch-free, with one division.
    ///
    /// log1p(x) = 2·atanh(s) with s = x / (2 + x) ∈ [0, 1/3]; see ``log1pOfRatio(_:)``. Tiny x
    /// keep full relative precision because s is a ratio, not a difference. Cheaper than
    /// ``vectorizableLog(_:)`` plus Kahan's correction by about half.
    @inline(__always)
    static func vectorizableLog1p(_ x: Float) -> Float {
        log1pOfRatio(x / (2 + x))
    }

    /// Computes log(1 + x) given s = x / (2 + x) ∈ [0, 1/3] (x ∈ [0, 1]), as the odd series
    /// 2·atanh(s) = 2s·(1 + s²/3 + … + s¹⁴/15) (truncation below 2e-9 relative).
    ///
    /// Why a separate entry: a caller that also needs 1 / (1 + x) can form both quotients from
    /// one division (the sigmoid focal loss does).
    @inline(__always)
    static func log1pOfRatio(_ s: Float) -> Float {
        let s2 = s * s
        var p: Float = 1.0 / 15
        p = multiplyAdd(p, s2, 1.0 / 13)
        p = multiplyAdd(p, s2, 1.0 / 11)
        p = multiplyAdd(p, s2, 1.0 / 9)
        p = multiplyAdd(p, s2, 1.0 / 7)
        p = multiplyAdd(p, s2, 1.0 / 5)
        p = multiplyAdd(p, s2, 1.0 / 3)
        return (s + s) + (s + s) * s2 * p
    }

    /// Computes a·b + c: one fused multiply-add when the package is built with the `QUARRY_FMA`
    /// condition (set together with a `-target-cpu` that has FMA), else a multiply and an add.
    ///
    /// Why a switch: Swift never contracts a·b + c by itself, and `addingProduct` on a target
    /// without FMA becomes a libm `fmaf` call, which would stop the loops from vectorising.
    @inline(__always)
    static func multiplyAdd(_ a: Float, _ b: Float, _ c: Float) -> Float {
        #if QUARRY_FMA
        return c.addingProduct(a, b)
        #else
        return a * b + c
        #endif
    }
}
