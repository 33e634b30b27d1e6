// The re-scoring visit of `hard-negative-buffer` (issue 14): rank mining, the per-image quota,
// dropping replays no longer hard, expiry across visits, global capacity, RoI duplicates.
//
// Every case is small enough to follow by hand: 8 anchors (or 4–5 proposals), candidate 0
// the only positive, batch 4 with positive fraction 0.25, so p = 1, the negative budget
// n_b = 3 and, with ρ = 1, at most 3 replays.
import Detection
import Randomness
import TensorCore
import Testing

@Suite("HardNegativeBufferStrategy re-scoring")
struct HardNegativeRescoringTests {
    static let labels: [Int32] = [1, 0, 0, 0, 0, 0, 0, 0]

    /// 8 anchors of image `imageID` at `step` (10 steps per epoch), with these probabilities.
    func anchors(_ probabilities: [Float], step: Int, imageID: Int = 1) -> SamplingInput {
        SamplingInput(image: SamplingImage(id: imageID, width: 64, height: 64),
                      progress: TrainingProgress(step: step, stepsPerEpoch: 10),
                      labels: Self.labels, boxes: .zeros([8, 4]), foregroundProbabilities: probabilities)
    }

    func strategy(head: DetectionHead = .rpn, capacity: Int? = nil, quota: Int = 2, mining: HardNegativeMining = .rank,
                  expiryEpochs: Int? = 1) -> HardNegativeBufferStrategy {
        HardNegativeBufferStrategy(head: head, batchSize: 4, positiveFraction: 0.25, capacity: capacity, replayFraction: 1,
                                   expiryEpochs: expiryEpochs, perImageQuota: quota, mining: mining, rescore: true,
                                   duplicateIoU: 0.9, separatePassDivisor: .batch)
    }

    /// The buffer's entries of image 1 as (anchor index, score, step), best first.
    func held(_ s: HardNegativeBufferStrategy, image: Int = 1) -> [(Int, Float, Int)] {
        s.buffer.entries(forImage: image).map { entry in
            guard case .anchor(let i) = entry.location else { return (-1, entry.score, entry.stepMined) }
            return (i, entry.score, entry.stepMined)
        }
    }

    func same(_ a: [(Int, Float, Int)], _ b: [(Int, Float, Int)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 && $0.2 == $1.2 }
    }

    @Test("rank mining keeps the top q background anchors; a replay no longer in the top q is dropped, a still-hard one keeps its age")
    func rankAndRescore() {
        var s = strategy()
        var g = SplitMix64(seed: 1)
        // Visit 1, step 0: background probabilities 1: 0.8, 2: 0.1, 3: 0.7, 4: 0.2, 5: 0.6,
        // 6: 0.05, 7: 0.3 → top 2 = {1, 3}; nothing to replay yet.
        let first = s.sample(anchors([0.9, 0.8, 0.1, 0.7, 0.2, 0.6, 0.05, 0.3], step: 0), using: &g)
        #expect(first.statistics.replays == 0 && first.statistics.insertions == 2)
        #expect(same(held(s), [(1, 0.8, 0), (3, 0.7, 0)]))
        // Visit 2, step 5: 1: 0.75, 5: 0.6, 7: 0.3, 3: 0.2 → top 2 = {1, 5}. Anchor 1 is still
        // hard: replayed, re-scored to 0.75, mined at step 0 still. Anchor 3 is not: dropped.
        // Anchor 5 is new (step 5).
        let second = s.sample(anchors([0.9, 0.75, 0.1, 0.2, 0.2, 0.6, 0.05, 0.3], step: 5), using: &g)
        #expect(second.statistics.replays == 1 && second.negatives.contains(1))
        #expect(second.statistics.drops == 1 && second.statistics.insertions == 1 && second.statistics.expirations == 0)
        #expect(same(held(s), [(1, 0.75, 0), (5, 0.6, 5)]))
        #expect(second.positives == [0] && second.negatives.count == 3)
    }

