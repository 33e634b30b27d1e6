// Kernel benchmark contract of DESIGN.md: each group lives in its own file and registers here.
// Run with `swift package benchmark` (add `--filter K9` etc. to pick workloads).
import Benchmark
import Kernels

let benchmarks: @Sendable () -> Void = {
    // As `quarry train` does: keep freed memory for reuse (glibc would hand the training step's
    // tensors back and fault them in again; see Kernels.retainFreedMemory).
    Kernels.retainFreedMemory()
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        warmupIterations: 3,
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 1_000
    )
    registerGEMMBenchmarks()
    registerConvolutionBenchmarks()
    registerBoxBenchmarks()
    registerLossBenchmarks()
    registerSelectionBenchmarks()
    registerSamplingBenchmarks()
    registerModelBenchmarks()
}
