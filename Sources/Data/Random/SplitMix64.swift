/// A small seeded random number generator whose every draw is defined here, so a seed gives
/// the same tiles, flips and digit canvases on every machine and Swift version.
///
/// The generator is Steele, Lea and Flood's SplitMix64 ("Fast splittable pseudorandom number
/// generators", OOPSLA 2014). The derived draws (`int(below:)`, `unit()`, `shuffle`) are written
/// out rather than taken from the standard library, whose algorithms for `Int.random(in:using:)`
/// and `shuffle(using:)` are not promised to stay the same.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The internal state; advanced by the golden-ratio increment on every draw.
    public private(set) var state: UInt64

    /// Creates a generator from a seed (any value, 0 included).
    public init(seed: UInt64) {
        state = seed
    }

    /// Creates a generator for one stream of a seed, e.g. one canvas of one split, so streams
    /// can be generated in any order or in parallel and still give the same values.
    public init(seed: UInt64, stream: UInt64...) {
        // Each part is folded in through one SplitMix64 output, so nearby seeds and stream
        // numbers give unrelated states.
        func mix(_ value: UInt64) -> UInt64 {
            var generator = SplitMix64(seed: value)
            return generator.next()
        }
        var mixed = mix(seed)
        for part in stream { mixed = mix(mixed ^ part) }
        state = mixed
    }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Returns a uniform integer in `0..<bound` (Lemire's multiply-shift with rejection, unbiased).
    /// - Precondition: `bound > 0`.
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "SplitMix64.int(below:): bound \(bound) must be positive")
        let range = UInt64(bound)
        let threshold = (0 &- range) % range  // 2^64 mod range
        while true {
            let product = next().multipliedFullWidth(by: range)
            if product.low >= threshold { return Int(product.high) }
        }
    }

    /// Returns a uniform integer in a closed range.
    /// - Precondition: the range is non-empty (always true for `ClosedRange`) and spans < 2^63.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
    }

    /// Returns a uniform `Double` in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Returns a uniform `Double` in `[range.lowerBound, range.upperBound)`.
    public mutating func double(in range: Range<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// Returns `true` with probability `probability` (one draw of `unit()`).
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
