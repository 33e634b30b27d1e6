import Collectives
import Detection
import Foundation
import Testing
@testable import Training

/// The trainer's mining rounds under `hard-negative-bootstrap`.
@Suite("TrainerMiningRounds")
struct TrainerMiningRoundTests {
    /// Four digits tiles, two per batch, a round every 2 iterations.
    func configuration(iterations: Int) -> TrainingConfiguration {
        var c = TrainingConfiguration(iterations: iterations, seed: 11)
        c.logInterval = 1
        c.strategy = StrategyConfiguration(kind: .hardNegativeBootstrap)
        c.strategy.rpn.miningInterval = 2
        c.strategy.roi.miningInterval = 2
        return c
    }

    @Test("rounds run before iterations N, 2N (not before), over every tile, inside the iteration's seconds; replays follow")
    func roundsAtMultiples() throws {
        let samples = try digitsSamples(count: 4)
        var trainer = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 5))
        #expect(trainer.miningInterval == 2)
        var records: [StepRecord] = []
        for _ in 0..<5 { records.append(try trainer.step()) }
        #expect(records.map { $0.miningRound?.iteration } == [nil, nil, 2, nil, 4])
        // Before the first round nothing is stored: training visits never mine.
        #expect(records[0].rpnMining.insertions == 0 && records[1].rpnMining.insertions == 0)
        #expect(records[0].rpnMining.bufferSize == 0 && records[1].roiMining.bufferSize == 0)
        for i in [2, 4] {
            let round = try #require(records[i].miningRound)
            #expect(round.seconds > 0 && records[i].seconds >= round.seconds)
            let rpn = try #require(round.mining["rpn"])
            // Every tile once; nothing selected. Rank mining, quota 128 per image, no capacity:
            // each 128 × 128 tile has 16 × 16 × 9 = 2,304 anchors, far more than 128 background,
            // so 4 × 128 = 512 entries.
            #expect(rpn.images == 4 && rpn.positivesSelected == 0 && rpn.negativesSelected == 0)
            #expect(rpn.insertions == 512 && rpn.bufferSize == 512)
            #expect(round.mining["roi"]?.images == 4)
            // The round's entries enter the next batch as forced negatives (half the negative budget at most).
            #expect(records[i].rpnMining.replays > 0)
            #expect(records[i].rpnMining.insertions == 0)
        }
    }

    @Test("a checkpoint before a round resumes exactly: the round runs in the resumed run")
    func resumeAcrossRound() throws {
        let samples = try digitsSamples(count: 4)
        let url = TrainerTests.temporaryCheckpoint()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        var straight = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 5))
        var expected: [StepRecord] = []
        for _ in 0..<5 { expected.append(try straight.step()) }
        // Interrupted after iterations 0–2 (one round done, its buffer in the checkpoint), and
        // after 0–1 (the round still to come).
        for done in [3, 2] {
            var interrupted = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 5))
            for _ in 0..<done { _ = try interrupted.step() }
            try interrupted.saveCheckpoint(to: url, strategyName: "hard-negative-bootstrap")
            var resumed = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 5))
            try resumed.resume(from: url, strategyName: "hard-negative-bootstrap")
            var rest: [StepRecord] = []
            for _ in done..<5 { rest.append(try resumed.step()) }
            #expect(rest.map(\.total) == expected[done...].map(\.total))
            #expect(rest.map(\.rpnMining) == expected[done...].map(\.rpnMining))
            #expect(rest.map(\.roiMining) == expected[done...].map(\.roiMining))
            #expect(rest.map { $0.miningRound?.mining } == expected[done...].map { $0.miningRound?.mining })
        }
    }

    @Test("data-parallel training refuses the strategy by name")
    func distributedRefused() throws {
        var trainer = Trainer(samples: try digitsSamples(count: 4), classCount: 10, configuration: configuration(iterations: 2))
        #expect(throws: TrainingError.strategyNotReplicable(strategy: "hard-negative-bootstrap")) {
            try trainer.distribute(over: SingleProcessCommunicator())
        }
    }
}
