import Detection
import Randomness
import TensorCore
import Testing

/// `hard-negative-bootstrap`: the buffer's replay, its entries from mining rounds only.
@Suite("HardNegativeBootstrap")
struct HardNegativeBootstrapTests {
    /// Eight RPN anchors of one un-flipped 16 × 16 image (background below IoU 0.3):
    ///
    ///     index        0     1     2     3     4     5     6     7
    ///     label        1     0     0     0     0    −1     0     0
    ///     max IoU    0.8   0.1   0.2  0.35   0.0   0.4  0.25  0.05
    ///     P(fg)      0.9   0.7   0.4  0.95   0.6  0.99   0.8  0.55
    ///
    /// Confident false positives at threshold 0.5 (label 0, IoU < 0.3, P > 0.5): 1, 4, 6, 7 —
    /// not 0 (foreground), 2 (0.4 ≤ 0.5), 3 (IoU 0.35 ≥ 0.3), 5 (ignored). By score: 6 (0.8),
    /// 1 (0.7), 4 (0.6), 7 (0.55).
    func input(step: Int = 0, probabilities: [Float] = [0.9, 0.7, 0.4, 0.95, 0.6, 0.99, 0.8, 0.55]) -> SamplingInput {
        SamplingInput(image: SamplingImage(id: 3, width: 16, height: 16),
                      progress: TrainingProgress(step: step, stepsPerEpoch: 10),
                      labels: [1, 0, 0, 0, 0, -1, 0, 0], boxes: .zeros([8, 4]),
                      maxIoU: [0.8, 0.1, 0.2, 0.35, 0.0, 0.4, 0.25, 0.05], foregroundProbabilities: probabilities)
    }

    /// Budget 4, positive fraction 0.5, replay fraction 0.5, threshold mining at 0.5.
    func strategy(capacity: Int? = 3, perImageQuota: Int? = nil, mining: HardNegativeMining = .threshold,
                  rescore: Bool = false) -> HardNegativeBufferStrategy {
        var s = HardNegativeBufferStrategy(head: .rpn, batchSize: 4, positiveFraction: 0.5, capacity: capacity,
                                           scoreThreshold: 0.5, replayFraction: 0.5, expiryEpochs: nil,
                                           perImageQuota: perImageQuota, mining: mining, rescore: rescore)
        s.miningInterval = 100
        return s
    }

    @Test("a mining round stores exactly the confident false positives, best first, bounded by the capacity; it selects nothing")
    func roundStoresConfidentFalsePositives() {
        var s = strategy()
        var g = SplitMix64(seed: 1)
        s.beginMiningRound()
        let result = s.sample(input(step: 100), using: &g)
        s.endMiningRound()
        #expect(result.positives.isEmpty && result.negatives.isEmpty)
        // Four hard ones, capacity 3: 6, 1, 4 kept; 7 (the lowest, 0.55) rejected.
        #expect(s.buffer.entries.map(\.location) == [6, 1, 4].map { HardNegativeLocation.anchor(index: $0) })
        #expect(s.buffer.entries.map(\.score) == [0.8, 0.7, 0.6])
        #expect(s.buffer.entries.allSatisfy { $0.imageID == 3 && $0.stepMined == 100 })
        #expect(result.statistics.insertions == 3 && result.statistics.rejections == 1)
        #expect(s.name == "hard-negative-bootstrap")
    }

    @Test("rank mining keeps the image's top q background candidates by score")
    func roundByRank() {
        // Background by label and IoU: 1 (0.7), 2 (0.4), 4 (0.6), 6 (0.8), 7 (0.55); top 2: 6, 1.
        var s = strategy(capacity: nil, perImageQuota: 2, mining: .rank)
        var g = SplitMix64(seed: 1)
        s.beginMiningRound()
        _ = s.sample(input(), using: &g)
        s.endMiningRound()
        #expect(s.buffer.entries.map(\.location) == [.anchor(index: 6), .anchor(index: 1)])
    }

