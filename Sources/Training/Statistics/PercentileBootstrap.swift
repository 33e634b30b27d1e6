// Legend: n items (test images), B resamples.
//
// The percentile bootstrap over a run's test images: how much a metric would move had other
// images of the same kind been in the test set.
import Kernels

/// A seeded percentile bootstrap over n items drawn with replacement.
///
/// Each of B resamples draws n item indices uniformly with replacement and passes the statistic
/// the resulting multiplicities ([n], summing to n); the interval is the percentile interval of
/// the B values: the ⌊B·α/2⌋-th and ⌈B·(1 − α/2)⌉-th smallest (the 25th and 975th of 1,000 at
/// 95%), α = 1 − confidence. The same seed gives the same resamples, so the same data give the
/// same interval, and two statistics bootstrapped with one seed see the same resamples (which is
/// what a paired bootstrap needs).
/// Reference: Efron & Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall 1993,
/// ch. 6 (bootstrap sampling) and §13.3 (the percentile interval).
public struct PercentileBootstrap: Sendable, Equatable {
    /// B, the number of resamples (1,000 by default; Efron & Tibshirani §19.3 suggest at least
    /// 1,000 for percentile intervals).
    public var resamples: Int
    /// The confidence level, in (0, 1) (0.95 by default).
    public var confidence: Double
    /// The seed of the resampling stream (`SplitMix64`, `Kernels.uniformIndex`).
    public var seed: UInt64

    /// Creates a bootstrap.
    /// - Precondition: resamples ≥ 1; 0 < confidence < 1.
    public init(resamples: Int = 1000, confidence: Double = 0.95, seed: UInt64 = 0) {
        precondition(resamples >= 1, "PercentileBootstrap: resamples \(resamples) < 1")
        precondition(confidence > 0 && confidence < 1, "PercentileBootstrap: confidence \(confidence) outside (0, 1)")
        self.resamples = resamples
        self.confidence = confidence
        self.seed = seed
    }

    /// Returns the percentile interval of `statistic` over B resamples of `count` items.
    /// - Parameters:
    ///   - count: n, the number of items (e.g. test images); 0 gives nil.
    ///   - statistic: the statistic of a resample, given its [n] multiplicities; nil when it is
    ///     undefined for that resample (e.g. no ground truth drawn), and then the resample is
    ///     left out.
    /// - Returns: the interval, or nil when n = 0 or the statistic was undefined on every resample.
    public func interval(count: Int, statistic: ([Int]) -> Double?) -> ConfidenceInterval? {
        guard count > 0 else { return nil }
        var generator = SplitMix64(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var multiplicities = [Int](repeating: 0, count: count)
        for _ in 0..<resamples {
            for i in 0..<count { multiplicities[i] = 0 }
            for _ in 0..<count { multiplicities[Kernels.uniformIndex(below: count, using: &generator)] += 1 }
            if let value = statistic(multiplicities) { values.append(value) }
        }
        return Self.percentileInterval(values, confidence: confidence)
    }

    /// The percentile interval of bootstrap values: the ⌊B·α/2⌋-th and ⌈B·(1 − α/2)⌉-th
    /// smallest (1-based, clamped to 1...B), or nil for no values.
    static func percentileInterval(_ values: [Double], confidence: Double) -> ConfidenceInterval? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let b = Double(sorted.count), alpha = 1 - confidence
        // The 1e-9 guards keep B·α/2 = 25.000000000000004 from becoming the 26th value.
        let lowerRank = min(max(Int((b * alpha / 2 + 1e-9).rounded(.down)), 1), sorted.count)
        let upperRank = min(max(Int((b * (1 - alpha / 2) - 1e-9).rounded(.up)), 1), sorted.count)
        return ConfidenceInterval(lower: sorted[lowerRank - 1], upper: sorted[upperRank - 1])
    }
}
