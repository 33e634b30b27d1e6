import Foundation
import Testing
@testable import Training

@Suite("Student's t distribution")
struct StudentTTests {
    @Test("97.5% quantiles match the printed table", arguments: [
        (1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (7, 2.365), (9, 2.262), (10, 2.228),
        (19, 2.093), (29, 2.045), (30, 2.042), (60, 2.000), (120, 1.980),
    ])
    func table975(degreesOfFreedom: Int, expected: Double) {
        // Table values are rounded to 3 decimals: agree within half a unit of the last one.
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: degreesOfFreedom) - expected) <= 0.0005)
    }

    @Test("95% quantiles (one-sided 5%) match the printed table", arguments: [
        (1, 6.314), (2, 2.920), (5, 2.015), (10, 1.812), (30, 1.697),
    ])
    func table95(degreesOfFreedom: Int, expected: Double) {
        #expect(abs(StudentT.quantile(0.95, degreesOfFreedom: degreesOfFreedom) - expected) <= 0.0005)
    }

    @Test("closed forms: ν = 1 is Cauchy, tan(π(p − ½)); ν = 2 is (2p − 1)/√(2p(1 − p))")
    func closedForms() {
        for p in [0.6, 0.9, 0.975, 0.995, 0.9995] {
            let cauchy = tan(Double.pi * (p - 0.5))
            #expect(abs(StudentT.quantile(p, degreesOfFreedom: 1) - cauchy) <= 1e-9 * cauchy, "p \(p)")
            let two = (2 * p - 1) / (2 * p * (1 - p)).squareRoot()
            #expect(abs(StudentT.quantile(p, degreesOfFreedom: 2) - two) <= 1e-9 * two, "p \(p)")
        }
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 1) - 12.706204736174707) < 1e-8)
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 2) - 4.302652729749464) < 1e-9)
    }

    @Test("large ν approaches the normal quantile 1.959964")
    func normalLimit() {
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 100_000) - 1.959964) < 1e-4)
    }

    @Test("symmetry, the median, and the distribution function at known points")
    func distributionFunction() {
        #expect(StudentT.quantile(0.5, degreesOfFreedom: 4) == 0)
        #expect(StudentT.quantile(0.025, degreesOfFreedom: 7) == -StudentT.quantile(0.975, degreesOfFreedom: 7))
        #expect(StudentT.cumulativeProbability(0, degreesOfFreedom: 3) == 0.5)
        #expect(abs(StudentT.cumulativeProbability(1, degreesOfFreedom: 1) - 0.75) < 1e-14)      // Cauchy: ½ + atan(1)/π
        #expect(abs(StudentT.cumulativeProbability(-1, degreesOfFreedom: 1) - 0.25) < 1e-14)
        // ν = 2: F(t) = ½ + t / (2√(2 + t²)); at t = 1, ½ + 1/(2√3).
        #expect(abs(StudentT.cumulativeProbability(1, degreesOfFreedom: 2) - (0.5 + 1 / (2 * 3.0.squareRoot()))) < 1e-14)
        #expect(StudentT.cumulativeProbability(.infinity, degreesOfFreedom: 5) == 1)
        for nu in [1, 3, 8, 29] {
            let t = StudentT.quantile(0.975, degreesOfFreedom: nu)
            #expect(abs(StudentT.cumulativeProbability(t, degreesOfFreedom: nu) - 0.975) < 1e-13, "ν \(nu)")
        }
    }

    @Test("the incomplete beta function at closed-form points")
    func incompleteBeta() {
        // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b; I_½(a, a) = ½.
        #expect(abs(regularizedIncompleteBeta(x: 0.3, a: 1, b: 1) - 0.3) < 1e-15)
        #expect(abs(regularizedIncompleteBeta(x: 0.7, a: 2.5, b: 1) - pow(0.7, 2.5)) < 1e-14)
        #expect(abs(regularizedIncompleteBeta(x: 0.2, a: 1, b: 3.5) - (1 - pow(0.8, 3.5))) < 1e-14)
        #expect(abs(regularizedIncompleteBeta(x: 0.5, a: 4.5, b: 4.5) - 0.5) < 1e-14)
        #expect(regularizedIncompleteBeta(x: 0, a: 2, b: 3) == 0 && regularizedIncompleteBeta(x: 1, a: 2, b: 3) == 1)
    }
}
