// The machine ceilings the contract rows are judged against, measured as workloads so that they
// run under the same timing as the rows: sgemm 1024³ through `Kernels.sgemm` (the GEMM-bound
// rows' ceiling) and the copy of a buffer much larger than the caches (the streaming rows').
//
// Legend: M = N = K = 1024 for the GEMM; S the copy's size in bytes.
// Copy bandwidth is counted as STREAM counts it: S bytes read plus S bytes written per copy
// (the write-allocate read of the destination is not counted). The copy is split into one
// contiguous part per BLAS thread, because the streaming kernels (the loss loops) run on that
// many cores too.
import Dispatch
import Kernels
import Randomness

/// Two page-aligned byte buffers, touched at creation so that no page fault is timed.
private final class CopyBuffers: @unchecked Sendable {
    // @unchecked: each run writes disjoint ranges of `destination`, one per thread.
    let source, destination: UnsafeMutableRawPointer
    let size: Int

    init(size: Int) {
        self.size = size
        source = .allocate(byteCount: size, alignment: 4096)
        destination = .allocate(byteCount: size, alignment: 4096)
        source.initializeMemory(as: UInt8.self, repeating: 1, count: size)
        destination.initializeMemory(as: UInt8.self, repeating: 0, count: size)
    }

    deinit {
        source.deallocate()
        destination.deallocate()
    }

    /// Copies the source into the destination, one contiguous part per thread.
    func copy(threads: Int) {
        let part = (size / threads + 63) & ~63
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let start = min(t * part, size), end = min(start + part, size)
            (destination + start).copyMemory(from: source + start, byteCount: end - start)
        }
    }
}

extension KernelContract {
    /// The id of the sgemm ceiling workload.
    public static let sgemmCeilingID = "GEMM"
    /// The id of the memory-copy ceiling workload.
    public static let copyCeilingID = "COPY"
    /// The bytes of the copy ceiling's buffer: 512 MiB, twice the largest L3 cache of the
    /// machines Quarry is measured on (260 MiB), so the copy streams from memory.
    public static let copyBufferBytes = 512 << 20

    /// sgemm 1024³ in GFLOP/s (2·M·N·K FLOPs per run) and the memory copy in GB/s.
    static var ceilingWorkloads: [Workload] {
        let n = 1024
        return [
            Workload(id: sgemmCeilingID, name: "GEMM sgemm 1024x1024x1024", role: .ceiling,
                     unit: "GFLOP/s", workPerRun: 2 * Double(n * n * n) / 1e9, benchmarkMetric: (unit: "GFLOP/s", scale: 1),
                     ceiling: .sgemm(flopsPerUnit: 1e9, basis: "the ceiling itself"),
                     prepare: {
                         var generator = SplitMix64(seed: 1)
                         let a = OwnedBuffer<Float>(count: n * n) { _ in Float.random(in: -1..<1, using: &generator) }
                         let b = OwnedBuffer<Float>(count: n * n) { _ in Float.random(in: -1..<1, using: &generator) }
                         let c = OwnedBuffer<Float>(count: n * n) { _ in 0 }
                         return {
                             Kernels.sgemm(c.mutable, ldc: n, a.readOnly, lda: n, transposeA: false, b.readOnly, ldb: n, transposeB: false,
                                           m: n, n: n, k: n)
                             blackHole(c.mutable[0])
                         }
                     }),
            Workload(id: copyCeilingID, name: "COPY memory copy 512 MiB", role: .ceiling,
                     unit: "GB/s", workPerRun: 2 * Double(copyBufferBytes) / 1e9, benchmarkMetric: (unit: "GB/s", scale: 1),
                     ceiling: .memoryCopy(bytesPerUnit: 1e9, basis: "the ceiling itself"),
                     timing: Workload.Timing(warmupRuns: 2, maxSeconds: 3, maxRuns: 100),
                     prepare: {
                         let buffers = CopyBuffers(size: copyBufferBytes)
                         let threads = max(1, Kernels.blasThreadCount)
                         return {
                             buffers.copy(threads: threads)
                             blackHole(buffers.destination.load(as: UInt8.self))
                         }
                     }),
        ]
    }
}
