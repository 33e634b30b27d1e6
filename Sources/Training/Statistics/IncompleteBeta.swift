// The regularized incomplete beta function, the core of Student's t distribution function.
import Foundation

/// Returns the regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b).
///
/// Evaluated by its continued fraction with the modified Lentz method, on the side where the
/// fraction converges quickly (x < (a + 1)/(a + b + 2)), and through I_x(a, b) = 1 − I_{1−x}(b, a)
/// on the other; relative accuracy about 1e-15 for the small half-integer a, b that the t
/// distribution uses.
/// Reference: Press et al., "Numerical Recipes", 3rd ed., §6.4 (`betacf`); Abramowitz & Stegun
/// 26.5.8.
/// - Precondition: 0 ≤ x ≤ 1, a > 0, b > 0.
func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
    precondition((0...1).contains(x) && a > 0 && b > 0, "regularizedIncompleteBeta: x \(x), a \(a), b \(b)")
    if x == 0 || x == 1 { return x }
    // log of x^a (1 − x)^b / B(a, b), the continued fraction's prefactor.
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
    if x < (a + 1) / (a + b + 2) {
        return exp(logFront) * betaContinuedFraction(x: x, a: a, b: b) / a
    }
    return 1 - exp(logFront) * betaContinuedFraction(x: 1 - x, a: b, b: a) / b
}

/// The continued fraction of the incomplete beta function (Numerical Recipes `betacf`),
/// evaluated by the modified Lentz method until a term changes the value by under 1e-16.
private func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    func guarded(_ v: Double) -> Double { abs(v) < tiny ? tiny : v }
    var c = 1.0
    var d = 1 / guarded(1 - (a + b) * x / (a + 1))
    var h = d
    for m in 1...10_000 {
        let m = Double(m), m2 = 2 * m
        // Even step.
        var numerator = m * (b - m) * x / ((a - 1 + m2) * (a + m2))
        d = 1 / guarded(1 + numerator * d)
        c = guarded(1 + numerator / c)
        h *= d * c
        // Odd step.
        numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2))
        d = 1 / guarded(1 + numerator * d)
        c = guarded(1 + numerator / c)
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16 { break }
    }
    return h
}