    @Test("expiry: with 1 epoch of 10 steps, anchor 1 mined at step 0 is replayed at step 9 and removed at step 10, then mined afresh")
    func expiryAcrossVisits() {
        var s = strategy()
        var g = SplitMix64(seed: 2)
        let probabilities: [Float] = [0.9, 0.75, 0.1, 0.2, 0.2, 0.6, 0.05, 0.3]
        _ = s.sample(anchors([0.9, 0.8, 0.1, 0.7, 0.2, 0.6, 0.05, 0.3], step: 0), using: &g)
        _ = s.sample(anchors(probabilities, step: 5), using: &g)  // holds 1 (step 0) and 5 (step 5)
        var early = s
        // Step 9: ages 9 and 4 < 10, nothing expires; both still top 2, both replayed.
        let atNine = early.sample(anchors(probabilities, step: 9), using: &g)
        #expect(atNine.statistics.expirations == 0 && atNine.statistics.replays == 2)
        // Step 10: anchor 1 is 10 steps old and expires before the visit; 5 (age 5) is replayed;
        // anchor 1, still in the top 2, comes back as a new entry mined at step 10.
        let atTen = s.sample(anchors(probabilities, step: 10), using: &g)
        #expect(atTen.statistics.expirations == 1 && atTen.statistics.replays == 1 && atTen.negatives.contains(5))
        #expect(same(held(s), [(1, 0.75, 10), (5, 0.6, 5)]))
    }

    @Test("the quota: an image keeps its q best of kept and new entries; the one pushed out counts as evicted")
    func quotaEviction() {
        var s = strategy(mining: .threshold, expiryEpochs: nil)
        var g = SplitMix64(seed: 3)
        // Visit 1: hard (background, p > 0.5) = 1: 0.8, 3: 0.7, 2: 0.6, 4: 0.55 → the quota of 2
        // keeps 1 and 3; 2 and 4 are rejected.
        let first = s.sample(anchors([0.9, 0.8, 0.6, 0.7, 0.55, 0.1, 0.1, 0.1], step: 0), using: &g)
        #expect(first.statistics.insertions == 2 && first.statistics.rejections == 2)
        #expect(same(held(s), [(1, 0.8, 0), (3, 0.7, 0)]))
        // Visit 2: hard = 2: 0.95, 3: 0.7, 1: 0.52. Both held entries are still hard (both
        // replayed); the best 2 of {3: 0.7, 1: 0.52, new 2: 0.95} are 2 and 3: anchor 1 is evicted.
        let second = s.sample(anchors([0.9, 0.52, 0.95, 0.7, 0.1, 0.1, 0.1, 0.1], step: 1), using: &g)
        #expect(second.statistics.replays == 2 && second.statistics.drops == 0)
        #expect(second.statistics.evictions == 1 && second.statistics.insertions == 1)
        #expect(same(held(s), [(2, 0.95, 1), (3, 0.7, 0)]))
    }

    @Test("a full buffer (capacity 3) evicts its lowest score over all images")
    func capacityFull() {
        var s = strategy(capacity: 3, expiryEpochs: nil)
        var g = SplitMix64(seed: 4)
        _ = s.sample(anchors([0.9, 0.8, 0.1, 0.7, 0.2, 0.1, 0.1, 0.1], step: 0, imageID: 1), using: &g)  // 1: 0.8, 3: 0.7
        // Image 2: top 2 = 2: 0.95, 4: 0.75. The first fills the third place; the second beats
        // the lowest score held, image 1's anchor 3 (0.7), and evicts it.
        let other = s.sample(anchors([0.9, 0.1, 0.95, 0.1, 0.75, 0.1, 0.1, 0.1], step: 1, imageID: 2), using: &g)
        #expect(other.statistics.insertions == 2 && other.statistics.evictions == 1 && other.statistics.bufferSize == 3)
        #expect(same(held(s, image: 1), [(1, 0.8, 0)]))
        #expect(same(held(s, image: 2), [(2, 0.95, 1), (4, 0.75, 1)]))
    }

