// Splitting a long element-wise loop across the machine's cores.
//
// Why here and not in the callers: the loss kernels are one pass over contiguous buffers, so a
// range split is race-free (each worker writes only its own range) and costs one dispatch per
// call. Short loops stay on the calling thread, where a dispatch would cost more than it saves.
// These loops never wrap a BLAS call, so they do not nest with OpenBLAS's threads. The threads
// are LoopWorkers' (LoopWorkers.swift).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Kernels {
    /// The number of workers a split loop uses: the online processor count (2 on the reference machine).
    static let loopWorkerCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Runs `body` over disjoint ranges covering 0..<n, in parallel when each worker would get
    /// at least `minimumChunk` elements; otherwise once, on the calling thread, over 0..<n.
    ///
    /// Chunk boundaries are multiples of 64 elements so that vectorised loops keep aligned
    /// bodies. `body` must write only inside the range it is given.
    @inline(__always)
    static func forEachChunk(count n: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
        let workers = min(loopWorkerCount, n / max(minimumChunk, 1))
        guard workers > 1 else {
            if n > 0 { body(0..<n) }
            return
        }
        let chunk = ((n + workers - 1) / workers + 63) & ~63
        withoutActuallyEscaping(body) { body in
            let shared = ChunkBody(run: body)
            // Chunk 0 here, the rest on the spinning workers; when another thread's loop holds
            // them, this loop runs alone.
            if !LoopWorkers.shared.run(shared, count: n, chunk: chunk) { shared.run(0..<n) }
        }
    }

    /// A loop body handed to the workers of ``forEachChunk(count:minimumChunk:_:)``.
    ///
    /// `@unchecked Sendable` because the body captures raw buffer pointers; invariant: each
    /// call writes only the elements of its own range, and the ranges are disjoint.
    struct ChunkBody: @unchecked Sendable {
        let run: (Range<Int>) -> Void
    }

    /// The element count above which the transcendental loss loops split across workers
    /// (about 30 µs of single-core work, against a few µs to dispatch).
    static let lossLoopMinimumChunk = 32_768
}
