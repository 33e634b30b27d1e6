// HardNegativeBuffer.revise: re-scoring in place keeps an entry's age and its place in insertion
// order, and eviction sees the new score, not the stale heap record of the old one.
import Detection
import Testing

@Suite("HardNegativeBuffer revision")
struct HardNegativeBufferRevisionTests {
    func entry(_ image: Int, _ score: Float, step: Int = 0, anchor: Int) -> HardNegative {
        HardNegative(imageID: image, location: .anchor(index: anchor), score: score, stepMined: step)
    }

    @Test("a kept entry is re-scored in place: eviction uses its new score, expiry its first-mined step")
    func rescoreInPlace() {
        var buffer = HardNegativeBuffer(capacity: 3)
        buffer.insert(entry(1, 0.9, anchor: 1))  // a
        buffer.insert(entry(1, 0.8, anchor: 2))  // b
        buffer.insert(entry(2, 0.7, anchor: 3))  // c
        // Image 1 keeps a at 0.6 (b is not named: removed) and adds d (0.85, step 5).
        let revision = buffer.revise(forImage: 1, keeping: [entry(1, 0.6, anchor: 1)], adding: [entry(1, 0.85, step: 5, anchor: 4)])
        #expect(revision.kept == 1 && revision.removed == 1 && revision.insertion.inserted == 1)
        #expect(buffer.entries(forImage: 1).map(\.score) == [0.85, 0.6] && buffer.count == 3)
        // Full: e (0.65) beats the lowest score, a's new 0.6 (its old 0.9 record is stale), and evicts a.
        #expect(buffer.insert(entry(3, 0.65, step: 5, anchor: 5)) == .evicted(entry(1, 0.6, anchor: 1)))
        #expect(buffer.entries.map(\.score) == [0.85, 0.7, 0.65])
        // Ages: c was mined at step 0, d and e at 5; at step 5 with a lifetime of 5 only c goes.
        #expect(buffer.removeExpired(lifetime: 5, currentStep: 5) == 1)
        #expect(buffer.entries.map(\.score) == [0.85, 0.65])
    }

    @Test("a re-scored entry still expires at its first-mined step, ahead of later insertions")
    func ageKept() {
        var buffer = HardNegativeBuffer(capacity: 10)
        buffer.insert(entry(1, 0.9, step: 0, anchor: 1))
        buffer.insert(entry(2, 0.8, step: 3, anchor: 2))
        buffer.revise(forImage: 1, keeping: [entry(1, 0.95, step: 0, anchor: 1)], adding: [])
        // Lifetime 4: at step 3 nothing is 4 steps old; at step 4 the re-scored entry (step 0) is.
        #expect(buffer.removeExpired(lifetime: 4, currentStep: 3) == 0)
        #expect(buffer.removeExpired(lifetime: 4, currentStep: 4) == 1)
        #expect(buffer.entries == [entry(2, 0.8, step: 3, anchor: 2)])
    }

    @Test("keeping nothing is the seed's take-out followed by the insertion")
    func seedVisit() {
        var revised = HardNegativeBuffer(capacity: 4)
        // Image 1: 0.9 (anchor 0), 0.7 (anchor 2); image 2: 0.5 (anchor 1).
        for (i, score) in [Float(0.9), 0.5, 0.7].enumerated() { revised.insert(entry(1 + i % 2, score, anchor: i)) }
        var takenOut = revised
        let added = [entry(1, 0.6, step: 2, anchor: 7), entry(1, 0.55, step: 2, anchor: 8)]
        revised.revise(forImage: 1, keeping: [], adding: added)
        _ = takenOut.removeEntries(forImage: 1)
        takenOut.insert(contentsOf: added)
        #expect(revised.entriesInInsertionOrder == takenOut.entriesInInsertionOrder)
        #expect(revised.entriesInInsertionOrder.map(\.score) == [0.5, 0.6, 0.55])
    }
}
