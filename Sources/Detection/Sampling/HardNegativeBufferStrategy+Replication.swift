// The hard-negative buffer under data-parallel training (ReplicatedSamplingStrategy.swift).
//
// One image's visit changes the buffer three ways, in this order: expiry of old entries, taking
// the image's entries out (a re-scoring visit: keeping some of them, re-scored in place),
// inserting the visit's hard negatives. During a shared step a rank's
// visits expire and take out at once (they read what they replay from the live buffer) but
// only record their insertions; at the step's end every rank replays every visit — expiry,
// take-out, insertion — in global image order on the buffer the step began with. That is the
// sequence of operations a single process performs, so the buffers end the step equal on all
// ranks, and equal to the one-process run's provided each visit saw the same entries.
//
// Where they can differ: a one-process run's later image sees what earlier images of the same
// step inserted; a rank sees the step's starting state. That changes what a later image
// replays only when an insertion of the step evicts an entry of a later image of the same step
// (a full buffer), or when one tile is drawn twice in a step; the insertions are then still
// applied in the same order on every rank, so the replicas stay identical.
// A shared visit's statistics count no insertions, evictions or rejections by the buffer, and
// its `bufferSize` is the live buffer's: those happen at the step's end, on every rank.
import Foundation

/// One image's visit of a shared step, as every rank replays it.
struct HardNegativeVisit: Codable, Equatable {
    /// The image's id (the training tile's index).
    var imageID: Int
    /// The step, and its steps per epoch (the expiry's clock).
    var step: Int, stepsPerEpoch: Int
    /// The hard negatives the visit stores, in insertion order.
    var entries: [HardNegative]
    /// A re-scoring visit's entries of the image that stay, with their new scores (empty for
    /// the seed's visit, which takes every entry out).
    var kept: [HardNegative] = []
}

/// The buffer at the start of a shared step and this rank's visits since.
struct HardNegativeSharedStep {
    /// The buffer when the step began.
    var start: HardNegativeBuffer
    /// This rank's visits, in its images' order.
    var visits: [HardNegativeVisit] = []
}

extension HardNegativeBufferStrategy: ReplicatedSamplingStrategy {
    /// Remembers the buffer and starts deferring insertions.
    public mutating func beginSharedStep() {
        sharedStep = HardNegativeSharedStep(start: buffer)
    }

    /// This rank's visits of the step as JSON (every score and box digit for digit: the encoder
    /// writes the shortest text that reads back to the same value).
    public func sharedStepUpdates() -> [UInt8] {
        precondition(sharedStep != nil, "\(name): sharedStepUpdates() outside a shared step")
        // Encoding plain structs of numbers cannot fail.
        return Array(try! JSONEncoder().encode(sharedStep!.visits))
    }

    /// Restores the step's starting buffer and replays every rank's visits in order: expiry,
    /// take-out, insertion, as `sample` does for one image.
    public mutating func endSharedStep(applying updates: [[UInt8]]) throws(StrategyStateError) {
        precondition(sharedStep != nil, "\(name): endSharedStep(applying:) outside a shared step")
        var visits: [HardNegativeVisit] = []
        for (rank, bytes) in updates.enumerated() {
            do { visits += try JSONDecoder().decode([HardNegativeVisit].self, from: Data(bytes)) } catch {
                throw StrategyStateError(strategy: name, reason: "rank \(rank)'s step updates do not decode: \(error)")
            }
        }
        var replayed = sharedStep!.start
        for visit in visits {
            if let expiryEpochs { _ = replayed.removeExpired(lifetime: expiryEpochs * visit.stepsPerEpoch, currentStep: visit.step) }
            // The seed's visit (nothing kept) is the take-out then the insertion.
            replayed.revise(forImage: visit.imageID, keeping: visit.kept, adding: visit.entries)
        }
        buffer = replayed
        sharedStep = nil
    }
}
