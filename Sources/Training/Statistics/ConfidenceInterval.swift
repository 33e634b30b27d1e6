// A two-sided confidence interval, the form every interval of a comparison report takes.

/// A two-sided confidence interval [lower, upper] for one quantity, in that quantity's units
/// (e.g. AP50 in [0, 1], or an AP50 difference in [−1, 1]).
///
/// Encoded in JSON as the two-element array `[lower, upper]`.
public struct ConfidenceInterval: Sendable, Equatable, Codable {
    /// The lower bound.
    public var lower: Double
    /// The upper bound (≥ lower).
    public var upper: Double

    /// Creates an interval.
    /// - Precondition: lower ≤ upper (NaN bounds are allowed and make every test false).
    public init(lower: Double, upper: Double) {
        precondition(!(lower > upper), "ConfidenceInterval: lower \(lower) > upper \(upper)")
        self.lower = lower
        self.upper = upper
    }

    /// Half the width, (upper − lower) / 2.
    public var halfWidth: Double { (upper - lower) / 2 }

    /// Whether the interval lies entirely above 0 or entirely below it (0 itself excluded).
    public var excludesZero: Bool { lower > 0 || upper < 0 }

    /// The interval of the negated quantity, [−upper, −lower].
    public var negated: ConfidenceInterval { ConfidenceInterval(lower: -upper, upper: -lower) }

    /// Decodes `[lower, upper]`.
    /// - Throws: `DecodingError` when the value is not an array of two numbers in order.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        let lower = try container.decode(Double.self), upper = try container.decode(Double.self)
        guard container.isAtEnd, !(lower > upper) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a confidence interval is [lower, upper] with lower ≤ upper")
        }
        self.init(lower: lower, upper: upper)
    }

    /// Encodes `[lower, upper]`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(lower)
        try container.encode(upper)
    }
}
