// What one mining round of a bootstrapping strategy did, for the run's log.
import Detection
import Foundation

/// The record of one mining round (`hard-negative-bootstrap`): when it ran, how long it took,
/// and what each head's buffer took in.
///
/// Its ``seconds`` are part of the ``StepRecord/seconds`` of the iteration it precedes, so a
/// run's time axis (losses.csv, the comparison's seconds) pays for the rounds.
/// Reference: Felzenszwalb et al., TPAMI 2010, §4.5 (the data-mining round).
public struct MiningRoundRecord: Sendable, Equatable, CustomStringConvertible {
    /// The iteration the round ran before (N, 2N, …; 0-based).
    public var iteration: Int
    /// Wall-clock seconds of the round: one pass of the model over every training image.
    public var seconds: Double
    /// Each head's statistics over the round, merged over the images, by head name:
    /// `insertions` the hard negatives stored (after each image's quota), `rejections` those
    /// over the quota or capacity, `evictions` those displaced later in the round by higher
    /// scores, `bufferSize` the entries held at the round's end.
    public var mining: [String: MiningStatistics]

    /// Creates a record.
    public init(iteration: Int, seconds: Double, mining: [String: MiningStatistics]) {
        self.iteration = iteration
        self.seconds = seconds
        self.mining = mining
    }

    /// One line for the progress log, heads by name: "mining round before iteration 500:
    /// 12.3 s; roi 4160 stored, 310 over quota or capacity, 4160 held; rpn …".
    public var description: String {
        let heads = mining.keys.sorted().map { name in
            let m = mining[name]!
            return "\(name) \(m.insertions) stored, \(m.rejections) over quota or capacity, \(m.bufferSize) held"
        }
        return "mining round before iteration \(iteration): " + String(format: "%.1f s", seconds) + "; " + heads.joined(separator: "; ")
    }
}
