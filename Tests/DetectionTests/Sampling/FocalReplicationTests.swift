// Focal's moving average under data-parallel training: each replica counts its own images'
// positives during a step, and all end the step with the one-process average.
import Detection
import Testing
import TestSupport

@Suite("Focal's moving average shared between replicas")
struct FocalReplicationTests {
    @Test("two replicas with 1 + 2 and 5 positives end at 0.9·100 + 0.1·8 = 90.8, as one process over the batch")
    func sharedStep() throws {
        let images = [NormalizerTests.result(positives: 1, negatives: 4), NormalizerTests.result(positives: 2, negatives: 5),
                      NormalizerTests.result(positives: 5, negatives: 0)]
        // The box term over the number selected, so that its divisor shows each image's share.
        var replicas = [FocalStrategy(head: .rpn, boxNormalization: .selectedCount), FocalStrategy(head: .rpn, boxNormalization: .selectedCount)]
        for index in replicas.indices { replicas[index].beginSharedStep() }
        // Replica 0 passes images 0 and 1 one at a time, replica 1 image 2: each divided by its own max(1, P_i).
        #expect(replicas[0].lossDivisors(for: [images[0]]) == LossDivisors(classification: 1, box: 5))
        #expect(replicas[0].lossDivisors(for: [images[1]]) == LossDivisors(classification: 2, box: 7))
        #expect(replicas[1].lossDivisors(for: [images[2]]) == LossDivisors(classification: 5, box: 5))
        #expect(replicas.allSatisfy { $0.positiveCountAverage == 100 }, "no update before the step's end")
        let updates = replicas.map { $0.sharedStepUpdates() }
        #expect(updates == [[3, 0, 0, 0, 0, 0, 0, 0], [5, 0, 0, 0, 0, 0, 0, 0]])
        for index in replicas.indices { try replicas[index].endSharedStep(applying: updates) }
        var single = FocalStrategy(head: .rpn, boxNormalization: .selectedCount)
        _ = single.lossDivisors(for: images)
        for replica in replicas {
            expectClose(replica.positiveCountAverage, 90.8, relativeTolerance: 1e-12)
            #expect(replica.positiveCountAverage == single.positiveCountAverage)
            #expect(replica.sharedStepClassificationDivisor == single.positiveCountAverage)
            #expect(replica.checkpointState == single.checkpointState)
        }
    }

    @Test("under the batch normaliser nothing is kept: no divisor of its own, the average untouched")
    func batchNormaliser() throws {
        var focal = FocalStrategy(head: .roi, normalization: .positiveCount)
        focal.beginSharedStep()
        _ = focal.lossDivisors(for: [NormalizerTests.result(positives: 4, negatives: 1, .positiveCount)])
        try focal.endSharedStep(applying: [focal.sharedStepUpdates(), [9, 0, 0, 0, 0, 0, 0, 0]])
        #expect(focal.positiveCountAverage == 100 && focal.sharedStepClassificationDivisor == nil)
    }

    @Test("an update that is not 8 bytes, or a negative count, names the rank")
    func badUpdates() {
        var focal = FocalStrategy(head: .rpn)
        focal.beginSharedStep()
        #expect(throws: StrategyStateError(strategy: "focal", reason: "rank 1's step update has 3 bytes, expected 8")) {
            try focal.endSharedStep(applying: [focal.sharedStepUpdates(), [1, 2, 3]])
        }
        focal.beginSharedStep()
        #expect(throws: StrategyStateError(strategy: "focal", reason: "rank 0 reports -1 positives")) {
            try focal.endSharedStep(applying: [[255, 255, 255, 255, 255, 255, 255, 255]])
        }
    }
}
