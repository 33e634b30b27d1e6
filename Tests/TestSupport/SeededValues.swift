// Seeded test inputs.
import Randomness

/// Deterministic pseudo-random Floats in [lo, hi) from a seed (SplitMix64).
public func seededFloats(_ n: Int, _ lo: Float, _ hi: Float, seed: UInt64) -> [Float] {
    var generator = SplitMix64(seed: seed)
    return (0..<n).map { _ in lo + (hi - lo) * Float(generator.next() >> 40) / Float(1 << 24) }
}
