// A buffer's contents as a value that survives a checkpoint.
//
// Legend: K capacity, n live entries.
// What a buffer does next depends on its entries and on their insertion order alone (the heap
// breaks equal scores by insertion, expiry walks insertion order, a visit sorts by score then
// insertion), never on slot numbers or stale records. So the encoded form is the capacity and the
// live entries in insertion order; decoding re-inserts them in that order into an empty buffer,
// which gives a buffer that behaves identically from then on.
import Foundation

extension HardNegativeBuffer: Codable {
    enum CodingKeys: String, CodingKey {
        case capacity, entries
    }

    /// Every live entry, earliest insertion first.
    public var entriesInInsertionOrder: [HardNegative] {
        slots.filter { $0.sequence != .max }.sorted { $0.sequence < $1.sequence }.map(\.entry)
    }

    /// Encodes the capacity and the entries in insertion order.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(capacity, forKey: .capacity)
        try container.encode(entriesInInsertionOrder, forKey: .entries)
    }

    /// Rebuilds a buffer from its encoded capacity and entries (in insertion order).
    /// - Throws: `DecodingError.dataCorrupted` for a capacity outside 0..<2³¹, more entries than
    ///   the capacity, a NaN score, or steps that decrease along the insertion order.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let capacity = try container.decode(Int.self, forKey: .capacity)
        let entries = try container.decode([HardNegative].self, forKey: .entries)
        func corrupt(_ reason: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: container.codingPath, debugDescription: reason))
        }
        guard capacity >= 0 && capacity < Int(Int32.max) else { throw corrupt("capacity \(capacity) outside 0..<2³¹") }
        guard entries.count <= capacity else { throw corrupt("\(entries.count) entries exceed the capacity \(capacity)") }
        if let i = entries.firstIndex(where: { $0.score.isNaN }) { throw corrupt("entry \(i) has a NaN score") }
        if let i = entries.indices.dropFirst().first(where: { entries[$0].stepMined < entries[$0 - 1].stepMined }) {
            throw corrupt("entry \(i) was mined at step \(entries[i].stepMined), before entry \(i - 1) (step \(entries[i - 1].stepMined))")
        }
        self.init(capacity: capacity)
        // Below the capacity every entry is stored, in order: the same relative insertion order.
        insert(contentsOf: entries)
    }
}

// MARK: - The strategy's checkpoint state

extension HardNegativeBufferStrategy {
    /// The buffer as a JSON document (capacity and entries in insertion order), with sorted
    /// keys so that the same buffer always gives the same bytes (checkpoints of an interrupted
    /// and an uninterrupted run are then identical files).
    public var checkpointState: String {
        // Numbers and strings only, and non-finite floats become strings: encoding cannot fail.
        let data = try! Self.stateEncoder.encode(buffer)
        return String(decoding: data, as: UTF8.self)
    }

    /// How non-finite scores are spelt in the state document (a score is a probability, so they
    /// should never occur; if one does, the checkpoint still writes and reads back).
    static let nonFiniteSpelling = (positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    static var stateEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: nonFiniteSpelling.positiveInfinity, negativeInfinity: nonFiniteSpelling.negativeInfinity,
            nan: nonFiniteSpelling.nan)
        return encoder
    }

    /// Replaces the buffer with one written by ``checkpointState``; pending replays are dropped
    /// (a checkpoint is taken between steps, when there are none).
    /// - Throws: ``StrategyStateError`` for a malformed document or a different capacity.
    public mutating func restoreCheckpointState(_ state: String) throws(StrategyStateError) {
        let restored: HardNegativeBuffer
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(
                positiveInfinity: Self.nonFiniteSpelling.positiveInfinity, negativeInfinity: Self.nonFiniteSpelling.negativeInfinity,
                nan: Self.nonFiniteSpelling.nan)
            restored = try decoder.decode(HardNegativeBuffer.self, from: Data(state.utf8))
        } catch {
            throw StrategyStateError(strategy: name, reason: "\(head) buffer: \(error)")
        }
        guard restored.capacity == buffer.capacity else {
            throw StrategyStateError(strategy: name, reason: "\(head) buffer capacity \(restored.capacity), this sampler's is \(buffer.capacity)")
        }
        buffer = restored
        pendingReplays = [:]
    }
}
