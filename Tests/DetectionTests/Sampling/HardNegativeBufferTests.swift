import Detection
import Kernels
import Randomness
import TensorCore
import Testing

@Suite("HardNegativeBuffer")
struct HardNegativeBufferTests {
    func entry(_ image: Int, _ score: Float, step: Int = 0, anchor: Int = 0) -> HardNegative {
        HardNegative(imageID: image, location: .anchor(index: anchor), score: score, stepMined: step)
    }

    @Test("keeps the K highest scores whatever the insertion order", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func keepsTopK(seed: UInt64) {
        var scores = (0..<3_000).map { 0.5 + Float($0) / 6_000 }
        var g = SplitMix64(seed: seed)
        for i in stride(from: scores.count - 1, to: 0, by: -1) { scores.swapAt(i, g.uniformIndex(below: i + 1)) }
        var buffer = HardNegativeBuffer(capacity: 100)
        for (i, score) in scores.enumerated() { buffer.insert(entry(i % 65, score, anchor: i)) }
        #expect(buffer.count == 100)
        #expect(buffer.entries.map(\.score) == Array(scores.sorted(by: >).prefix(100)))
        #expect(buffer.lowestScore == scores.sorted(by: >)[99])
    }

    @Test("a full buffer evicts its lowest score and rejects anything not strictly higher")
    func evictsLowest() {
        var buffer = HardNegativeBuffer(capacity: 3)
        #expect(buffer.insert(entry(0, 0.6, anchor: 1)) == .inserted)
        #expect(buffer.insert(entry(1, 0.8, anchor: 2)) == .inserted)
        #expect(buffer.insert(entry(0, 0.7, anchor: 3)) == .inserted)
        #expect(buffer.insert(entry(2, 0.9, anchor: 4)) == .evicted(entry(0, 0.6, anchor: 1)))
        #expect(buffer.insert(entry(2, 0.65, anchor: 5)) == .rejected)
        #expect(buffer.insert(entry(2, 0.7, anchor: 6)) == .rejected)
        #expect(buffer.entries.map(\.score) == [0.9, 0.8, 0.7])
        // Equal lowest scores: the newer entry goes first (earlier insertions win ties).
        var ties = HardNegativeBuffer(capacity: 3)
        for (anchor, score) in [(1, 0.7), (2, 0.7), (3, 0.9)] as [(Int, Float)] { ties.insert(entry(0, score, anchor: anchor)) }
        #expect(ties.insert(entry(0, 0.8, anchor: 4)) == .evicted(entry(0, 0.7, anchor: 2)))
        #expect(ties.insert(entry(0, 0.8, anchor: 5)) == .evicted(entry(0, 0.7, anchor: 1)))
        #expect(ties.entries.map(\.location) == [.anchor(index: 3), .anchor(index: 4), .anchor(index: 5)])
        #expect(HardNegativeBuffer(capacity: 0).count == 0)
        var empty = HardNegativeBuffer(capacity: 0)
        #expect(empty.insert(entry(0, 1)) == .rejected)
    }

    @Test("a visit takes out exactly the image's entries, best first, and frees their room")
    func removeForImage() {
        var buffer = HardNegativeBuffer(capacity: 4)
        for (image, score) in [(0, 0.6), (1, 0.9), (0, 0.8), (1, 0.55)] as [(Int, Float)] { buffer.insert(entry(image, score)) }
        #expect(buffer.imageCount == 2)
        #expect(buffer.removeEntries(forImage: 0).map(\.score) == [0.8, 0.6])
        #expect(buffer.removeEntries(forImage: 0).isEmpty)
        #expect(buffer.count == 2 && buffer.imageCount == 1)
        #expect(buffer.insert(entry(2, 0.51)) == .inserted)
        #expect(buffer.insert(entry(2, 0.52)) == .inserted)
        #expect(buffer.insert(entry(3, 0.53)) == .evicted(entry(2, 0.51)))
        #expect(buffer.entries(forImage: 1).map(\.score) == [0.9, 0.55])
    }

    @Test("entries expire once their age reaches the lifetime")
    func expiry() {
        var buffer = HardNegativeBuffer(capacity: 10)
        for step in [0, 10, 20] { buffer.insert(entry(step, 0.9, step: step)) }
        #expect(buffer.removeExpired(lifetime: 15, currentStep: 24) == 1)
        #expect(buffer.removeExpired(lifetime: 15, currentStep: 25) == 1)
        #expect(buffer.entries.map(\.stepMined) == [20])
        #expect(buffer.removeExpired(lifetime: 15, currentStep: 34) == 0)
    }

    @Test("random inserts, visits and expiries agree with a naive array model (lazy deletion, compaction)")
    func matchesNaiveModel() {
        var buffer = HardNegativeBuffer(capacity: 50)
        var model: [(entry: HardNegative, sequence: Int)] = []
        var g = SplitMix64(seed: 77)
        var sequence = 0, step = 0
        for op in 0..<20_000 {
            let choice = g.uniformIndex(below: 100)
            if choice < 80 {
                // Scores on a coarse grid so that ties happen.
                let e = entry(g.uniformIndex(below: 20), 0.5 + Float(g.uniformIndex(below: 50)) / 100,
                              step: step, anchor: op)
                let outcome = buffer.insert(e)
                if model.count < 50 {
                    model.append((e, sequence)); #expect(outcome == .inserted)
                } else {
                    let lowest = model.indices.min { model[$0].entry.score < model[$1].entry.score || (model[$0].entry.score == model[$1].entry.score && model[$0].sequence > model[$1].sequence) }!
                    if e.score > model[lowest].entry.score {
                        #expect(outcome == .evicted(model[lowest].entry))
                        model.remove(at: lowest); model.append((e, sequence))
                    } else {
                        #expect(outcome == .rejected)
                    }
                }
                sequence += 1
            } else if choice < 95 {
                let image = g.uniformIndex(below: 20)
                let expected = model.filter { $0.entry.imageID == image }
                    .sorted { $0.entry.score > $1.entry.score || ($0.entry.score == $1.entry.score && $0.sequence < $1.sequence) }
                #expect(buffer.removeEntries(forImage: image) == expected.map(\.entry))
                model.removeAll { $0.entry.imageID == image }
            } else {
                step += 1
                let expired = model.filter { step - $0.entry.stepMined >= 30 }.count
                #expect(buffer.removeExpired(lifetime: 30, currentStep: step) == expired)
                model.removeAll { step - $0.entry.stepMined >= 30 }
            }
            #expect(buffer.count == model.count)
        }
        let expected = model.sorted { $0.entry.score > $1.entry.score || ($0.entry.score == $1.entry.score && $0.sequence < $1.sequence) }
        #expect(buffer.entries == expected.map(\.entry))
    }

    @Test("batch insertion equals one-by-one insertion, with net counters", arguments: [(40, 10), (40, 100), (500, 300), (100, 2_000)] as [(Int, Int)])
    func batchEqualsSequential(capacity: Int, batchSize: Int) {
        var g = SplitMix64(seed: UInt64(capacity * batchSize))
        var batched = HardNegativeBuffer(capacity: capacity), single = HardNegativeBuffer(capacity: capacity)
        var anchor = 0
        for step in 0..<6 {
            // Coarse scores, so that ties occur inside batches and against stored entries.
            let batch = (0..<batchSize).map { _ in
                anchor += 1
                return entry(g.uniformIndex(below: 7), 0.5 + Float(g.uniformIndex(below: 20)) / 40,
                             step: step, anchor: anchor)
            }
            let before = Set(batched.entries.map(\.location))
            let outcome = batched.insert(contentsOf: batch)
            for e in batch { single.insert(e) }
            #expect(batched.entries == single.entries)
            let after = Set(batched.entries.map(\.location)), offered = Set(batch.map(\.location))
            #expect(outcome.inserted == after.intersection(offered).count)
            #expect(outcome.inserted + outcome.rejected == batchSize)
            #expect(outcome.evicted == before.subtracting(after).count)
            if step == 3 { #expect(batched.removeEntries(forImage: 2) == single.removeEntries(forImage: 2)) }
        }
    }

    @Test("batch preselection keeps the K best, ties by batch order, when the batch exceeds the capacity")
    func batchTiesAndLargeBatch() {
        // Six entries with many equal scores into capacity 4: the best four by (score, order).
        let batch = [0.6, 0.9, 0.6, 0.7, 0.6, 0.9].enumerated().map { entry(0, Float($0.element), anchor: $0.offset) }
        var buffer = HardNegativeBuffer(capacity: 4)
        let outcome = buffer.insert(contentsOf: batch)
        #expect(outcome == HardNegativeBuffer.BatchInsertion(inserted: 4, evicted: 0, rejected: 2))
        #expect(buffer.entries.map(\.location) == [1, 5, 3, 0].map { HardNegativeLocation.anchor(index: $0) })
        // All scores equal: the earliest K.
        var flat = HardNegativeBuffer(capacity: 3)
        flat.insert(contentsOf: (0..<10).map { entry(0, 0.75, anchor: $0) })
        #expect(flat.entries.map(\.location) == [0, 1, 2].map { HardNegativeLocation.anchor(index: $0) })
    }
}
