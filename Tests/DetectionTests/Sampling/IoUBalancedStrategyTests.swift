import Detection
import Kernels
import Randomness
import TensorCore
import Testing

@Suite("IoUBalancedStrategy")
struct IoUBalancedStrategyTests {
    /// Labels and IoUs with `positives` foreground and `perBin[j]` background in bin j of
    /// [0, 0.3) (IoU at the bin's middle), interleaved.
    func candidates(positives: Int, perBin: [Int]) -> SamplingInput {
        var labels: [Int32] = [], iou: [Float] = []
        for _ in 0..<positives { labels.append(1); iou.append(0.8) }
        for (j, count) in perBin.enumerated() {
            for _ in 0..<count { labels.append(0); iou.append(0.05 + 0.1 * Float(j)) }
        }
        labels.append(-1); iou.append(0.5)
        var g = SplitMix64(seed: 99)
        for i in stride(from: labels.count - 1, to: 0, by: -1) {
            let j = g.uniformIndex(below: i + 1)
            labels.swapAt(i, j); iou.swapAt(i, j)
        }
        return SamplingInput(image: SamplingImage(id: 0, width: 400, height: 400), labels: labels,
                             boxes: .zeros([labels.count, 4]), maxIoU: iou)
    }

    func binCounts(_ result: SamplingResult, _ input: SamplingInput, _ sampler: IoUBalancedStrategy) -> [Int] {
        var counts = [0, 0, 0]
        for i in result.negatives { counts[sampler.bin(ofIoU: input.maxIoU![i])] += 1 }
        return counts
    }

    @Test("short bins are taken whole and the shortfall is filled from the others (exact counts)")
    func shortBins() {
        let input = candidates(positives: 20, perBin: [1_000, 50, 10])
        var sampler = IoUBalancedStrategy(head: .rpn)
        var g = SplitMix64(seed: 5)
        let result = sampler.sample(input, using: &g)
        expectValidSelection(result, labels: input.labels)
        #expect(result.positives.count == 20)
        // 236 negatives: ⌊236/3⌋ = 78 per bin; bins 1 and 2 give all they have (50, 10);
        // bin 0 gives 78 and the fill of 98 can only come from bin 0 → 176.
        #expect(binCounts(result, input, sampler) == [176, 50, 10])
    }

    @Test("full bins each give ⌊k/3⌋; the remainder comes from the fill")
    func evenBins() {
        let input = candidates(positives: 200, perBin: [400, 400, 400])
        var sampler = IoUBalancedStrategy(head: .rpn)
        var g = SplitMix64(seed: 6)
        let result = sampler.sample(input, using: &g)
        expectValidSelection(result, labels: input.labels)
        #expect(result.positives.count == 128 && result.negatives.count == 128)
        let counts = binCounts(result, input, sampler)
        #expect(counts.allSatisfy { $0 >= 42 } && counts.reduce(0, +) == 128)
    }

    @Test("bins split [0, t) in thirds; IoUs at or past t go to the last bin")
    func binning() {
        let rpn = IoUBalancedStrategy(head: .rpn), roi = IoUBalancedStrategy(head: .roi)
        #expect([0, 0.05, 0.15, 0.25, 0.3, 0.9].map { rpn.bin(ofIoU: $0) } == [0, 0, 1, 2, 2, 2])
        #expect([0.1, 0.2, 0.4, -0.1, Float.nan, .infinity].map { roi.bin(ofIoU: $0) } == [0, 1, 2, 0, 0, 2])
    }

    @Test("identical seeds give identical selections")
    func reproducible() {
        let input = candidates(positives: 30, perBin: [300, 100, 40])
        var sampler = IoUBalancedStrategy(head: .roi, backgroundThreshold: 0.3)
        var a = SplitMix64(seed: 8), b = SplitMix64(seed: 8)
        #expect(sampler.sample(input, using: &a) == sampler.sample(input, using: &b))
    }
}
