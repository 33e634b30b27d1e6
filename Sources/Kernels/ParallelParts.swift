// Splitting a row- or plane-granular loop across the machine's cores, for the data movement
// around the convolution GEMMs (padding, phase splits, column copies, gathers). Those loops are
// serial work between multi-threaded GEMMs, so on two cores they would otherwise cost twice
// their share of the wall time. They never wrap a BLAS call.
import Dispatch

extension Kernels {
    /// Runs `body` over near-equal disjoint ranges covering 0..<n (no alignment, unlike
    /// ``forEachChunk(count:minimumChunk:_:)``, whose 64-element rounding would leave a worker
    /// idle on 64 planes), in parallel when each worker would get at least `minimumPart` items;
    /// otherwise once, on the calling thread. `body` must write only what its range owns.
    @inline(__always)
    static func forEachPart(count n: Int, minimumPart: Int, _ body: (Range<Int>) -> Void) {
        let workers = min(loopWorkerCount, n / max(minimumPart, 1))
        guard workers > 1 else {
            if n > 0 { body(0..<n) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = ChunkBody(run: body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let start = n * w / workers, end = n * (w + 1) / workers
                if start < end { shared.run(start..<end) }
            }
        }
    }

    /// The minimum items per worker for a loop whose items each move `itemSize` floats: about
    /// 16K floats (tens of microseconds), against a few microseconds to dispatch.
    @inline(__always)
    static func minimumPart(itemSize: Int) -> Int { max(1, 16_384 / max(itemSize, 1)) }
}
