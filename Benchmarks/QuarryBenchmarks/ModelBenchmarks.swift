// K11 of DESIGN.md's contract: one TinyFasterRCNN training step (strategy `random`: forward,
// backward, SGD step) on a batch of 2 × 400² images, in images per second.
import Autograd
import Benchmark
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

func registerModelBenchmarks() {
    Benchmark("K11 TinyFasterRCNN training step (random) 2x400^2",
              configuration: .init(metrics: rateMetrics("images/s"), warmupIterations: 2, maxDuration: .seconds(10),
                                   maxIterations: 40)) { benchmark in
        var generator = SplitMix64(seed: 11)
        let (images, groundTruth) = benchmarkBatch(using: &generator)
        let model = TinyFasterRCNN(classCount: 1, using: &generator)
        var optimizer = SGD(model.parameters, learningRate: 0.001, momentum: 0.9, weightDecay: 1e-4)
        var strategies = model.heads.map { SamplerKind.random.makeStrategy(for: $0) }
        let samplingImages = (0..<2).map { SamplingImage(id: $0, width: 400, height: 400) }
        recordRate(benchmark, unit: "images/s", work: 2, scale: 1) {
            optimizer.zeroGradients()
            let losses = model.trainingLoss(images: images, groundTruth: groundTruth, samplingImages: samplingImages,
                                            progress: TrainingProgress(step: 0, stepsPerEpoch: 1), strategies: &strategies,
                                            using: &generator)
            losses.total.backward()
            optimizer.step()
        }
    }
}
