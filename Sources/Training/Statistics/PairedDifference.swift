// The paired comparison of two strategies on one metric: runs with the same seed share their
// initialisation and data order, so the per-seed differences are what varies.
import Foundation

/// The mean paired difference a − b of one metric over seeds, with its Student-t confidence
/// interval.
///
/// With dᵢ = aᵢ − bᵢ for the n seeds both strategies ran, mean d̄, sample standard deviation
/// s_d (n − 1 denominator) and t = t_{1−α/2, n−1}, the interval is d̄ ± t·s_d/√n. Its half-width
/// t·s_d/√n is the smallest difference these seeds can resolve: a true difference smaller than
/// it cannot be told from seed noise at this confidence. Pairing removes the variation the two
/// runs of a seed share (initialisation, data order), which the unpaired spread of each
/// strategy's runs still contains. The interval assumes the dᵢ are independent draws from a
/// roughly normal distribution; with few seeds that is an assumption, not a check.
/// One seed gives no interval (s_d is undefined) and no verdict.
/// Reference: the paired t-test, e.g. Wasserman, "All of Statistics", 2004, §10.5; Student 1908.
public struct PairedDifference: Sendable, Equatable {
    /// [n] the per-seed differences a − b, in seed order.
    public var differences: [Double]
    /// The confidence level, in (0, 1) (0.95).
    public var confidence: Double

    /// Pairs two metric series seed by seed.
    /// - Parameters:
    ///   - a: [n] the first strategy's values, in seed order.
    ///   - b: [n] the second strategy's values for the same seeds.
    ///   - confidence: the interval's level, in (0, 1).
    /// - Precondition: a and b have the same length n ≥ 1; 0 < confidence < 1.
    public init(_ a: [Double], _ b: [Double], confidence: Double = 0.95) {
        precondition(a.count == b.count && !a.isEmpty, "PairedDifference: \(a.count) against \(b.count) values")
        precondition(confidence > 0 && confidence < 1, "PairedDifference: confidence \(confidence) outside (0, 1)")
        differences = zip(a, b).map { $0 - $1 }
        self.confidence = confidence
    }

    /// n, the number of seed pairs.
    public var count: Int { differences.count }

    /// d̄, the mean difference.
    public var mean: Double { differences.reduce(0, +) / Double(count) }

    /// s_d, the sample standard deviation of the differences (n − 1 denominator); nil for one seed.
    public var standardDeviation: Double? {
        guard count > 1 else { return nil }
        let m = mean
        return (differences.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(count - 1)).squareRoot()
    }

    /// t_{1−α/2, n−1}, the Student-t multiplier (4.303 for 3 seeds at 95%); nil for one seed.
    public var tQuantile: Double? {
        count > 1 ? StudentT.quantile(1 - (1 - confidence) / 2, degreesOfFreedom: count - 1) : nil
    }

    /// t_{1−α/2, n−1} · s_d / √n, the interval's half-width: the smallest difference these seeds
    /// resolve; nil for one seed.
    public var smallestResolvableDifference: Double? {
        guard let t = tQuantile, let sd = standardDeviation else { return nil }
        return t * sd / Double(count).squareRoot()
    }

    /// d̄ ± t·s_d/√n; nil for one seed.
    public var interval: ConfidenceInterval? {
        guard let half = smallestResolvableDifference else { return nil }
        return ConfidenceInterval(lower: mean - half, upper: mean + half)
    }

    /// What the interval says about a − b.
    public var verdict: PairedVerdict {
        guard let interval else { return .singleSeed }
        if interval.lower > 0 { return .firstHigher }
        if interval.upper < 0 { return .firstLower }
        return .unresolved
    }
}

/// What a paired interval of a − b says.
public enum PairedVerdict: String, Sendable, Equatable, Codable {
    /// The interval lies above 0: a is higher than b.
    case firstHigher = "a_higher"
    /// The interval lies below 0: a is lower than b.
    case firstLower = "a_lower"
    /// The interval includes 0: no resolvable difference.
    case unresolved
    /// One seed: no interval, so no verdict.
    case singleSeed = "one_seed"
}
