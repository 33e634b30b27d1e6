import Detection
import Kernels
import Randomness
import TensorCore
import Testing

@Suite("OHEMStrategy")
struct OHEMStrategyTests {
    @Test("RPN: exactly the 256 highest-loss non-ignored anchors, ties by index (vs a full sort)", arguments: [1, 2, 3] as [UInt64])
    func rpnTopLoss(seed: UInt64) {
        let set = CandidateSet(count: 4_000, positives: 60, ignored: 300, seed: seed)
        var sampler = OHEMStrategy(head: .rpn)
        var g = SplitMix64(seed: 0)
        let result = sampler.sample(set.input(), using: &g)
        expectValidSelection(result, labels: set.labels)
        let expected = rankedByLoss(set.losses) { set.labels[$0] >= 0 }.prefix(256)
        #expect(sorted(result.positives + result.negatives) == sorted(expected))
        #expect(result.positives == sorted(expected.filter { set.labels[$0] > 0 }))
        #expect(result.selectedCount == 256)
        // The selection is the hardest: its mean loss is at least the mean over all candidates.
        #expect(result.statistics.meanSelectedLoss! >= result.statistics.meanCandidateLoss!)
    }

    @Test("ties in loss are broken by the lower index")
    func tiesByIndex() {
        let labels: [Int32] = [0, 0, 1, -1, 0, 0]
        let losses: [Float] = [1, 2, 2, 9, 2, 0.5]
        let input = SamplingInput(image: SamplingImage(id: 0, width: 10, height: 10), labels: labels,
                                  boxes: .zeros([6, 4]), losses: losses)
        var sampler = OHEMStrategy(head: .rpn, batchSize: 2)
        var g = SplitMix64(seed: 0)
        let result = sampler.sample(input, using: &g)
        #expect(result.positives == [2])
        #expect(result.negatives == [1])
    }

    @Test("RoI head: NMS 0.7 over RoIs ranked by loss drops a near-duplicate (hand-computed)")
    func roiNMS() {
        // RoI 1 overlaps RoI 0 with IoU 100/110 = 0.91 > 0.7; RoI 3 is ignored despite its loss.
        let boxes: [Float] = [0, 0, 10, 10, 0, 0, 10, 11, 20, 20, 30, 30, 40, 40, 50, 50, 60, 60, 70, 70]
        let labels: [Int32] = [2, 0, 0, -1, 0]
        let losses: [Float] = [5, 4, 3, 9, 1]
        let input = SamplingInput(image: SamplingImage(id: 0, width: 100, height: 100), labels: labels, boxes: boxTensor(boxes), losses: losses)
        var sampler = OHEMStrategy(head: .roi, batchSize: 2)
        #expect(sampler.nmsThreshold == 0.7)
        var g = SplitMix64(seed: 0)
        let result = sampler.sample(input, using: &g)
        #expect(result.positives == [0] && result.negatives == [2])

        sampler.nmsThreshold = nil
        let plain = sampler.sample(input, using: &g)
        #expect(plain.positives == [0] && plain.negatives == [1])
    }

    @Test("RPN with ohem(rpn.nmsThreshold=0.7): neighbouring anchors on one crown are not all taken (hand-computed)")
    func rpnNMSOverAnchors() throws {
        // 64-px anchors one stride (8 px) apart overlap at IoU 56·64 / (2·64² − 56·64) = 3584/4608
        // = 0.778 > 0.7; two strides apart at 48·64 / (8192 − 3072) = 0.6 ≤ 0.7. Anchor 3 is elsewhere.
        let boxes: [Float] = [0, 0, 64, 64, 8, 0, 72, 64, 16, 0, 80, 64, 200, 200, 232, 232]
        let labels: [Int32] = [0, 0, 0, 0]
        let losses: [Float] = [5, 4, 3.5, 3]
        let input = SamplingInput(image: SamplingImage(id: 0, width: 256, height: 256), labels: labels,
                                  boxes: boxTensor(boxes), losses: losses)
        let configuration = try StrategyVariant(parsing: "ohem(rpn.nmsThreshold=0.7, rpn.budget=3)").configuration
        var sampler = try #require(configuration.makeStrategy(for: .rpn) as? OHEMStrategy)
        #expect(sampler.nmsThreshold == 0.7 && sampler.batchSize == 3)
        var g = SplitMix64(seed: 0)
        #expect(sampler.sample(input, using: &g).negatives == [0, 2, 3])
        // The default at an anchor head: no NMS, the three hardest, two of them neighbours of the first.
        var plain = try #require(StrategyVariant(parsing: "ohem(rpn.budget=3)").configuration.makeStrategy(for: .rpn) as? OHEMStrategy)
        #expect(plain.nmsThreshold == nil)
        #expect(plain.sample(input, using: &g).negatives == [0, 1, 2])
    }

    @Test("RoI head: equals a naive greedy NMS by loss on random RoIs")
    func roiMatchesNaiveNMS() {
        let set = CandidateSet(count: 600, positives: 40, ignored: 30, seed: 9, backgroundThreshold: 0.5)
        var sampler = OHEMStrategy(head: .roi)
        var g = SplitMix64(seed: 0)
        let result = sampler.sample(set.input(), using: &g)
        expectValidSelection(result, labels: set.labels)
        var kept: [Int] = []
        for i in rankedByLoss(set.losses, where: { set.labels[$0] >= 0 }) where kept.count < 128 {
            if kept.allSatisfy({ iou(set.boxes, i, $0) <= 0.7 }) { kept.append(i) }
        }
        #expect(sorted(result.positives + result.negatives) == sorted(kept))
    }

    @Test("mmdetection variant: top Int(b·f) positives and top rest negatives, ranked separately")
    func mmdetectionVariant() {
        let set = CandidateSet(count: 3_000, positives: 300, ignored: 100, seed: 12)
        var sampler = OHEMStrategy(head: .rpn, variant: .mmdetection)
        var g = SplitMix64(seed: 0)
        let result = sampler.sample(set.input(), using: &g)
        expectValidSelection(result, labels: set.labels)
        #expect(result.positives == sorted(rankedByLoss(set.losses) { set.labels[$0] > 0 }.prefix(128)))
        #expect(result.negatives == sorted(rankedByLoss(set.losses) { set.labels[$0] == 0 }.prefix(128)))

        let few = CandidateSet(count: 3_000, positives: 20, seed: 13)
        let capped = sampler.sample(few.input(), using: &g)
        #expect(capped.positives.count == 20 && capped.negatives.count == 236)
    }

    /// IoU of boxes i and j of a flat [N, 4] array.
    func iou(_ boxes: [Float], _ i: Int, _ j: Int) -> Float {
        let a = Array(boxes[(4 * i)..<(4 * i + 4)]), b = Array(boxes[(4 * j)..<(4 * j + 4)])
        let w = max(0, min(a[2], b[2]) - max(a[0], b[0])), h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
        let inter = w * h
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)
    }
}
