import Randomness

// The draws the data pipeline takes from `SplitMix64` (the Randomness module), each defined here.

/// Seeded draws for tiles, flips and digit canvases, written out rather than taken from the
/// standard library (whose algorithms for `Int.random(in:using:)` and `shuffle(using:)` are
/// not promised to stay the same), so a seed gives the same data on every machine and version.
extension SplitMix64 {
    /// Creates a generator for one stream of a seed, e.g. one canvas of one split, so streams
    /// can be generated in any order and still give the same values.
    ///
    /// The seed and then each stream number are folded in through one SplitMix64 output
    /// (`state = first output of SplitMix64(seed: state ^ part)`), so nearby seeds and stream
    /// numbers give unrelated states.
    public init(seed: UInt64, stream: UInt64...) {
        func mix(_ value: UInt64) -> UInt64 {
            var generator = SplitMix64(seed: value)
            return generator.next()
        }
        var mixed = mix(seed)
        for part in stream { mixed = mix(mixed ^ part) }
        self.init(seed: mixed)
    }

    /// Returns a uniform integer in `0..<bound` (Lemire's multiply-and-reject, unbiased; the
    /// same mapping as `RandomNumberGenerator.uniformIndex(below:)` of the Randomness module).
    /// - Precondition: `bound > 0`.
    public mutating func int(below bound: Int) -> Int {
        self.uniformIndex(below: bound)
    }

    /// Returns a uniform integer in a closed range.
    /// - Precondition: the range spans fewer than 2^63 values.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
    }

    /// Returns a uniform `Double` in [0, 1) from the top 53 bits of one draw.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Returns a uniform `Double` in `[range.lowerBound, range.upperBound)` (one `unit()` draw).
    public mutating func double(in range: Range<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// Returns `true` with probability `probability` (one `unit()` draw).
    public mutating func bool(probability: Double) -> Bool {
        unit() < probability
    }

    /// Returns a random permutation of `0..<count` (Fisher–Yates, drawing `int(below: i + 1)`
    /// for i from count − 1 down to 1).
    /// - Precondition: `count ≥ 0`.
    public mutating func permutation(of count: Int) -> [Int] {
        precondition(count >= 0, "SplitMix64.permutation(of:): negative count \(count)")
        var values = Array(0..<count)
        var i = count - 1
        while i > 0 {
            values.swapAt(i, int(below: i + 1))
            i -= 1
        }
        return values
    }
}
