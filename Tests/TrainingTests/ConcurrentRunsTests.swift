// ConcurrentRuns: every job runs once, results come back in job order, and a failure is the
// lowest-numbered failed job's error.
import Foundation
import Synchronization
import Testing
@testable import Training

@Suite("Concurrent runs")
struct ConcurrentRunsTests {
    struct JobFailed: Error, Equatable { let index: Int }

    @Test("results in job order, each job once, on several threads", arguments: [1, 2, 3, 8])
    func order(workers: Int) throws {
        let calls = Mutex<[Int]>([])
        let threads = Mutex<Set<UInt64>>([])
        let squares = try ConcurrentRuns.map(count: 9, workers: workers) { index in
            calls.withLock { $0.append(index) }
            threads.withLock { _ = $0.insert(UInt64(pthread_self())) }
            usleep(2_000)   // long enough for a second worker to take a job
            return index * index
        }
        #expect(squares == [0, 1, 4, 9, 16, 25, 36, 49, 64])
        #expect(calls.withLock { $0.sorted() } == Array(0..<9))
        if workers == 1 { #expect(threads.withLock { $0.count } == 1) }
    }

    @Test("a failing job's error is rethrown; with two failures, the lower-numbered one")
    func failure() {
        #expect(throws: JobFailed(index: 2)) {
            _ = try ConcurrentRuns.map(count: 4, workers: 1) { index in
                if index >= 2 { throw JobFailed(index: index) }
                return index
            }
        }
        // Both workers start at once, so jobs 0 and 1 both run and both fail.
        #expect(throws: JobFailed(index: 0)) {
            _ = try ConcurrentRuns.map(count: 6, workers: 2) { index in
                usleep(5_000)
                throw JobFailed(index: index)
            }
        }
    }

    @Test("no jobs: no results")
    func empty() throws {
        #expect(try ConcurrentRuns.map(count: 0, workers: 2) { $0 }.isEmpty)
    }
}