    @Test("RoI head: a replayed box with IoU ≥ 0.9 with a current proposal is a duplicate: removed, its entry scored and replayed through that proposal")
    func duplicates() {
        var s = strategy(head: .roi, expiryEpochs: nil)
        var g = SplitMix64(seed: 5)
        let image = SamplingImage(id: 7, width: 128, height: 128)
        func input(_ boxes: [Float], _ probabilities: [Float], step: Int) -> SamplingInput {
            var labels = [Int32](repeating: 0, count: probabilities.count)
            labels[0] = 1
            return SamplingInput(image: image, progress: TrainingProgress(step: step, stepsPerEpoch: 10), labels: labels,
                                 boxes: Tensor(shape: [probabilities.count, 4], scalars: boxes), foregroundProbabilities: probabilities)
        }
        // Visit 1: no extras. Background 1: 0.9, 2: 0.8, 3: 0.1 → the top 2 boxes are stored.
        #expect(s.extraCandidates(for: image, progress: TrainingProgress(step: 0, stepsPerEpoch: 10)).shape == [0, 4])
        _ = s.sample(input([0, 0, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50, 60, 0, 70, 10], [0.9, 0.9, 0.8, 0.1], step: 0), using: &g)
        // Visit 2: the two stored boxes come back, best first, as candidates 3 and 4.
        let extras = s.extraCandidates(for: image, progress: TrainingProgress(step: 1, stepsPerEpoch: 10))
        #expect(extras.scalars == [20, 20, 30, 30, 40, 40, 50, 50])
        // Proposal 1 = (20, 20, 30, 31): IoU with extra 3 (20, 20, 30, 30) = 100 / 110 = 0.909 ≥ 0.9,
        // so extra 3 is a duplicate and its entry stands for proposal 1 (now 0.85). Top 2 of the
        // eligible background: 1: 0.85, 4: 0.7 (2: 0.2; 3 is out). Both entries are still hard:
        // replayed as candidates 1 and 4, kept at 0.85 and 0.7 with their step 0; nothing new.
        let second = s.sample(input([0, 0, 10, 10, 20, 20, 30, 31, 80, 80, 90, 90] + extras.scalars, [0.9, 0.85, 0.2, 0.88, 0.7], step: 1),
                              using: &g)
        #expect(second.statistics.duplicates == 1 && second.statistics.replays == 2 && second.statistics.insertions == 0)
        #expect(second.negatives.contains(1) && second.negatives.contains(4))
        let held = s.buffer.entries(forImage: 7)
        #expect(held.map(\.location) == [.box(SIMD4(20, 20, 30, 30)), .box(SIMD4(40, 40, 50, 50))])
        #expect(held.map(\.score) == [0.85, 0.7] && held.map(\.stepMined) == [0, 0])
    }

    @Test("rescore=false keeps the seed's visit: every entry taken out, none left after the visit but the new ones")
    func seedVisit() {
        var s = HardNegativeBufferStrategy(head: .rpn, batchSize: 4, positiveFraction: 0.25, replayFraction: 1, perImageQuota: 2,
                                           mining: .rank)
        var g = SplitMix64(seed: 6)
        _ = s.sample(anchors([0.9, 0.8, 0.1, 0.7, 0.2, 0.6, 0.05, 0.3], step: 0), using: &g)
        let second = s.sample(anchors([0.9, 0.75, 0.1, 0.2, 0.2, 0.6, 0.05, 0.3], step: 5), using: &g)
        // Both taken out and replayed (background); the new top 2 = {1, 5}, both at step 5.
        #expect(second.statistics.replays == 2 && second.statistics.drops == 0)
        #expect(same(held(s), [(1, 0.75, 5), (5, 0.6, 5)]))
    }
}
