// Student's t distribution: the distribution function and its inverse, for the confidence
// intervals of a comparison over seeds.
import Foundation

/// Student's t distribution with ν degrees of freedom.
///
/// The distribution of (mean − μ) / (s / √n) for n independent normal values, with ν = n − 1;
/// its quantiles give the half-width of a confidence interval for a mean from n values.
/// Reference: Student, "The probable error of a mean", Biometrika 6(1), 1908; the distribution
/// function from Abramowitz & Stegun 26.7.1 via the incomplete beta function (26.5.27).
public enum StudentT {
    /// Returns P(T ≤ t) for T with `degreesOfFreedom` ν.
    ///
    /// F(t) = 1 − ½ I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0, and 1 − F(−t) below 0.
    /// - Precondition: ν ≥ 1; t is not NaN.
    public static func cumulativeProbability(_ t: Double, degreesOfFreedom: Int) -> Double {
        precondition(degreesOfFreedom >= 1, "StudentT: degrees of freedom \(degreesOfFreedom) < 1")
        precondition(!t.isNaN, "StudentT: t is NaN")
        if t.isInfinite { return t > 0 ? 1 : 0 }
        let nu = Double(degreesOfFreedom)
        let tail = 0.5 * regularizedIncompleteBeta(x: nu / (nu + t * t), a: nu / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// Returns the quantile t_{p, ν}: the t with P(T ≤ t) = p.
    ///
    /// Found by bisection on the distribution function (after doubling an upper bracket) to
    /// the last representable digit, so its accuracy is that of the incomplete beta function.
    /// Table values it reproduces: t_{0.975, 1} = 12.706, t_{0.975, 2} = 4.303,
    /// t_{0.975, 7} = 2.365, t_{0.975, 29} = 2.045, and 1.960 as ν grows.
    /// - Parameters:
    ///   - p: the probability, in (0, 1); 0.975 gives the two-sided 95% interval's multiplier.
    ///   - degreesOfFreedom: ν ≥ 1 (n − 1 for a mean of n values).
    /// - Precondition: 0 < p < 1, ν ≥ 1.
    public static func quantile(_ p: Double, degreesOfFreedom: Int) -> Double {
        precondition(p > 0 && p < 1, "StudentT.quantile: probability \(p) outside (0, 1)")
        precondition(degreesOfFreedom >= 1, "StudentT: degrees of freedom \(degreesOfFreedom) < 1")
        if p == 0.5 { return 0 }
        // Symmetry: solve for the upper tail and mirror.
        let target = max(p, 1 - p)
        var low = 0.0, high = 1.0
        while cumulativeProbability(high, degreesOfFreedom: degreesOfFreedom) < target { low = high; high *= 2 }
        for _ in 0..<200 {
            let middle = 0.5 * (low + high)
            if middle <= low || middle >= high { break }  // the bracket is two adjacent doubles
            if cumulativeProbability(middle, degreesOfFreedom: degreesOfFreedom) < target { low = middle } else { high = middle }
        }
        let t = 0.5 * (low + high)
        return p > 0.5 ? t : -t
    }
}
