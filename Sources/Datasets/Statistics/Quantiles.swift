// Quantiles of a sample of numbers, for describing a dataset's box sizes.

/// The 0, 5, 25, 50, 75, 95 and 100% quantiles of a list of numbers, linearly interpolated
/// between order statistics (NumPy's default `linear` method: quantile q of n sorted values
/// x₀ ≤ … ≤ xₙ₋₁ is x at position q·(n − 1)).
public struct Quantiles: Sendable, Hashable {
    /// The fractions the ``values`` are taken at: 0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.
    public static let fractions: [Double] = [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1]
    /// The quantile at each of ``fractions``; empty for an empty sample.
    public var values: [Double]
    /// The arithmetic mean (nil for an empty sample).
    public var mean: Double?

    /// Computes the quantiles of `sample`.
    /// - Parameter sample: the numbers, any order; NaN is not expected.
    public init(_ sample: [Double]) {
        let sorted = sample.sorted()
        values = sorted.isEmpty ? [] : Self.fractions.map { Self.quantile(sorted, $0) }
        mean = sorted.isEmpty ? nil : sorted.reduce(0, +) / Double(sorted.count)
    }

    /// The median (nil for an empty sample).
    public var median: Double? { values.isEmpty ? nil : values[3] }

    /// Quantile `q` in [0, 1] of sorted, non-empty values, interpolated linearly.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }
}
