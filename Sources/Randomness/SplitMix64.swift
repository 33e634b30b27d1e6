// A small seeded random number generator for reproducible sampling, data order and initialisation,
// in a module of its own so that the data layer and training need not import the kernels for it.

/// A seeded 64-bit pseudo-random number generator: Sebastiano Vigna's SplitMix64.
///
/// The sequence depends only on the seed and is the same on every machine and every run (pure
/// 64-bit integer arithmetic, no platform state), so a seeded selection or data order is
/// reproducible. The first output for seed 0 is `0xE220A8397B1DCDAF`, as in Vigna's reference
/// `splitmix64.c`. Not cryptographically secure.
///
/// Reference: Steele, Lea, Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014; Vigna, https://prng.di.unimi.it/splitmix64.c
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The internal 64-bit state; advanced by the golden-ratio increment on every draw.
    public var state: UInt64

    /// Creates a generator whose sequence is fixed by `seed` (any value, including 0).
    public init(seed: UInt64) {
        state = seed
    }

    /// Returns the next 64 pseudo-random bits and advances the state.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }
}

// MARK: - Bounded draws

extension RandomNumberGenerator {
    /// Returns a uniform integer in `0..<bound` drawn from this generator.
    ///
    /// Lemire's multiply-and-reject method, written out here rather than taken from
    /// `Int.random(in:using:)` so that the mapping from generator output to index is fixed by
    /// this code and not by the standard library version.
    /// Reference: Lemire, "Fast random integer generation in an interval", ACM TOMACS 2019.
    /// - Precondition: `bound > 0`.
    @inlinable
    public mutating func uniformIndex(below bound: Int) -> Int {
        precondition(bound > 0, "uniformIndex: bound must be positive, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            // Reject the few low products that would bias the result (threshold = 2⁶⁴ mod range).
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }
}
