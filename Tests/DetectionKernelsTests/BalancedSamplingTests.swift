// Random balanced sampling: exact counts, membership, reproducibility, a naive twin drawing the
// same ranks with an index array and a Set, and a frequency check of uniformity.
import DetectionKernels
import Kernels
import Randomness
import TestSupport
import Testing

/// The naive twin: materialise the index lists, Floyd's algorithm with a Set, sort, map.
func naiveBalancedSample(_ labels: [Int32], batch: Int, fraction: Double,
                         using generator: inout SplitMix64) -> (positives: [Int], negatives: [Int]) {
    let positives = labels.indices.filter { labels[$0] >= 1 }, negatives = labels.indices.filter { labels[$0] == 0 }
    let wantPositives = min(Int(Double(batch) * fraction), positives.count)
    let wantNegatives = min(batch - wantPositives, negatives.count)
    func floyd(_ k: Int, _ n: Int) -> [Int] {
        var chosen = Set<Int>()
        for j in (n - k)..<n {
            let t = generator.uniformIndex(below: j + 1)
            chosen.insert(chosen.contains(t) ? j : t)
        }
        return chosen.sorted()
    }
    let positiveRanks = wantPositives > 0 ? floyd(wantPositives, positives.count) : []
    let negativeRanks = wantNegatives > 0 ? floyd(wantNegatives, negatives.count) : []
    return (positiveRanks.map { positives[$0] }, negativeRanks.map { negatives[$0] })
}

/// Calls `balancedRandomSample` on arrays.
func runBalanced(_ labels: [Int32], batch: Int, fraction: Double, using generator: inout SplitMix64) -> (positives: [Int], negatives: [Int]) {
    let a = Arena(); defer { a.free() }
    let positives = a.output([Int](repeating: -1, count: batch)), negatives = a.output([Int](repeating: -1, count: batch))
    let counts = Kernels.balancedRandomSample(positives: positives, negatives: negatives, labels: a.copy(labels),
                                              batchSize: batch, positiveFraction: fraction, using: &generator)
    return (Array(positives[0..<counts.positiveCount]), Array(negatives[0..<counts.negativeCount]))
}

@Suite("Random balanced sampling (BalancedPositiveNegativeSampler)")
struct BalancedSamplingTests {
    @Test("the K5 workload: 128 positives and 128 negatives of 120,000, sorted, distinct, never ignored")
    func k5Workload() {
        let labels = seededLabels(120_000, positive: 0.01, ignored: 0.05, seed: 70)
        var generator = SplitMix64(seed: 1)
        let (positives, negatives) = runBalanced(labels, batch: 256, fraction: 0.5, using: &generator)
        #expect(positives.count == 128 && negatives.count == 128)
        #expect(positives.allSatisfy { labels[$0] == 1 } && negatives.allSatisfy { labels[$0] == 0 })
        #expect(positives == positives.sorted() && Set(positives).count == 128)
        #expect(negatives == negatives.sorted() && Set(negatives).count == 128)
    }

    @Test("equals the naive twin draw for draw",
          arguments: [(n: 10_000, batch: 256, fraction: 0.5), (10_000, 512, 0.25), (1_000, 1_000, 0.5), (300, 64, 1.0), (5, 256, 0.5)])
    func matchesNaiveTwin(n: Int, batch: Int, fraction: Double) {
        let labels = seededLabels(n, positive: 0.08, ignored: 0.1, seed: UInt64(n + batch))
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        let fast = runBalanced(labels, batch: batch, fraction: fraction, using: &a)
        let naive = naiveBalancedSample(labels, batch: batch, fraction: fraction, using: &b)
        #expect(fast.positives == naive.positives && fast.negatives == naive.negatives)
        #expect(a.state == b.state, "both consumed the same number of draws")
    }

    @Test("counts follow torchvision: positives capped at what exists, the rest filled with negatives")
    func counts() {
        // 10 positives, 1,000 negatives, 90 ignored.
        let labels: [Int32] = (0..<1_100).map { $0 % 110 == 0 ? 1 : ($0 % 110 < 10 ? -1 : 0) }
        var generator = SplitMix64(seed: 3)
        let few = runBalanced(labels, batch: 256, fraction: 0.5, using: &generator)
        #expect(few.positives.count == 10 && few.negatives.count == 246)
        let allNegatives = runBalanced(labels.map { $0 == 1 ? 0 : $0 }, batch: 256, fraction: 0.5, using: &generator)
        #expect(allNegatives.positives.isEmpty && allNegatives.negatives.count == 256)
        let fractionZero = runBalanced(labels, batch: 20, fraction: 0, using: &generator)
        #expect(fractionZero.positives.isEmpty && fractionZero.negatives.count == 20)
    }

    @Test("empty input, all ignored, batch 0 and tiny pools")
    func degenerate() {
        var generator = SplitMix64(seed: 4)
        let empty = runBalanced([], batch: 256, fraction: 0.5, using: &generator)
        #expect(empty.positives.isEmpty && empty.negatives.isEmpty)
        let ignored = runBalanced([Int32](repeating: -1, count: 500), batch: 256, fraction: 0.5, using: &generator)
        #expect(ignored.positives.isEmpty && ignored.negatives.isEmpty)
        let none = runBalanced([1, 0, 0], batch: 0, fraction: 0.5, using: &generator)
        #expect(none.positives.isEmpty && none.negatives.isEmpty)
        let tiny = runBalanced([0, 1, -1, 0], batch: 256, fraction: 0.5, using: &generator)
        #expect(tiny.positives == [1] && tiny.negatives == [0, 3])
    }

    @Test("identical seeds give identical samples; different seeds differ")
    func reproducible() {
        let labels = seededLabels(50_000, positive: 0.02, ignored: 0.1, seed: 71)
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42), c = SplitMix64(seed: 43)
        let first = runBalanced(labels, batch: 256, fraction: 0.5, using: &a)
        let second = runBalanced(labels, batch: 256, fraction: 0.5, using: &b)
        let other = runBalanced(labels, batch: 256, fraction: 0.5, using: &c)
        #expect(first.positives == second.positives && first.negatives == second.negatives)
        #expect(first.negatives != other.negatives)
    }

    @Test("every negative is chosen about equally often")
    func uniformity() {
        // 2 of 20 negatives per draw, 5,000 draws: 500 expected each, standard deviation ≈ 21.
        let labels = [Int32](repeating: 0, count: 20)
        var generator = SplitMix64(seed: 5)
        var counts = [Int](repeating: 0, count: 20)
        for _ in 0..<5_000 {
            for i in runBalanced(labels, batch: 2, fraction: 0.5, using: &generator).negatives { counts[i] += 1 }
        }
        #expect(counts.allSatisfy { (400...600).contains($0) }, "\(counts)")
    }
}
