// Mean and spread of one strategy's metric over seeds (the summary table's "mean ± sd"; the
// verdicts compare strategies with `PairedDifference` instead).

/// The mean and sample standard deviation of one metric over seeds.
public struct SeedStatistics: Sendable, Equatable, Codable {
    /// The per-seed values, in seed order.
    public var values: [Double]

    /// Creates statistics over per-seed values.
    public init(_ values: [Double]) { self.values = values }

    /// The arithmetic mean (NaN when there are no values).
    public var mean: Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }

    /// The sample standard deviation (n − 1 denominator); 0 for a single seed.
    public var standardDeviation: Double {
        guard values.count > 1 else { return 0 }
        let m = mean
        return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
    }

    /// "0.135 ± 0.014" (or just the mean for one seed), with `digits` decimals.
    public func formatted(digits: Int = 3) -> String {
        let m = format(mean, digits)
        return values.count > 1 ? "\(m) ± \(format(standardDeviation, digits))" : m
    }
}

/// Formats a number with `digits` decimals, in positional notation at any magnitude
/// ("nan", "inf", "-inf" for non-finite values).
///
/// Why printf rather than `"\(value)"`: Swift's description switches to exponent notation
/// from 1e16 ("1e+20"), which padding to a fixed number of decimals turned into "1e+20.000".
func format(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    return String(format: "%.*f", max(digits, 0), value)
}
