// Strategies that fill their state in mining rounds: passes of the current model over every
// training image, apart from the training steps (classic bootstrapping).

/// A stateful strategy whose hard negatives come from periodic mining rounds over the whole
/// training set rather than from the training passes.
///
/// The trainer runs a round before iterations N, 2N, … (N = ``miningInterval``; none before
/// iteration N): ``beginMiningRound()``, then every training image once, un-flipped, through
/// the detector's usual training pass — each head calls ``SamplingStrategy/sample(_:using:)``,
/// which during a round stores the image's hard negatives and selects nothing, so no gradient
/// flows —, then ``endMiningRound()``. The round's wall-clock time counts in the run's time.
/// Reference: Felzenszwalb et al., "Object Detection with Discriminatively Trained Part-Based
/// Models", TPAMI 2010, §4.5 (data mining hard examples); Sung & Poggio, "Example-based learning
/// for view-based human face detection", TPAMI 1998 (bootstrapping).
public protocol MiningRoundStrategy: StatefulSamplingStrategy {
    /// N, the iterations between mining rounds (≥ 1), or nil: this instance mines in training
    /// passes and needs no rounds.
    var miningInterval: Int? { get }

    /// Starts a round: what the previous round stored is replaced by what this one finds, and
    /// until ``endMiningRound()`` `sample` only mines (it selects nothing and replays nothing).
    mutating func beginMiningRound()

    /// Ends a round: `sample` trains again, replaying the round's entries.
    mutating func endMiningRound()
}
