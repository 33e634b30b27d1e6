// K9a/K9b of DESIGN.md's contract: 3×3 convolution through the autograd primitive
// (Kernels.convolutionForward/Backward: shifted GEMMs at stride 1, phase-split im2col + GEMM
// otherwise), as a training step runs it.
//
// Legend: N batch, C input channels, F output channels, H×W input, OH×OW output, padding 1.
// FLOPs: forward 2·N·F·C·9·OH·OW; backward (input and weight gradients) twice that.
// Ceiling: sgemm (the work is GEMMs), 1e9 FLOPs per GFLOP of throughput.
import Autograd
import Kernels
import Randomness
import TensorCore

/// One convolution shape of the contract.
private struct ConvolutionShape: Sendable {
    let id: String
    let batch, inputChannels, outputChannels, size, stride: Int
    var outputSize: Int { (size + 2 - 3) / stride + 1 }
    /// Forward GFLOPs: 2·N·F·C·9·OH·OW / 1e9.
    var forwardGFLOP: Double { 2 * Double(batch * outputChannels * inputChannels * 9 * outputSize * outputSize) / 1e9 }
    var label: String { "\(batch)x\(inputChannels)->\(outputChannels)x\(size)^2 s\(stride)" }

    /// x [N, C, H, W] uniform in [−1, 1), w [F, C, 3, 3] normal (std 0.05), zero bias, and the
    /// output gradient [N, F, OH, OW] uniform in [−1, 1), from seed 9.
    func inputs() -> (x: Tensor, w: Tensor, b: Tensor, seed: Tensor) {
        var generator = SplitMix64(seed: 9)
        let x = Tensor.uniform([batch, inputChannels, size, size], low: -1, high: 1, using: &generator)
        let w = Tensor.normal([outputChannels, inputChannels, 3, 3], std: 0.05, using: &generator)
        let seed = Tensor.uniform([batch, outputChannels, outputSize, outputSize], low: -1, high: 1, using: &generator)
        return (x, w, Tensor.zeros([outputChannels]), seed)
    }
}

extension KernelContract {
    /// K9a (2 × 64→64 × 100², stride 1) and K9b (2 × 3→32 × 400², stride 2): forward +
    /// backward (input, weight and bias gradients) as the contract row, forward only (in a
    /// no-gradient scope, as inference runs it) as a variant.
    static var convolutionWorkloads: [Workload] {
        let timing = Workload.Timing(warmupRuns: 3, maxSeconds: 5, maxRuns: 200)
        let metric = (unit: "GFLOP/s", scale: 1.0)
        let ceiling = Workload.Ceiling.sgemm(flopsPerUnit: 1e9, basis: "1e9 FLOP per GFLOP: forward 2·N·F·C·9·OH·OW, backward twice that")
        var workloads: [Workload] = []
        for shape in [ConvolutionShape(id: "K9a", batch: 2, inputChannels: 64, outputChannels: 64, size: 100, stride: 1),
                      ConvolutionShape(id: "K9b", batch: 2, inputChannels: 3, outputChannels: 32, size: 400, stride: 2)] {
            workloads.append(Workload(
                id: shape.id, name: "\(shape.id) conv 3x3 fwd+bwd \(shape.label)", role: .contract,
                unit: "GFLOP/s", workPerRun: 3 * shape.forwardGFLOP, benchmarkMetric: metric, ceiling: ceiling, timing: timing,
                prepare: {
                    let (x, w, b, seed) = shape.inputs()
                    let input = Variable(x, requiresGradient: true)
                    let weight = Variable(w, requiresGradient: true), bias = Variable(b, requiresGradient: true)
                    return {
                        input.zeroGradient(); weight.zeroGradient(); bias.zeroGradient()
                        let y = input.conv2d(weight: weight, bias: bias, stride: shape.stride, padding: 1)
                        y.backward(seed: seed)
                        blackHole(weight.gradient)
                    }
                }))
            workloads.append(Workload(
                id: shape.id, name: "\(shape.id) conv 3x3 fwd-only \(shape.label)", role: .variant,
                unit: "GFLOP/s", workPerRun: shape.forwardGFLOP, benchmarkMetric: metric, ceiling: ceiling, timing: timing,
                prepare: {
                    let (x, w, b, _) = shape.inputs()
                    let input = Variable(x), weight = Variable(w), bias = Variable(b)
                    return {
                        blackHole(withoutGradients { input.conv2d(weight: weight, bias: bias, stride: shape.stride, padding: 1) })
                    }
                }))
        }
        return workloads
    }
}
