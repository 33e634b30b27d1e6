import TestSupport
import Testing
@testable import Training

@Suite("Paired differences over seeds")
struct PairedDifferenceTests {
    @Test("five seeds by hand: d = 0.01…0.05, mean 0.03, s_d √2.5·0.01, t_{0.975,4} = 2.776, CI [0.0104, 0.0496]")
    func fiveSeeds() throws {
        let a = [0.21, 0.32, 0.43, 0.54, 0.65], b = [0.20, 0.30, 0.40, 0.50, 0.60]
        let paired = PairedDifference(a, b)
        expectClose(paired.differences, [0.01, 0.02, 0.03, 0.04, 0.05], relativeTolerance: 1e-12)
        #expect(paired.count == 5)
        #expect(abs(paired.mean - 0.03) < 1e-15)
        // Σ(d − d̄)² = (4 + 1 + 0 + 1 + 4)·1e-4 = 1e-3; / (n − 1) = 2.5e-4; √ = 0.0158114.
        #expect(abs(try #require(paired.standardDeviation) - 2.5e-4.squareRoot()) < 1e-15)
        #expect(abs(try #require(paired.tQuantile) - 2.7764451051977987) < 1e-9)
        // s_d/√n = √(2.5e-4 / 5) = √5e-5 = 0.00707107; × 2.776445 = 0.0196323.
        let half = 2.7764451051977987 * 5e-5.squareRoot()
        #expect(abs(try #require(paired.smallestResolvableDifference) - half) < 1e-12)
        let interval = try #require(paired.interval)
        #expect(abs(interval.lower - (0.03 - half)) < 1e-12 && abs(interval.upper - (0.03 + half)) < 1e-12)
        #expect(abs(interval.lower - 0.01036757) < 1e-8 && abs(interval.upper - 0.04963243) < 1e-8)
        #expect(paired.verdict == .firstHigher)
        // The other way round: the same numbers, negated.
        let reversed = PairedDifference(b, a)
        #expect(abs(reversed.mean + 0.03) < 1e-15 && reversed.verdict == .firstLower)
        #expect(abs(try #require(reversed.interval).upper + (0.03 - half)) < 1e-12)
    }

    @Test("two seeds by hand: d = 0.1, 0.3 → t_{0.975,1} = 12.706, CI [−1.071, 1.471] includes 0")
    func twoSeeds() throws {
        let paired = PairedDifference([0.4, 0.5], [0.3, 0.2])
        #expect(abs(paired.mean - 0.2) < 1e-15)
        #expect(abs(try #require(paired.standardDeviation) - 0.02.squareRoot()) < 1e-15)   // √((0.01 + 0.01) / 1)
        let interval = try #require(paired.interval)                                       // 0.2 ± 12.7062·0.1
        #expect(abs(interval.lower - (0.2 - 1.2706204736174707)) < 1e-9)
        #expect(abs(interval.upper - (0.2 + 1.2706204736174707)) < 1e-9)
        #expect(paired.verdict == .unresolved)
    }

    @Test("one seed: no standard deviation, no interval, no verdict")
    func oneSeed() {
        let paired = PairedDifference([0.2], [0.1])
        #expect(abs(paired.mean - 0.1) < 1e-15)
        #expect(paired.standardDeviation == nil && paired.tQuantile == nil && paired.interval == nil)
        #expect(paired.smallestResolvableDifference == nil)
        #expect(paired.verdict == .singleSeed)
    }

    @Test("identical differences give a zero-width interval; all zero is unresolved")
    func zeroSpread() throws {
        let same = PairedDifference([0.3, 0.4, 0.5], [0.2, 0.3, 0.4])
        let interval = try #require(same.interval)
        #expect(abs(interval.lower - 0.1) < 1e-12 && abs(interval.upper - 0.1) < 1e-12 && same.verdict == .firstHigher)
        #expect(PairedDifference([0.1, 0.1], [0.1, 0.1]).verdict == .unresolved)
    }
}
