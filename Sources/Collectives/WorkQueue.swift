// Independent jobs spread over the ranks of a communicator, as a work queue: rank 0 hands out
// job indices one at a time and gathers each job's result, so a rank that finishes early
// takes the next job (runs of a comparison differ in length: strategies, evaluations).
//
// Rank 0 works too: its calling thread (the one that initialized MPI) serves the queue and
// makes every MPI call, while a second thread runs rank 0's own jobs; both take indices from
// the same dispenser. A worker rank sends "ready", runs the job it is given, sends the result (JSON,
// TransferCoding) with its request for the next, and stops when told there is no more work.
import Synchronization

/// Runs jobs 0..<count across the ranks of a communicator and collects their results on rank 0.
public enum WorkQueue {
    /// Calls `body(i)` once for every i in 0..<count, on whichever rank asks first, and returns
    /// the results on rank 0 in job order; the other ranks return nil.
    ///
    /// Every rank of `communicator` must call it with the same `count`. A job's result must
    /// depend on its index alone (not on the rank that runs it) for the outcome to equal a
    /// one-process run. With one rank the jobs run in order on the caller.
    ///
    /// Failures: when a job throws on a worker, the worker tells rank 0 and rethrows; rank 0
    /// hands out no more jobs and throws ``WorkQueueError/jobFailed(index:rank:description:)``
    /// once its own running job has ended. When one of rank 0's own jobs throws, rank 0 stops
    /// serving and rethrows that error at once. Either way the caller should exit without
    /// finalizing (the other ranks may still wait for an answer), and the MPI launcher then
    /// ends them (docs/distributed.md).
    /// - Parameters:
    ///   - count: the number of jobs (≥ 0).
    ///   - communicator: the ranks sharing the work; only the calling thread uses it.
    ///   - body: runs one job, one at a time; on rank 0 (with other ranks) on a second thread.
    /// - Returns: on rank 0, `count` results in job order; nil on the other ranks.
    /// - Throws: the error of a job of this rank; ``WorkQueueError``; ``CollectivesError`` from
    ///   the messages (including a result that does not encode or decode).
    public static func map<Value: Codable>(count: Int, over communicator: some Communicator,
                                           _ body: (Int) throws -> Value) throws -> [Value]? {
        precondition(count >= 0, "WorkQueue.map: count must be ≥ 0, got \(count)")
        if communicator.rank != 0 {
            try work(over: communicator, body)
            return nil
        }
        if communicator.size == 1 { return try (0..<count).map(body) }
        return try coordinate(count: count, over: communicator, body)
    }

    /// A worker rank's loop: ask, run, report, until told to stop.
    static func work<Value: Codable>(over communicator: some Communicator, _ body: (Int) throws -> Value) throws {
        var message = WorkerMessage.ready
        while true {
            try communicator.send(message.bytes, to: 0, tag: WorkerMessage.tag)
            let reply = try communicator.receive(from: 0, tag: Assignment.tag)
            guard let assignment = Assignment(bytes: reply.bytes) else { throw WorkQueueError.malformedMessage(rank: 0) }
            guard case .job(let index) = assignment else { return }
            let value: Value
            do { value = try body(index) } catch {
                // Tell rank 0 which job failed and why; this rank's own error is what it reports.
                try? communicator.send(WorkerMessage.failed(index: index, description: "\(error)").bytes, to: 0, tag: WorkerMessage.tag)
                throw error
            }
            message = .finished(index: index, result: try TransferCoding.encode(value, what: "job \(index)'s result"))
        }
    }

    /// Rank 0: serves the workers on the calling thread (the one that initialized MPI) while a
    /// second thread runs rank 0's own jobs.
    static func coordinate<Value: Codable>(count: Int, over communicator: some Communicator,
                                           _ body: (Int) throws -> Value) throws -> [Value] {
        let dispenser = JobDispenser(count: count)
        let coordinator = Coordinator(workers: communicator.size - 1)
        // One slot per job of rank 0's thread, each written once by that thread; read after the join.
        let slots = UnsafeMutableBufferPointer<Value?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer { slots.deinitialize().deallocate() }
        var localFailure: (any Error)?
        try withoutActuallyEscaping(body) { body in
            let local = try JoinableThread {
                while let index = dispenser.next() {
                    do { slots[index] = try body(index) } catch {
                        localFailure = error
                        dispenser.stop()
                        // Rank 0 reports its own failure at once (the launcher ends the workers).
                        coordinator.abandon()
                        return
                    }
                }
            }
            coordinator.serve(over: communicator, handingOut: dispenser)
            // After a worker's failure or a communication error the dispenser is stopped, so
            // this waits for rank 0's current job only.
            local.join()
        }
        if let localFailure { throw localFailure }
        let outcome = coordinator.outcome
        if let failure = outcome.failure { throw failure }
        for (index, bytes) in outcome.results {
            slots[index] = try TransferCoding.decode(Value.self, from: bytes, what: "job \(index)'s result")
        }
        return slots.map { $0! }
    }
}

