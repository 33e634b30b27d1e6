// The hard-negative buffer across data-parallel replicas: a step's visits split over two
// replicas, exchanged and replayed, leave both with the buffer one process builds; per-image
// random streams depend on their key alone.
import Detection
import Randomness
import TensorCore
import Testing

extension HardNegativeBufferStrategyTests {
    @Test("a shared step split over two replicas ends with the one-process buffer on both")
    func sharedStep() throws {
        var start = HardNegativeBufferStrategy(head: .rpn)
        var g = SplitMix64(seed: 4)
        _ = start.sample(anchors(hard: 120, seed: 1, step: 0, imageID: 1), using: &g)
        _ = start.sample(anchors(hard: 90, seed: 2, step: 0, imageID: 2), using: &g)
        let first = anchors(hard: 100, seed: 3, step: 1, imageID: 1), second = anchors(hard: 80, seed: 4, step: 1, imageID: 2)

        let (expected, results) = try Self.expectSharedStepEqualsOneProcess(start: start, first: first, second: second)
        #expect(results.map(\.positives) == expected.map(\.positives) && results.map(\.negatives) == expected.map(\.negatives))
        #expect(results.map(\.statistics.replays) == expected.map(\.statistics.replays) && expected[1].statistics.replays > 0)
    }

    /// Samples `first` and `second` in one process, then each on its own replica of `start` in a
    /// shared step (the same generators), exchanges the updates, and expects both replicas to end
    /// with the one process's buffer.
    /// - Returns: the one process's results and the replicas' results.
    static func expectSharedStepEqualsOneProcess(start: HardNegativeBufferStrategy, first: SamplingInput, second: SamplingInput) throws
        -> (expected: [SamplingResult], results: [SamplingResult]) {
        var single = start
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 8)
        let expected = [single.sample(first, using: &a), single.sample(second, using: &b)]
        var replicas = [start, start]
        for r in replicas.indices { replicas[r].beginSharedStep() }
        a = SplitMix64(seed: 7)
        b = SplitMix64(seed: 8)
        let results = [replicas[0].sample(first, using: &a), replicas[1].sample(second, using: &b)]
        let updates = replicas.map { $0.sharedStepUpdates() }
        for r in replicas.indices { try replicas[r].endSharedStep(applying: updates) }
        #expect(replicas[0].buffer.entriesInInsertionOrder == single.buffer.entriesInInsertionOrder)
        #expect(replicas[1].checkpointState == single.checkpointState)
        return (expected, results)
    }

    @Test("re-scoring visits (rank mining, quota 40, expiry 1 epoch): a shared step over two replicas ends with the one-process buffer")
    func sharedStepRescoring() throws {
        var start = HardNegativeBufferStrategy(head: .rpn, capacity: nil, expiryEpochs: 1, perImageQuota: 40, mining: .rank, rescore: true)
        var g = SplitMix64(seed: 4)
        _ = start.sample(anchors(hard: 120, seed: 1, step: 0, imageID: 1), using: &g)
        _ = start.sample(anchors(hard: 90, seed: 2, step: 3, imageID: 2), using: &g)
        // Step 10 (10 steps per epoch): image 1's 40 entries (step 0) expire and 40 are mined
        // afresh; image 2's (step 3, age 7) are re-scored in place, still its top 40, replayed.
        let first = anchors(hard: 100, seed: 1, step: 10, imageID: 1), second = anchors(hard: 80, seed: 2, step: 10, imageID: 2)
        let (expected, results) = try Self.expectSharedStepEqualsOneProcess(start: start, first: first, second: second)
        #expect(expected[0].statistics.expirations == 40 && expected[1].statistics.replays > 0)
        #expect(results.map(\.negatives) == expected.map(\.negatives) && results.map(\.statistics.replays) == expected.map(\.statistics.replays))
    }

    @Test("with evictions inside the step the replicas still agree with each other")
    func sharedStepWithEvictions() throws {
        var start = HardNegativeBufferStrategy(head: .rpn, capacity: 150)
        var g = SplitMix64(seed: 4)
        _ = start.sample(anchors(hard: 120, seed: 1, step: 0, imageID: 1), using: &g)
        var replicas = [start, start]
        for r in replicas.indices { replicas[r].beginSharedStep() }
        _ = replicas[0].sample(anchors(hard: 140, seed: 5, step: 1, imageID: 2), using: &g)
        _ = replicas[1].sample(anchors(hard: 110, seed: 6, step: 1, imageID: 1), using: &g)
        let updates = replicas.map { $0.sharedStepUpdates() }
        for r in replicas.indices { try replicas[r].endSharedStep(applying: updates) }
        #expect(replicas[0].checkpointState == replicas[1].checkpointState)
        #expect(replicas[0].buffer.count == 150)
        #expect(throws: StrategyStateError.self) {
            var broken = start
            broken.beginSharedStep()
            try broken.endSharedStep(applying: [Array("not json".utf8)])
        }
    }

    @Test("per-image streams depend on (seed, step, image) alone")
    func imageStreams() {
        let both = ImageRandomStreams(seed: 9, step: 3, firstImage: 0, count: 2)
        let second = ImageRandomStreams(seed: 9, step: 3, firstImage: 1, count: 1)
        both.select(image: 1)
        let fromBoth = (0..<4).map { _ in both.next() }
        #expect(fromBoth == (0..<4).map { _ in second.next() })
        var reference = ImageRandomStreams.stream(seed: 9, step: 3, image: 1)
        #expect(fromBoth == (0..<4).map { _ in reference.next() })
        var other = ImageRandomStreams.stream(seed: 9, step: 4, image: 1), image0 = ImageRandomStreams.stream(seed: 9, step: 3, image: 0)
        #expect(other.next() != fromBoth[0] && image0.next() != fromBoth[0])
    }
}
