// K11 of DESIGN.md's contract: one TinyFasterRCNN training step (strategy `random`: forward,
// backward, SGD step) on a batch of 2 × 400² images, in images per second.
//
// Ceiling: sgemm. The step's GEMM work per image, counted from DESIGN.md's network at 400×400:
// the five backbone convolutions, the RPN's 3×3 and two 1×1 convolutions, and the RoI head's
// four linear layers on the 128 RoIs that `random` samples; backward twice the forward, less the
// first convolution's input gradient (the images need none). GroupNorm, ReLU, RoI Align,
// matching, sampling and NMS are not counted: they are the part that is not GEMM.
import Autograd
import Detection
import Kernels
import NN
import Randomness
import TensorCore

/// A batch of 2 noise images (RGB 0–255) with 30 random 16–64 px boxes each, from a fixed seed.
private func benchmarkBatch(using generator: inout SplitMix64) -> (images: Tensor, groundTruth: [GroundTruth]) {
    let images = Tensor.uniform([2, 3, 400, 400], low: 0, high: 255, using: &generator)
    let groundTruth = (0..<2).map { _ in
        var boxes: [Float] = []
        for _ in 0..<30 {
            let side = Float(16 + Int(generator.next() % 49))
            let x = Float(generator.next() % 330), y = Float(generator.next() % 330)
            boxes += [x, y, min(x + side, 400), min(y + side, 400)]
        }
        return GroundTruth(boxes: Tensor(shape: [30, 4], scalars: boxes), labels: [Int](repeating: 1, count: 30))
    }
    return (images, groundTruth)
}

extension KernelContract {
    /// The nominal FLOPs of one training step per 400×400 image (about 2.99 GFLOP; see the file
    /// header for what is counted).
    static var trainingStepFLOPsPerImage: Double {
        // (input channels, output channels, kernel side, output side) of each convolution.
        let convolutions: [(Int, Int, Int, Int)] = [
            (3, 16, 3, 200), (16, 32, 3, 100), (32, 32, 3, 100), (32, 64, 3, 50), (64, 64, 3, 50),  // backbone
            (64, 64, 3, 50), (64, 9, 1, 50), (64, 36, 1, 50),                                        // RPN head
        ]
        let convolutionFLOPs = convolutions.map { 2.0 * Double($0.0 * $0.1 * $0.2 * $0.2 * $0.3 * $0.3) }
        // RoI head on 128 RoIs: 3,136 → 256 → 256 → (2 class logits, 8 box deltas), one class.
        let linearFLOPs = [(3_136, 256), (256, 256), (256, 2), (256, 8)].map { 2.0 * 128 * Double($0.0 * $0.1) }
        let forward = convolutionFLOPs.reduce(0, +) + linearFLOPs.reduce(0, +)
        return 3 * forward - convolutionFLOPs[0]
    }

    /// K11: forward, backward and an SGD step (learning rate 0.001, momentum 0.9, weight decay
    /// 1e-4) of a one-class TinyFasterRCNN, seed 11.
    static var modelWorkloads: [Workload] {
        let flops = trainingStepFLOPsPerImage
        return [
            Workload(id: "K11", name: "K11 TinyFasterRCNN training step (random) 2x400^2", role: .contract,
                     unit: "images/s", workPerRun: 2, benchmarkMetric: (unit: "images/s", scale: 1),
                     ceiling: .sgemm(flopsPerUnit: flops,
                                     basis: "\((flops / 1e7).rounded() / 100) GFLOP/image: convolutions and linear layers, forward and backward"),
                     timing: Workload.Timing(warmupRuns: 2, maxSeconds: 10, maxRuns: 40),
                     prepare: {
                         var generator = SplitMix64(seed: 11)
                         let (images, groundTruth) = benchmarkBatch(using: &generator)
                         let model = TinyFasterRCNN(classCount: 1, using: &generator)
                         var optimizer = SGD(model.parameters, learningRate: 0.001, momentum: 0.9, weightDecay: 1e-4)
                         var strategies = model.heads.map { StrategyKind.random.makeStrategy(for: $0) }
                         let samplingImages = (0..<2).map { SamplingImage(id: $0, width: 400, height: 400) }
                         return {
                             optimizer.zeroGradients()
                             let losses = model.trainingLoss(images: images, groundTruth: groundTruth, samplingImages: samplingImages,
                                                             progress: TrainingProgress(step: 0, stepsPerEpoch: 1),
                                                             strategies: &strategies, using: &generator)
                             losses.total.backward()
                             optimizer.step()
                         }
                     }),
        ]
    }
}
