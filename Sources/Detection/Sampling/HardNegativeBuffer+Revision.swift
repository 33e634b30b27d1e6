// Revising one image's entries in place: the re-scoring visit of the hard-negative buffer.
//
// Legend: m the image's entries, k kept, a added.
// A re-scoring visit (HardNegativeBufferStrategy+Rescoring.swift) reads the image's entries
// without taking them out, scores them again in the current pass, and ends by saying which of
// them stay (with their current score) and which new ones join. Kept entries stay where they are
// in insertion order, so their age (`stepMined`) is unchanged and expiry, which walks insertion
// order, still removes them once old; their new score gets a fresh heap record (the old one goes
// stale: a heap record is live only while its score matches the slot's). O((m + k) + a log K).

extension HardNegativeBuffer {
    /// What a revision did.
    public struct Revision: Sendable, Hashable {
        /// The image's entries that stayed (re-scored in place).
        public var kept = 0
        /// The image's entries removed (not named in `keeping`).
        public var removed = 0
        /// The insertion of the added entries.
        public var insertion = BatchInsertion()

        /// Creates an empty record.
        public init() {}
    }

    /// Keeps the named entries of an image (with their new scores, at their place in insertion
    /// order), removes its other entries, then inserts `added` as
    /// ``insert(contentsOf:)`` does.
    ///
    /// An entry of `keeping` names a live entry of the image by its location and `stepMined`
    /// (its score is the new score); equal names match equal entries one to one, and a name
    /// matching no live entry is ignored (an entry another image's insertion evicted meanwhile,
    /// which data-parallel replay can meet).
    /// - Parameters:
    ///   - imageID: the visited image.
    ///   - keeping: the image's entries that stay, with their current scores.
    ///   - added: new entries of this image, steps not before any earlier insertion's.
    /// - Returns: the counts.
    /// - Precondition: no score is NaN; every entry's `imageID` is `imageID`.
    @discardableResult
    public mutating func revise(forImage imageID: Int, keeping: [HardNegative], adding added: [HardNegative]) -> Revision {
        precondition(keeping.allSatisfy { $0.imageID == imageID && !$0.score.isNaN } && added.allSatisfy { $0.imageID == imageID },
                     "HardNegativeBuffer.revise: entries must belong to image \(imageID) and have a score")
        var revision = Revision()
        struct Name: Hashable { var location: HardNegativeLocation; var step: Int }
        var wanted: [Name: [Float]] = [:]
        for entry in keeping { wanted[Name(location: entry.location, step: entry.stepMined), default: []].append(entry.score) }
        // The image's slots in insertion order, so that equal names match in a fixed order.
        let members = (slotsByImage[imageID] ?? []).sorted { slots[Int($0)].sequence < slots[Int($1)].sequence }
        for slot in members {
            let cell = slots[Int(slot)]
            let name = Name(location: cell.entry.location, step: cell.entry.stepMined)
            if var scores = wanted[name], !scores.isEmpty {
                let score = scores.removeFirst()
                wanted[name] = scores
                revision.kept += 1
                guard score.bitPattern != cell.entry.score.bitPattern else { continue }
                slots[Int(slot)].entry.score = score
                heap.insert(Ranked(sequence: cell.sequence, score: score, slot: slot))
            } else {
                _ = release(Int(slot))
                revision.removed += 1
            }
        }
        compactIfNeeded()
        revision.insertion = insert(contentsOf: added)
        return revision
    }
}
