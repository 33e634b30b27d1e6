// Independent runs of a comparison on several threads at once.
//
// Why: on a 2-core machine a training step leaves the second core mostly idle outside the GEMMs
// (OpenBLAS's second thread spins in sched_yield while the caller runs the non-BLAS stages), so
// two runs with one OpenBLAS thread each finish 1.5–1.7× sooner than the same runs one after the
// other with two threads (docs/benchmarks.md). Each run owns its model, optimiser, strategies and
// generator; the shared pieces below it are thread-safe (OpenBLAS's pthread build, the
// convolution ScratchPool, the LoopWorkers that admit one loop at a time, the autograd
// no-gradient flag, which is task-local).
import Dispatch
import Synchronization

/// Runs jobs 0..<count on up to `workers` threads, each thread taking the next job when it
/// finishes one, and returns their results in job order.
enum ConcurrentRuns {
    /// Calls `body(i)` once for every i in 0..<count, on `workers` threads (the caller's among
    /// them) when `workers > 1`, in order on the caller otherwise.
    ///
    /// After a job throws, no new job starts; the running ones finish, and the error of the
    /// lowest-numbered failed job is rethrown.
    /// - Precondition: `workers >= 1`, `count >= 0`; `body` is safe to call from several threads.
    static func map<T>(count: Int, workers: Int, _ body: (Int) throws -> T) throws -> [T] {
        precondition(workers >= 1 && count >= 0, "ConcurrentRuns.map: need workers ≥ 1 and count ≥ 0, got \(workers), \(count)")
        if workers == 1 || count <= 1 { return try (0..<count).map(body) }
        // One slot per job, each written by the one thread that ran the job.
        let slots = UnsafeMutableBufferPointer<Result<T, any Error>?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer { slots.deinitialize().deallocate() }
        let next = Atomic<Int>(0)
        let failed = Atomic<Bool>(false)
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable((body: body, slots: slots))
            DispatchQueue.concurrentPerform(iterations: min(workers, count)) { _ in
                while !failed.load(ordering: .acquiring) {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < count else { return }
                    let outcome = Result { try shared.value.body(index) }
                    if case .failure = outcome { failed.store(true, ordering: .releasing) }
                    shared.value.slots[index] = outcome
                }
            }
        }
        // concurrentPerform returns after every thread has: the slots are all written.
        for slot in slots { if case .failure(let error)? = slot { throw error } }
        return try slots.map { try $0!.get() }
    }
}

/// Carries a value that is not `Sendable` across threads whose use of it the caller has checked.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
