import Testing
import Randomness
@testable import Datasets

private let box = AugmentationFixtures.box

@Suite("Repeat-factor sampling")
struct RepeatFactorSamplingTests {
    private func target(_ labels: [Int]) -> DetectionTarget {
        DetectionTarget(boxes: labels.map { _ in box(0, 0, 1, 1) }, labels: labels)
    }

    @Test("class rule: r_c = max(1, √(t / f_c)), an image takes its rarest class's factor")
    func classFactors() {
        // Class 1 is in 3 of 4 images (f = 0.75), class 2 in 1 (f = 0.25); t = 0.5.
        let targets = [target([1]), target([1, 1]), target([1, 2]), target([])]
        let factors = RepeatFactorSampling(classThreshold: 0.5).factors(for: targets)
        #expect(factors[0] == 1 && factors[1] == 1 && factors[3] == 1)
        #expect(abs(factors[2] - 2.0.squareRoot()) < 1e-12)
        // LVIS's t = 0.001 repeats nothing here: every class is in at least a quarter of the images.
        #expect(RepeatFactorSampling().factors(for: targets) == [1, 1, 1, 1])
        #expect(RepeatFactorSampling().factors(for: []) == [])
    }

    @Test("object-poor rule: max(1, √(t_o · n̄ / n_i)) over images with objects, 1 for empty images")
    func objectFactors() {
        // Counts 2, 6, 1, 0: n̄ = 3 over the three images with objects; t_o = 1.
        let targets = [target([1, 1]), target(Array(repeating: 1, count: 6)), target([1]), target([])]
        let factors = RepeatFactorSampling(classThreshold: 0, objectThreshold: 1).factors(for: targets)
        #expect(abs(factors[0] - 1.5.squareRoot()) < 1e-12)
        #expect(factors[1] == 1 && factors[3] == 1)
        #expect(abs(factors[2] - 3.0.squareRoot()) < 1e-12)
        // Both rules: the larger factor wins (class 2 in one image of four at t = 1 → 2).
        let mixed = [target([1, 1]), target([1, 2]), target([1]), target([1])]
        let both = RepeatFactorSampling(classThreshold: 1, objectThreshold: 1).factors(for: mixed)
        // Class 1 is everywhere (f = 1 → 1); class 2: √(1 / 0.25) = 2. n̄ = 1.5: image 2 gets √1.5.
        #expect(both[1] == 2 && both[0] == 1 && abs(both[2] - 1.5.squareRoot()) < 1e-12)
    }

    @Test("an epoch holds ⌊r⌋ copies plus one with probability r − ⌊r⌋, shuffled; seeded")
    func epochs() {
        var generator = SplitMix64(seed: 5)
        var totals = [0, 0, 0]
        for _ in 0..<2000 {
            let epoch = RepeatFactorSampling.epoch(factors: [1, 2.5, 3], using: &generator)
            let counts = (0..<3).map { i in epoch.filter { $0 == i }.count }
            #expect(counts[0] == 1 && (counts[1] == 2 || counts[1] == 3) && counts[2] == 3)
            for i in 0..<3 { totals[i] += counts[i] }
        }
        // 2,000 Bernoulli(0.5) draws: 1,000 ± 22 (1σ) extra copies.
        #expect(abs(totals[1] - 5000) < 100)
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        #expect(RepeatFactorSampling.epoch(factors: [1, 1.7, 1.2], using: &a) == RepeatFactorSampling.epoch(factors: [1, 1.7, 1.2], using: &b))
    }
}
