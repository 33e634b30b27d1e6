// GEMM at 1024³, the foundation of the convolution and linear layers. (The convolution's own
// forward and forward + backward rows are in ConvolutionBenchmarks.swift.)
import Benchmark
import Kernels
import Randomness
import TensorCore

func registerGEMMBenchmarks() {
    let n = 1024
    var generator = SplitMix64(seed: 1)
    let a = Tensor.uniform([n, n], low: -1, high: 1, using: &generator)
    let b = Tensor.uniform([n, n], low: -1, high: 1, using: &generator)
    Benchmark("GEMM sgemm 1024x1024x1024", configuration: .init(metrics: rateMetrics("GFLOP/s"))) { benchmark in
        var c = [Float](repeating: 0, count: n * n)
        a.scalars.withUnsafeBufferPointer { ap in b.scalars.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            recordRate(benchmark, unit: "GFLOP/s", work: 2 * Double(n * n * n), scale: 1e9) {
                Kernels.sgemm(cp, ldc: n, ap, lda: n, transposeA: false, bp, ldb: n, transposeB: false, m: n, n: n, k: n)
            }
        } } }
    }
}
