// K9a/K9b of DESIGN.md's kernel contract: 3×3 convolution through the autograd primitive
// (Kernels.convolutionForward/Backward: shifted GEMMs at stride 1, phase-split im2col + GEMM
// otherwise), as a training step runs it.
// FLOPs: forward 2·N·F·C·9·OH·OW; backward (input and weight gradients) twice that.
import Benchmark
import Kernels
import TensorCore
import Autograd
import Randomness

/// One convolution workload of the contract.
private struct ConvolutionWorkload {
    let id: String
    let batch, inputChannels, outputChannels, size, stride: Int
    var outputSize: Int { (size + 2 - 3) / stride + 1 }
    /// Forward FLOPs: 2·N·F·C·9·OH·OW.
    var forwardFLOPs: Double { 2 * Double(batch * outputChannels * inputChannels * 9 * outputSize * outputSize) }
    var label: String { "\(batch)x\(inputChannels)->\(outputChannels)x\(size)^2 s\(stride)" }
}

/// Registers K9a (2 × 64→64 × 100², stride 1) and K9b (2 × 3→32 × 400², stride 2), each as
/// forward only (`Variable.conv2d` in a no-gradient scope) and forward + backward (input, weight
/// and bias gradients), through the autograd primitive a training step uses.
func registerConvolutionBenchmarks() {
    let configuration = Benchmark.Configuration(metrics: rateMetrics("GFLOP/s"), warmupIterations: 3,
                                                maxDuration: .seconds(5), maxIterations: 200)
    for workload in [ConvolutionWorkload(id: "K9a", batch: 2, inputChannels: 64, outputChannels: 64, size: 100, stride: 1),
                     ConvolutionWorkload(id: "K9b", batch: 2, inputChannels: 3, outputChannels: 32, size: 400, stride: 2)] {
        var generator = SplitMix64(seed: 9)
        let x = Tensor.uniform([workload.batch, workload.inputChannels, workload.size, workload.size], low: -1, high: 1, using: &generator)
        let w = Tensor.normal([workload.outputChannels, workload.inputChannels, 3, 3], std: 0.05, using: &generator)
        let b = Tensor.zeros([workload.outputChannels])
        let seed = Tensor.uniform([workload.batch, workload.outputChannels, workload.outputSize, workload.outputSize],
                                  low: -1, high: 1, using: &generator)

        Benchmark("\(workload.id) conv 3x3 fwd+bwd \(workload.label)", configuration: configuration) { benchmark in
            let input = Variable(x, requiresGradient: true)
            let weight = Variable(w, requiresGradient: true), bias = Variable(b, requiresGradient: true)
            recordRate(benchmark, unit: "GFLOP/s", work: 3 * workload.forwardFLOPs, scale: 1e9) {
                input.zeroGradient(); weight.zeroGradient(); bias.zeroGradient()
                let y = input.conv2d(weight: weight, bias: bias, stride: workload.stride, padding: 1)
                y.backward(seed: seed)
                blackHole(weight.gradient)
            }
        }
        Benchmark("\(workload.id) conv 3x3 fwd-only \(workload.label)", configuration: configuration) { benchmark in
            // Inference as the detector runs it: the primitive in a no-gradient scope (no graph kept).
            let input = Variable(x), weight = Variable(w), bias = Variable(b)
            recordRate(benchmark, unit: "GFLOP/s", work: workload.forwardFLOPs, scale: 1e9) {
                blackHole(withoutGradients { input.conv2d(weight: weight, bias: bias, stride: workload.stride, padding: 1) })
            }
        }
    }
}
