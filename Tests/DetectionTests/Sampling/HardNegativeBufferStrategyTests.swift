import Datasets
import Detection
import Kernels
import Randomness
import TensorCore
import Testing

@Suite("HardNegativeBufferStrategy")
struct HardNegativeBufferStrategyTests {
    /// 10 × 20 locations × 3 anchors at stride 8: a 160 × 80 image, 600 anchors.
    static let layout = AnchorLayout(featureHeight: 10, featureWidth: 20, anchorsPerLocation: 3, strideHeight: 8, strideWidth: 8)

    /// 600 anchors: 10 positives, 5 ignored; `hard` background anchors with distinct
    /// foreground probabilities in (0.5, 1), the others 0.1.
    func anchors(hard: Int = 150, seed: UInt64 = 1, step: Int = 0, flip: Flip = .none, imageID: Int = 3) -> SamplingInput {
        let n = Self.layout.anchorCount
        var g = SplitMix64(seed: seed)
        var order = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, g.uniformIndex(below: i + 1)) }
        var labels = [Int32](repeating: 0, count: n), probabilities = [Float](repeating: 0.1, count: n)
        for i in order.prefix(10) { labels[i] = 1 }
        for i in order.dropFirst(10).prefix(5) { labels[i] = -1 }
        for (rank, i) in order.dropFirst(15).prefix(hard).enumerated() { probabilities[i] = 0.99 - Float(rank) * 0.003 }
        return SamplingInput(image: SamplingImage(id: imageID, width: 160, height: 80, flip: flip, anchorLayout: Self.layout),
                             progress: TrainingProgress(step: step, stepsPerEpoch: 10),
                             labels: labels, boxes: .zeros([n, 4]), foregroundProbabilities: probabilities)
    }

    /// Background anchors with probability > 0.5, best first.
    func hardNegatives(_ input: SamplingInput) -> [Int] {
        rankedByLoss(input.foregroundProbabilities!) { input.labels[$0] == 0 && input.foregroundProbabilities![$0] > 0.5 }
    }

    @Test("first visit equals random; it stores every hard negative")
    func firstVisit() {
        let input = anchors()
        var sampler = HardNegativeBufferStrategy(head: .rpn)
        var random = RandomStrategy(head: .rpn)
        var a = SplitMix64(seed: 5), b = SplitMix64(seed: 5)
        let result = sampler.sample(input, using: &a)
        let reference = random.sample(input, using: &b)
        #expect(result.positives == reference.positives && result.negatives == reference.negatives)
        #expect(result.statistics.insertions == 150 && result.statistics.bufferSize == 150)
        #expect(result.statistics.replays == 0)
        #expect(Set(sampler.buffer.entries.map(\.location)) == Set(hardNegatives(input).map { HardNegativeLocation.anchor(index: $0) }))
        #expect(sampler.buffer.entries.allSatisfy { $0.imageID == 3 && $0.stepMined == 0 })
    }

    @Test("a revisit replays the best stored negatives, at most half the negative budget")
    func replayFraction() {
        var sampler = HardNegativeBufferStrategy(head: .rpn)
        var g = SplitMix64(seed: 9)
        _ = sampler.sample(anchors(step: 0), using: &g)
        let second = anchors(step: 1)
        let result = sampler.sample(second, using: &g)
        expectValidSelection(result, labels: second.labels)
        // 10 positives → negative budget 246 → at most 123 replays, the 123 highest scores.
        #expect(result.positives.count == 10 && result.negatives.count == 246)
        #expect(result.statistics.replays == 123 && result.statistics.discards == 27)
        #expect(Set(hardNegatives(second).prefix(123)).isSubset(of: result.negatives))
        #expect(result.statistics.insertions == 150 && result.statistics.bufferSize == 150)
    }

    @Test("entries expire after expiryEpochs · stepsPerEpoch steps")
    func expiry() {
        var sampler = HardNegativeBufferStrategy(head: .rpn)
        var g = SplitMix64(seed: 1)
        _ = sampler.sample(anchors(step: 0, imageID: 1), using: &g)
        _ = sampler.sample(anchors(step: 19, imageID: 2), using: &g)
        let result = sampler.sample(anchors(step: 20, imageID: 1), using: &g)
        #expect(result.statistics.expirations == 150, "image 1's step-0 entries are 20 = 2 × 10 steps old")
        #expect(result.statistics.replays == 0)
        #expect(result.statistics.bufferSize == 300)
    }

    @Test("horizontal flip: entries are stored un-flipped and replayed at the mirrored anchors")
    func flips() {
        let layout = Self.layout
        var sampler = HardNegativeBufferStrategy(head: .rpn, replayFraction: 1)
        var g = SplitMix64(seed: 2)
        let flipped = anchors(step: 0, flip: .horizontalOnly)
        let first = sampler.sample(flipped, using: &g)
        let mirror = { (i: Int) in Flip.horizontalOnly.mirroredAnchorIndex(i, layout: layout, width: 160, height: 80) }
        let stored = hardNegatives(flipped).compactMap(mirror)
        let unmirrorable = hardNegatives(flipped).count - stored.count
        #expect(unmirrorable > 0, "the fixture should cover column 0, which has no mirror on a corner-aligned grid")
        #expect(first.statistics.insertions == stored.count && first.statistics.rejections == unmirrorable)
        #expect(Set(sampler.buffer.entries.map(\.location)) == Set(stored.map { HardNegativeLocation.anchor(index: $0) }))

        // Revisit un-flipped with a plain layout of labels: every stored anchor that is background now is replayed.
        var plain = anchors(step: 1)
        plain.foregroundProbabilities = [Float](repeating: 0.1, count: layout.anchorCount)
        let second = sampler.sample(plain, using: &g)
        let replayable = stored.filter { plain.labels[$0] == 0 }
        #expect(second.statistics.replays == replayable.count)
        #expect(Set(replayable).isSubset(of: second.negatives))
        #expect(second.statistics.insertions == 0 && second.statistics.bufferSize == 0)
    }

    @Test("a replayed anchor that is no longer background is discarded")
    func noLongerBackground() {
        var sampler = HardNegativeBufferStrategy(head: .rpn)
        var g = SplitMix64(seed: 3)
        let first = anchors(step: 0)
        _ = sampler.sample(first, using: &g)
        var second = anchors(step: 1)
        for i in hardNegatives(first) { second.labels[i] = -1 }
        let result = sampler.sample(second, using: &g)
        #expect(result.statistics.replays == 0 && result.statistics.discards == 150)
        expectValidSelection(result, labels: second.labels)
    }

    @Test("images with no negatives, or background only, work")
    func degenerateImages() {
        var sampler = HardNegativeBufferStrategy(head: .rpn)
        var g = SplitMix64(seed: 4)
        _ = sampler.sample(anchors(step: 0), using: &g)
        var noNegatives = anchors(step: 1)
        noNegatives.labels = noNegatives.labels.map { $0 == 0 ? -1 : $0 }
        let result = sampler.sample(noNegatives, using: &g)
        #expect(result.negatives.isEmpty && result.positives.count == 10)
        #expect(result.statistics.replays == 0 && result.statistics.discards == 150 && result.statistics.insertions == 0)

        var backgroundOnly = anchors(step: 2, imageID: 8)
        backgroundOnly.labels = [Int32](repeating: 0, count: backgroundOnly.labels.count)
        let background = sampler.sample(backgroundOnly, using: &g)
        #expect(background.positives.isEmpty && background.negatives.count == 256)
        #expect(background.statistics.insertions == 150)
    }

    @Test("per-image quota stores only the image's highest scores")
    func quota() {
        var sampler = HardNegativeBufferStrategy(head: .rpn, perImageQuota: 20)
        var g = SplitMix64(seed: 6)
        let input = anchors()
        let result = sampler.sample(input, using: &g)
        #expect(result.statistics.insertions == 20)
        #expect(sampler.buffer.entries.map(\.location) == hardNegatives(input).prefix(20).map { HardNegativeLocation.anchor(index: $0) })
    }

    @Test("separate-pass mode returns the replays apart from a full random batch")
    func separatePass() {
        var sampler = HardNegativeBufferStrategy(head: .rpn, replayMode: .separatePass)
        var g = SplitMix64(seed: 7)
        _ = sampler.sample(anchors(step: 0), using: &g)
        let second = anchors(step: 1)
        let result = sampler.sample(second, using: &g)
        expectValidSelection(result, labels: second.labels)
        #expect(result.separatePassNegatives == sorted(hardNegatives(second).prefix(123)))
        #expect(result.negatives.count == 246 && result.statistics.replays == 123)
    }

    @Test("identical seeds give identical selections and buffers over several visits")
    func reproducible() {
        var first = HardNegativeBufferStrategy(head: .rpn), second = HardNegativeBufferStrategy(head: .rpn)
        var a = SplitMix64(seed: 12), b = SplitMix64(seed: 12)
        for (step, flip) in [(0, Flip.horizontalOnly), (1, .none), (2, .both)] {
            let input = anchors(seed: UInt64(step + 1), step: step, flip: flip)
            #expect(first.sample(input, using: &a) == second.sample(input, using: &b))
        }
        #expect(first.buffer.entries == second.buffer.entries)
    }
}
