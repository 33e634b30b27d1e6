// GEMM at 1024³ and the K9a/K9b convolution forward passes of DESIGN.md's kernel contract.
import Benchmark
import Kernels
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

    // (id, batch, in, out, size, stride): K9a 2 × 64→64 × 100², K9b 2 × 3→32 × 400² stride 2.
    for (id, batch, cin, cout, size, stride) in [("K9a", 2, 64, 64, 100, 1), ("K9b", 2, 3, 32, 400, 2)] {
        let x = Tensor.uniform([batch, cin, size, size], low: -1, high: 1, using: &generator)
        let w = Tensor.uniform([cout, cin, 3, 3], low: -0.1, high: 0.1, using: &generator)
        let bias = Tensor.zeros([cout])
        let outSize = (size + 2 - 3) / stride + 1
        let flops = 2 * Double(batch * cout * cin * 9 * outSize * outSize)
        Benchmark("\(id) conv2d 3x3 forward \(batch)x\(cin)->\(cout)x\(size)^2 s\(stride)",
                  configuration: .init(metrics: rateMetrics("GFLOP/s"))) { benchmark in
            recordRate(benchmark, unit: "GFLOP/s", work: flops, scale: 1e9) {
                blackHole(x.conv2d(weight: w, bias: bias, stride: stride, padding: 1))
            }
        }
    }
}
