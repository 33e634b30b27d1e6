// The sentence a comparison report gives for one pair of strategies on one metric, worded from
// the paired interval alone.

extension PairedDifference {
    /// Words the verdict on `first` − `second` for `metric`, e.g.
    /// "`ohem` is worse than `random` by 0.070 AP50, 95% CI [0.050, 0.090], 8 seeds".
    ///
    /// The four branches: the interval above 0 ("better"/"slower" by the mean, with the
    /// interval), below 0 ("worse"/"faster" by the mean's magnitude, the interval of
    /// `second` − `first`), including 0 ("no resolvable difference", with the signed difference
    /// and its interval), and one seed ("one seed: no interval", with the single difference).
    /// - Parameters:
    ///   - first: the name of a (the minuend), e.g. `random`.
    ///   - second: the name of b.
    ///   - metric: names the unit and the comparatives.
    ///   - digits: decimals of every number (3).
    public func sentence(first: String, second: String, metric: ComparisonMetric, digits: Int = 3) -> String {
        let percent = confidence * 100
        let level = "\(format(percent, abs(percent - percent.rounded()) < 1e-9 ? 0 : 1))% CI"
        let seeds = "\(count) seed\(count == 1 ? "" : "s")"
        let signed = "`\(first)` − `\(second)` = \(String(format: "%+.*f", digits, mean)) \(metric.label)"
        func range(_ i: ConfidenceInterval) -> String { "[\(format(i.lower, digits)), \(format(i.upper, digits))]" }
        guard let interval else {
            return "`\(first)` vs `\(second)`: one seed: no interval, no verdict (\(signed))"
        }
        switch verdict {
        case .firstHigher:
            return "`\(first)` is \(metric.comparatives.higher) than `\(second)` by \(format(mean, digits)) \(metric.label), "
                + "\(level) \(range(interval)), \(seeds)"
        case .firstLower:
            return "`\(first)` is \(metric.comparatives.lower) than `\(second)` by \(format(-mean, digits)) \(metric.label), "
                + "\(level) \(range(interval.negated)), \(seeds)"
        case .unresolved, .singleSeed:
            return "no resolvable difference between `\(first)` and `\(second)` (\(signed), \(level) \(range(interval)) includes 0, \(seeds))"
        }
    }
}
