// Which training images record the negatives their strategies chose, and when: the window of a
// run that the comparison report's "What each strategy mines" section draws from (issue 14,
// item 5). Recording is cheap by construction: only a few fixed tiles, only near the end.
import Detection

/// Which tiles record their mined negatives (`SamplingImage.recordsMinedNegatives`) and from
/// which iteration on.
///
/// The comparison's choice (``init(sampleCount:iterations:batchSize:)``): tiles 0 ..< 8 (the
/// first tiles of the training split, fixed so that every strategy shows the same ones) over
/// the last two epochs' iterations, so that each of them is drawn at least once in the window
/// (an epoch visits every tile once, and any two epochs' worth of consecutive steps contains a
/// whole epoch); a run keeps each tile's last visit. A visit whose augmentations changed the
/// tile's geometry beyond flips has no place in the tile's frame and is not recorded.
public struct MinedNegativeRecording: Sendable, Equatable {
    /// The tiles that record: indices into the training samples.
    public var tiles: Set<Int>
    /// The first iteration (0-based) that records.
    public var firstIteration: Int

    /// The number of tiles the comparison records: 8.
    public static let tileCount = 8

    /// Creates a recording of the given tiles from `firstIteration` on.
    public init(tiles: Set<Int>, firstIteration: Int) {
        self.tiles = tiles
        self.firstIteration = firstIteration
    }

    /// The comparison's recording: tiles 0 ..< min(``tileCount``, `sampleCount`) from iteration
    /// max(0, `iterations` − 2·⌈`sampleCount` / `batchSize`⌉) on (65 NEON tiles at batch 2: the
    /// last 66 iterations).
    /// - Precondition: `sampleCount ≥ 1`, `batchSize ≥ 1`.
    public init(sampleCount: Int, iterations: Int, batchSize: Int) {
        precondition(sampleCount >= 1 && batchSize >= 1, "MinedNegativeRecording: \(sampleCount) samples, batch size \(batchSize)")
        let stepsPerEpoch = (sampleCount + batchSize - 1) / batchSize
        self.init(tiles: Set(0..<min(Self.tileCount, sampleCount)), firstIteration: max(0, iterations - 2 * stepsPerEpoch))
    }

    /// Whether tile `tile`, drawn at `iteration`, records.
    public func records(tile: Int, at iteration: Int) -> Bool {
        iteration >= firstIteration && tiles.contains(tile)
    }

    /// Keeps each (tile, head)'s latest record: `records` merged into `latest` in step order.
    /// - Returns: the records, by tile then in the order the heads first appeared.
    public static func latest(_ records: [MinedNegatives]) -> [MinedNegatives] {
        var byKey: [String: MinedNegatives] = [:], heads: [String] = []
        for record in records {
            if !heads.contains(record.head) { heads.append(record.head) }
            let key = "\(record.imageID) \(record.head)"
            if let kept = byKey[key], kept.step > record.step { continue }
            byKey[key] = record
        }
        return byKey.values.sorted {
            ($0.imageID, heads.firstIndex(of: $0.head)!) < ($1.imageID, heads.firstIndex(of: $1.head)!)
        }
    }
}
