// A buffer restored from its encoded form behaves exactly like the original from then on.
import Detection
import Foundation
import Kernels
import Randomness
import TensorCore
import Testing

@Suite("HardNegativeBuffer checkpoint state")
struct HardNegativeBufferCodableTests {
    /// A buffer with history: ties, evictions, a visit and an expiry behind it.
    static func usedBuffer() -> HardNegativeBuffer {
        var buffer = HardNegativeBuffer(capacity: 6)
        let boxes: [SIMD4<Double>] = [SIMD4(1, 2, 30.25, 40), SIMD4(400 - 0.1, 3, 400 - 0.05, 9)]
        var step = 0
        for (i, score) in ([0.7, 0.7, 0.9, 0.6, 0.8, 0.7, 0.95, 0.7] as [Float]).enumerated() {
            if i % 3 == 2 { step += 1 }
            buffer.insert(HardNegative(imageID: i % 3, location: i % 2 == 0 ? .anchor(index: i) : .box(boxes[i % 4 / 2]),
                                       score: score, stepMined: step))
        }
        _ = buffer.removeEntries(forImage: 2)
        _ = buffer.removeExpired(lifetime: 2, currentStep: 2)
        return buffer
    }

    @Test("encode → decode keeps the entries, their insertion order and every later outcome")
    func roundTrip() throws {
        var original = Self.usedBuffer()
        var restored = try JSONDecoder().decode(HardNegativeBuffer.self, from: JSONEncoder().encode(original))
        #expect(restored.capacity == 6 && restored.count == original.count)
        #expect(restored.entriesInInsertionOrder == original.entriesInInsertionOrder)
        #expect(restored.entries == original.entries)
        // The same operations give the same outcomes: equal-score evictions depend on insertion order.
        for (i, score) in ([0.7, 0.75, 0.7, 0.99, 0.7] as [Float]).enumerated() {
            let entry = HardNegative(imageID: 5, location: .anchor(index: 100 + i), score: score, stepMined: 3)
            #expect(original.insert(entry) == restored.insert(entry))
        }
        #expect(original.removeEntries(forImage: 0) == restored.removeEntries(forImage: 0))
        #expect(original.removeExpired(lifetime: 2, currentStep: 4) == restored.removeExpired(lifetime: 2, currentStep: 4))
        #expect(original.entriesInInsertionOrder == restored.entriesInInsertionOrder)
    }

    @Test("the sampler's state restores into an equally configured sampler, and bad state is refused")
    func samplerState() throws {
        var sampler = HardNegativeBufferStrategy(head: .roi, capacity: 6)
        #expect(!sampler.checkpointState.isEmpty)
        var other = HardNegativeBufferStrategy(head: .roi, capacity: 6)
        try other.restoreCheckpointState(sampler.checkpointState)
        #expect(other.buffer.entries == sampler.buffer.entries)
        var g = SplitMix64(seed: 1)
        // Fill the buffer through `sample`: two background RoIs with foreground probability 0.9.
        let input = SamplingInput(image: SamplingImage(id: 3, width: 64, height: 64), labels: [0, 0, 1],
                                  boxes: boxTensor([0, 0, 8, 8, 10.5, 10, 20, 20, 30, 30, 40, 40]),
                                  foregroundProbabilities: [0.9, 0.95, 0.99])
        _ = sampler.sample(input, using: &g)
        #expect(sampler.buffer.count == 2)
        try other.restoreCheckpointState(sampler.checkpointState)
        #expect(other.buffer.entriesInInsertionOrder == sampler.buffer.entriesInInsertionOrder)
        // The replays handed out next are the same boxes.
        let image = SamplingImage(id: 3, width: 64, height: 64, flip: .horizontalOnly)
        let progress = TrainingProgress(step: 1, stepsPerEpoch: 1)
        #expect(other.extraCandidates(for: image, progress: progress) == sampler.extraCandidates(for: image, progress: progress))

        var smaller = HardNegativeBufferStrategy(head: .roi, capacity: 5)
        #expect(throws: StrategyStateError.self) { try smaller.restoreCheckpointState(other.checkpointState) }
        #expect(throws: StrategyStateError.self) { try smaller.restoreCheckpointState("{\"capacity\": 5}") }
        #expect(throws: StrategyStateError.self) { try smaller.restoreCheckpointState(#"{"capacity": -1, "entries": []}"#) }
        // A stateless strategy has no state to write or restore: it is not a stateful one.
        let random: any SamplingStrategy = RandomStrategy(head: .rpn)
        #expect(!(random is any StatefulSamplingStrategy))
    }
}