/// Rank 0's server of the work queue: answers each worker's message with the next job or
/// "stop", and keeps the results (as JSON bytes) and the first failure.
final class Coordinator: Sendable {
    /// What the server collected.
    struct Outcome {
        /// Job index → the result's JSON, for the workers' jobs.
        var results: [Int: [UInt8]] = [:]
        /// Why the server stopped early, if it did.
        var failure: (any Error)?
        /// Set by `abandon()`: stop serving at the next poll.
        var abandoned = false
    }

    private let state = Mutex(Outcome())
    private let workers: Int

    /// A server for `workers` worker ranks.
    init(workers: Int) { self.workers = workers }

    /// What the server collected so far (complete once `serve` has returned).
    var outcome: Outcome { state.withLock { $0 } }

    /// Makes `serve` return at its next poll (rank 0's own job failed; the launcher will end
    /// the workers when rank 0 exits).
    func abandon() { state.withLock { $0.abandoned = true } }

    /// Serves until every worker has been told to stop, a worker reports a failure, a message
    /// is malformed or the communicator fails, or `abandon()` is called. Stops `dispenser` on
    /// any failure, so rank 0's own loop ends after its current job.
    func serve(over communicator: any Communicator, handingOut dispenser: JobDispenser) {
        var assigned: [Int: Int] = [:]   // rank → the job it runs
        var active = workers
        var backoff = PollingBackoff()
        func fail(_ error: any Error) {
            dispenser.stop()
            state.withLock { $0.failure = $0.failure ?? error }
        }
        do {
            while active > 0 {
                if state.withLock({ $0.abandoned }) { return }
                guard let received = try communicator.receiveIfAvailable(from: nil, tag: WorkerMessage.tag) else {
                    backoff.pause()
                    continue
                }
                backoff = PollingBackoff()
                let source = received.source
                switch WorkerMessage(bytes: received.bytes) {
                case nil:
                    return fail(WorkQueueError.malformedMessage(rank: source))
                case .ready?:
                    break
                case let .finished(index, result)?:
                    guard assigned[source] == index else { return fail(WorkQueueError.unexpectedResult(index: index, rank: source)) }
                    state.withLock { $0.results[index] = result }
                    assigned[source] = nil
                case let .failed(index, description)?:
                    // That worker has stopped. Rank 0 reports the failure as soon as its own job
                    // ends; the launcher then ends the other workers.
                    return fail(WorkQueueError.jobFailed(index: index, rank: source, description: description))
                }
                if let next = dispenser.next() {
                    assigned[source] = next
                    try communicator.send(Assignment.job(next).bytes, to: source, tag: Assignment.tag)
                } else if dispenser.isStopped {
                    // Rank 0's own job failed (it stops the dispenser before `abandon()`): the
                    // work is not done, so no "stop"; the launcher ends the workers.
                    return
                } else {
                    try communicator.send(Assignment.stop.bytes, to: source, tag: Assignment.tag)
                    active -= 1
                }
            }
        } catch {
            fail(error)
        }
    }
}

/// Hands out job indices 0, 1, … once each, until they run out or `stop()` is called.
final class JobDispenser: Sendable {
    private let state: Mutex<(next: Int, stopped: Bool)>
    private let count: Int

    /// A dispenser of 0..<count.
    init(count: Int) {
        self.count = count
        state = Mutex((0, false))
    }

    /// The next index, or nil when all are out or the dispenser was stopped.
    func next() -> Int? {
        state.withLock { state in
            guard !state.stopped, state.next < count else { return nil }
            defer { state.next += 1 }
            return state.next
        }
    }

    /// Hands out no more indices.
    func stop() { state.withLock { $0.stopped = true } }

    /// Whether `stop()` was called (as opposed to the indices running out).
    var isStopped: Bool { state.withLock { $0.stopped } }
}