    @Test("a round replaces the previous round's entries")
    func roundReplaces() {
        var s = strategy()
        var g = SplitMix64(seed: 1)
        s.beginMiningRound()
        _ = s.sample(input(step: 100), using: &g)
        s.endMiningRound()
        // Second round: only anchor 2 is confident now (0.9); 6, 1, 4 are gone.
        s.beginMiningRound()
        _ = s.sample(input(step: 200, probabilities: [0.9, 0.1, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1]), using: &g)
        s.endMiningRound()
        #expect(s.buffer.entries == [HardNegative(imageID: 3, location: .anchor(index: 2), score: 0.9, stepMined: 200)])
    }

    @Test("after a round, a training visit replays the best entry as a forced negative and stores nothing new",
          arguments: [false, true])
    func replayIsForced(rescore: Bool) {
        var s = strategy(rescore: rescore)
        var g = SplitMix64(seed: 1)
        s.beginMiningRound()
        _ = s.sample(input(step: 100), using: &g)
        s.endMiningRound()
        // Budget 4: p = min(Int(4 · 0.5), 1 positive) = 1, negative budget 3, replays
        // ⌊0.5 · 3⌋ = 1: the best entry, anchor 6; then min(3 − 1, 6 background − 1) = 2 drawn.
        let result = s.sample(input(step: 101), using: &g)
        #expect(result.positives == [0])
        #expect(result.negatives.count == 3 && result.negatives.contains(6))
        #expect(result.statistics.replays == 1 && result.statistics.insertions == 0)
        if rescore {
            // Re-scored in place: 6, 1, 4 are still hard and stay; 7 is hard but not stored (no round).
            #expect(s.buffer.entries.map(\.location) == [6, 1, 4].map { HardNegativeLocation.anchor(index: $0) })
        } else {
            // The seed's take-out: every entry leaves on the visit (1 and 4 discarded).
            #expect(s.buffer.count == 0 && result.statistics.discards == 2)
        }
    }

    @Test("the kind builds in-batch replay without expiry and the configured interval; a bad interval names the key")
    func kindAndParameters() throws {
        let built = try #require(StrategyKind.hardNegativeBootstrap.makeStrategy(for: .roi) as? HardNegativeBufferStrategy)
        #expect(built.miningInterval == 500 && built.expiryEpochs == nil && built.replayMode == .inBatch)
        let variant = try StrategyVariant(parsing: "hard-negative-bootstrap(miningInterval=100)")
        #expect(variant.configuration.rpn.miningInterval == 100 && variant.configuration.roi.miningInterval == 100)
        do {
            _ = try StrategyVariant(parsing: "hard-negative-bootstrap(miningInterval=0)")
            Issue.record("miningInterval=0 was accepted")
        } catch {
            #expect(error.description == "hard-negative-bootstrap(rpn.miningInterval): must be at least 1, got 0")
        }
        // One round serves both heads: their intervals must agree.
        do {
            _ = try StrategyVariant(parsing: "hard-negative-bootstrap(roi.miningInterval=200)")
            Issue.record("unequal intervals were accepted")
        } catch {
            #expect(error.description == "hard-negative-bootstrap(roi.miningInterval): must equal rpn.miningInterval, 500: one mining round serves both heads, got 200")
        }
        #expect(try StrategyVariant(parsing: "hard-negative-bootstrap(rpn.miningInterval=200, roi.miningInterval=200)")
            .configuration.roi.miningInterval == 200)
        // The buffer does not read the interval.
        #expect(throws: (any Error).self) { try StrategyVariant(parsing: "hard-negative-buffer(miningInterval=100)") }
        let buffer = try #require(StrategyKind.hardNegativeBuffer.makeStrategy(for: .rpn) as? HardNegativeBufferStrategy)
        #expect(buffer.miningInterval == nil && buffer.name == "hard-negative-buffer")
    }
}
