@testable import Collectives
import Synchronization
import Foundation
import Testing

@Suite("The work queue: rank 0 hands out jobs and gathers results")
struct WorkQueueTests {
    @Test("3 ranks: every job runs once, rank 0 returns the results in job order, workers nil", arguments: [0, 1, 2, 7])
    func threeRanks(count: Int) throws {
        let runs = Tally<[Int: Int]>([:])   // job → how many times it ran
        let outcomes = runLoopbackGroup(size: 3) { communicator in
            try WorkQueue.map(count: count, over: communicator) { index -> [Double] in
                runs.update { $0[index, default: 0] += 1 }
                return [Double(index) * Double(index), 0.1 * Double(index)]
            }
        }
        #expect(try outcomes[0].get() == (0..<count).map { [Double($0) * Double($0), 0.1 * Double($0)] })
        #expect(try outcomes[1].get() == nil)
        #expect(try outcomes[2].get() == nil)
        #expect(runs.value == Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, 1) }))
    }

    @Test("one rank runs the jobs in order on the caller")
    func oneRank() throws {
        var order: [Int] = []
        let values = try WorkQueue.map(count: 4, over: SingleProcessCommunicator()) { index -> Int in
            order.append(index)
            return 10 * index
        }
        #expect(values == [0, 10, 20, 30] && order == [0, 1, 2, 3])
    }

    struct Broken: Error, CustomStringConvertible {
        var description: String { "loss became NaN" }
    }

    @Test("a job that throws on a worker: the worker rethrows, rank 0 throws jobFailed naming job and rank")
    func workerFailure() throws {
        // Rank 0's job waits until the worker's job has started, so the worker surely gets one.
        let workerStarted = DispatchSemaphore(value: 0)
        let outcomes = runLoopbackGroup(size: 2) { communicator in
            try WorkQueue.map(count: 6, over: communicator) { index -> Int in
                if communicator.rank == 1 {
                    workerStarted.signal()
                    throw Broken()
                }
                // Leave the semaphore open for rank 0's later jobs.
                if workerStarted.wait(timeout: .now() + 10) == .success { workerStarted.signal() }
                return index
            }
        }
        #expect(throws: Broken.self) { try outcomes[1].get() }
        #expect {
            try outcomes[0].get()
        } throws: { error in
            guard case let .jobFailed(index, rank, description)? = error as? WorkQueueError else { return false }
            return rank == 1 && (0..<6).contains(index) && description == "loss became NaN"
        }
    }

    @Test("a job that throws on rank 0 is rethrown there at once; a worker is left waiting (mpirun then ends it)")
    func rootFailure() throws {
        // The worker's job ends only after rank 0's `map` has thrown, so rank 0 has stopped serving
        // before the worker reports: the worker waits for an answer that cannot come (here, its
        // 1 s receive bound). Waiting only for rank 0's job to *start* left a window in which
        // rank 0 could still answer "stop" (all jobs handed out) before its own job failed.
        // The 10 s bound on the wait guards against a hang.
        let rootEnded = DispatchSemaphore(value: 0)
        let outcomes = runLoopbackGroup(size: 2, receiveTimeout: 1) { communicator in
            do {
                return try WorkQueue.map(count: 2, over: communicator) { index -> Int in
                    if communicator.rank == 0 { throw Broken() }
                    _ = rootEnded.wait(timeout: .now() + 10)
                    return index
                }
            } catch {
                if communicator.rank == 0 { rootEnded.signal() }
                throw error
            }
        }
        #expect(throws: Broken.self) { try outcomes[0].get() }
        #expect(throws: CollectivesError.noMessageCanArrive(tag: 2)) { try outcomes[1].get() }
    }

    @Test("the messages read back as written; foreign bytes are refused")
    func messages() {
        for message in [WorkerMessage.ready, .finished(index: 3, result: [1, 2]), .failed(index: 0, description: "é")] {
            #expect(WorkerMessage(bytes: message.bytes) == message)
        }
        #expect(WorkerMessage.bytes(of: 258) == [2, 1, 0, 0, 0, 0, 0, 0])
        #expect(Assignment(bytes: Assignment.job(70_000).bytes) == .job(70_000))
        #expect(Assignment(bytes: Assignment.stop.bytes) == .stop)
        #expect(Assignment(bytes: [1, 2]) == nil)
        #expect(WorkerMessage(bytes: [9] + WorkerMessage.bytes(of: 0)) == nil)
        #expect(WorkerMessage(bytes: [1] + WorkerMessage.bytes(of: -5)) == nil)
    }
}
