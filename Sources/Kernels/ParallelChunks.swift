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

extension Kernels {
    /// Runs `body(part)` once for every part index in 0..<`loopWorkerCount`, the parts in
    /// parallel: part 0 on the calling thread, the others on the spinning workers (all on the
    /// calling thread, one after another, when another thread's loop holds the workers).
    ///
    /// For kernels that split their own work (tiles, chunks) and keep per-part accumulators,
    /// where `forEachChunk`'s 64-element alignment would leave a short range on one thread.
    /// `body` must write only what its part owns.
    static func forEachPart(_ body: (_ part: Int) -> Void) {
        let parts = loopWorkerCount
        guard parts > 1 else { body(0); return }
        withoutActuallyEscaping(body) { body in
            let shared = ChunkBody { range in for part in range { body(part) } }
            if !LoopWorkers.shared.run(shared, count: parts, chunk: 1) { shared.run(0..<parts) }
        }
    }

    /// The half-open share `part` of `parts` gets of 0..<`count`: contiguous, sizes differing by at most one.
    @inline(__always)
    static func share(of count: Int, part: Int, parts: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }
}
