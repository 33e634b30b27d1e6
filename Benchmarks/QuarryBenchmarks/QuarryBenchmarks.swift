// Kernel benchmark contract of DESIGN.md, under ordo-one/benchmark. The workloads themselves
// (inputs, body, work per run, ceiling) are defined once in the KernelContract module, which
// `quarry bench` also runs; this file registers each as a benchmark of the same name.
// Run with `swift package benchmark` (add `--filter "K9.*"` etc. to pick workloads).
import Benchmark
import KernelContract
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
    for workload in KernelContract.workloads {
        let metric = workload.benchmarkMetric
        let configuration = Benchmark.Configuration(
            metrics: rateMetrics(metric.unit),
            warmupIterations: workload.timing.warmupRuns,
            maxDuration: .milliseconds(Int((workload.timing.maxSeconds * 1_000).rounded())),
            maxIterations: workload.timing.maxRuns
        )
        Benchmark(workload.name, configuration: configuration) { benchmark in
            // Inputs are built here, once per benchmark, outside the timed body.
            let body = workload.prepare()
            recordRate(benchmark, unit: metric.unit, work: workload.workPerRun, scale: metric.scale, body)
        }
    }
}
