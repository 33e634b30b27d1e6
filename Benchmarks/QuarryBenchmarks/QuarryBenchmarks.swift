// Kernel benchmark contract of DESIGN.md: each group lives in its own file and registers here.
// Run with `swift package benchmark` (add `--filter K9` etc. to pick workloads).
import Benchmark

let benchmarks: @Sendable () -> Void = {
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
