// Throughput as DESIGN.md states it (GFLOP/s, elements/s, …), recorded as a custom metric so
// the benchmark table shows the contract's unit directly.
import Benchmark
import Foundation

/// Runs `body` once per benchmark iteration, timing it with a monotonic clock, and records
/// `work / seconds / scale` under the metric `unit` (larger is better). Call inside a
/// `Benchmark` closure; the reported p50 is the median over iterations.
/// - Parameters:
///   - work: units of work one call of `body` performs (FLOPs, elements, RoIs…).
///   - scale: divisor applied before rounding to an integer sample (1e6 → "M…/s").
func recordRate(_ benchmark: Benchmark, unit: String, work: Double, scale: Double, _ body: () -> Void) {
    let metric = BenchmarkMetric.custom(unit, polarity: .prefersLarger, useScalingFactor: false)
    for _ in benchmark.scaledIterations {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        benchmark.measurement(metric, Int((work / seconds / scale).rounded()))
    }
}

/// The metrics of rate benchmarks: wall clock plus the custom rate metric.
func rateMetrics(_ unit: String) -> [BenchmarkMetric] {
    [.wallClock, .custom(unit, polarity: .prefersLarger, useScalingFactor: false)]
}
