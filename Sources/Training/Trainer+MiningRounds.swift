// Mining rounds of a bootstrapping strategy (`hard-negative-bootstrap`): the trainer's part.
//
// Legend: T training tiles, N the mining interval in iterations.
// Before iterations N, 2N, … (never before N) the current model runs over all T tiles, one at a
// time and un-flipped, through the detector's own training pass; each head's strategy stores the
// tile's hard negatives and selects nothing, so the pass's (zero) loss is dropped unused and no
// parameter, optimiser state or random stream changes. The round's time is inside the
// iteration's `seconds`.
import Datasets
import Detection
import Dispatch
import Randomness

extension Trainer {
    /// N, the iterations between the run's mining rounds, or nil when its strategy has none
    /// (every strategy but `hard-negative-bootstrap`).
    public var miningInterval: Int? {
        strategies.lazy.compactMap { ($0 as? any MiningRoundStrategy)?.miningInterval }.first
    }

    /// Whether a mining round runs before training `iteration` (0-based): iteration is a
    /// positive multiple of ``miningInterval``.
    public func runsMiningRound(before iteration: Int) -> Bool {
        guard let interval = miningInterval else { return false }
        return iteration > 0 && iteration % interval == 0
    }

    /// Runs a mining round over every training sample with the current model (no gradient step).
    ///
    /// Image ids are the tiles' indices, as in training, so a tile's later visits replay what
    /// the round stored for it. The selections draw nothing; a throwaway generator stands in
    /// for the run's sampling stream, which stays untouched.
    /// - Returns: the round's iteration, wall-clock seconds and statistics per head.
    mutating func runMiningRound() -> MiningRoundRecord {
        let start = DispatchTime.now().uptimeNanoseconds
        for i in strategies.indices {
            if var strategy = strategies[i] as? any MiningRoundStrategy {
                strategy.beginMiningRound()
                strategies[i] = strategy
            }
        }
        var unused = SplitMix64(seed: 0)
        let progress = TrainingProgress(step: iteration, stepsPerEpoch: stepsPerEpoch)
        var mining: [String: MiningStatistics] = [:]
        for (index, sample) in samples.enumerated() {
            let image = SamplingImage(id: index, width: sample.image.width, height: sample.image.height)
            let losses = model.trainingLoss(images: RGBImage.pixelTensor([sample.image]),
                                            groundTruth: [GroundTruth(boxes: sample.target.boxTensor, labels: sample.target.labels)],
                                            samplingImages: [image], progress: progress,
                                            strategies: &strategies, using: &unused)
            for head in losses.heads { mining[head.head.name, default: MiningStatistics()].merge(head.mining) }
        }
        for i in strategies.indices {
            if var strategy = strategies[i] as? any MiningRoundStrategy {
                strategy.endMiningRound()
                strategies[i] = strategy
            }
        }
        return MiningRoundRecord(iteration: iteration, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                                 mining: mining)
    }
}
