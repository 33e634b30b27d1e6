// Persistent worker threads for the split element-wise loops, which wait by spinning briefly
// before they sleep (OpenMP's "active then passive" wait policy, as libgomp and OpenBLAS do).
//
// Why not DispatchQueue.concurrentPerform: a loss kernel over 120,000 elements takes ~90 µs on
// one core, and waking a parked libdispatch thread on this VM takes tens of µs, so most calls
// ran on the calling thread alone (K1a median 1.48e9 elem/s against 2.5e9 when both halves ran
// together). A worker that is still spinning from the previous call starts within a µs.
//
// Protocol (one job at a time; `busy` admits one submitter, the others run their loop alone):
//   submitter: write `job`, set `pending`, bump `generation` (sequentially consistent), wake
//              sleepers, run chunk 0, spin until `pending` is 0.
//   worker w:  wait until `generation` moves (spin up to `spinNanoseconds`, then sleep on the
//              condition variable), run chunk w + 1, decrement `pending`.
// The Dekker pair (`generation` then `sleepers` in the submitter; `sleepers` then `generation`
// in a worker about to sleep) is sequentially consistent, so a wake-up is never lost.
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Kernels {
    /// The threads that run chunks 1… of ``forEachChunk(count:minimumChunk:_:)``; chunk 0 runs on
    /// the caller.
    ///
    /// `@unchecked Sendable`: `job` is written only by the submitter holding `busy`, before the
    /// `generation` bump that publishes it, and read by workers only after they observe that bump.
    final class LoopWorkers: @unchecked Sendable {
        /// One job: the chunk body and its split.
        struct Job {
            var body: ChunkBody
            var count: Int
            var chunk: Int
        }

        /// The process-wide pool: one thread per extra core (none on one core).
        static let shared = LoopWorkers(threadCount: loopWorkerCount - 1)

        /// How long an idle worker spins before sleeping: a few loss-kernel calls' worth, so
        /// back-to-back kernels keep it awake without holding a core between training stages.
        static let spinNanoseconds: UInt64 = 200_000

        let threadCount: Int
        private let generation = Atomic<Int>(0)
        private let pending = Atomic<Int>(0)
        private let sleepers = Atomic<Int>(0)
        private let busy = Atomic<Bool>(false)
        private let job = UnsafeMutablePointer<Job?>.allocate(capacity: 1)
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

        private init(threadCount: Int) {
            self.threadCount = max(0, threadCount)
            job.initialize(to: nil)
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(condition, nil)
            for worker in 0..<self.threadCount { startThread(worker: worker) }
        }

        // The shared pool lives for the whole process; its threads are never joined.

        /// Runs `body` over chunk 0 on the calling thread and chunks 1…threadCount on the
        /// workers, returning when all are done; or returns false, running nothing, when another
        /// job holds the pool (the caller then runs the loop itself).
        func run(_ body: ChunkBody, count: Int, chunk: Int) -> Bool {
            guard threadCount > 0, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
                return false
            }
            job.pointee = Job(body: body, count: count, chunk: chunk)
            pending.store(threadCount, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(condition)
                pthread_mutex_unlock(mutex)
            }
            body.run(0..<min(count, chunk))
            while pending.load(ordering: .acquiring) > 0 { sched_yield() }
            job.pointee = nil
            busy.store(false, ordering: .releasing)
            return true
        }

        private func startThread(worker: Int) {
            let context = Unmanaged.passRetained(WorkerContext(pool: self, worker: worker)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.pool.workerLoop(worker: context.worker)
            }, context)
            precondition(status == 0, "LoopWorkers: pthread_create failed with \(status)")
            pthread_detach(thread)
        }

        private func workerLoop(worker: Int) -> Never {
            // 0, not a fresh load: the first job may be published before this thread runs.
            var seen = 0
            while true {
                seen = waitForJob(after: seen)
                runChunk(worker: worker)
                pending.subtract(1, ordering: .releasing)
            }
        }

        /// Runs the worker's chunk of the current job. Not inlined, so that its copy of the job's
        /// closure is released before `pending` tells the submitter the job is done (the
        /// submitter's `withoutActuallyEscaping` checks that nobody still holds it).
        @inline(never)
        private func runChunk(worker: Int) {
            guard let job = self.job.pointee else { return }
            let start = min(job.count, (worker + 1) * job.chunk), end = min(job.count, start + job.chunk)
            if start < end { job.body.run(start..<end) }
        }

        /// Spins, then sleeps, until `generation` differs from `seen`; returns the new value.
        private func waitForJob(after seen: Int) -> Int {
            let deadline = monotonicNanoseconds() + Self.spinNanoseconds
            while true {
                let current = generation.load(ordering: .acquiring)
                if current != seen { return current }
                if monotonicNanoseconds() > deadline { break }
                sched_yield()
            }
            pthread_mutex_lock(mutex)
            sleepers.add(1, ordering: .sequentiallyConsistent)
            var current = generation.load(ordering: .sequentiallyConsistent)
            while current == seen {
                pthread_cond_wait(condition, mutex)
                current = generation.load(ordering: .sequentiallyConsistent)
            }
            sleepers.subtract(1, ordering: .sequentiallyConsistent)
            pthread_mutex_unlock(mutex)
            return current
        }

        private func monotonicNanoseconds() -> UInt64 {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
        }
    }

    /// What a worker thread's entry point receives.
    private final class WorkerContext {
        let pool: LoopWorkers
        let worker: Int
        init(pool: LoopWorkers, worker: Int) { self.pool = pool; self.worker = worker }
    }
}
