import Testing
import Foundation
import TensorCore
import Kernels
import Autograd
import NN
import Randomness
import TestSupport

/// Mean binary cross-entropy with logits, composed from primitives in the stable form
/// max(z, 0) − z·y + log(1 + e^−|z|) (PyTorch's `binary_cross_entropy_with_logits`).
func binaryCrossEntropy(logits z: Variable, targets y: Tensor) -> Variable {
    let absolute = z.relu() + (-z).relu()
    return (z.relu() - z * Variable(y) + ((-absolute).exp() + 1).log()).mean()
}

/// The fraction of logits on the side of 0 that the 0/1 targets name.
func accuracy(logits: Tensor, targets: Tensor) -> Double {
    let correct = zip(logits.scalars, targets.scalars).filter { ($0 > 0) == ($1 > 0.5) }.count
    return Double(correct) / Double(targets.count)
}

@Suite("Networks learn toy problems from a fixed seed")
struct TrainingConvergenceTests {
    /// Two concentric circles (radius 0.5 → label 1, radius 1 → label 0) with noise σ 0.1.
    static func circles(_ count: Int, using generator: inout SplitMix64) -> (points: Tensor, labels: Tensor) {
        var points: [Float] = [], labels: [Float] = []
        let noise = Tensor.normal([count, 2], std: 0.1, using: &generator).scalars
        for i in 0..<count {
            let inner = i % 2 == 0
            let angle = Float(generator.next() >> 40) / 16_777_216 * 2 * .pi
            let radius: Float = inner ? 0.5 : 1
            points += [radius * cos(angle) + noise[2 * i], radius * sin(angle) + noise[2 * i + 1]]
            labels.append(inner ? 1 : 0)
        }
        return (Tensor(shape: [count, 2], scalars: points), Tensor(shape: [count, 1], scalars: labels))
    }

    @Test("a 2-layer MLP separates two circles: loss < 0.05 after 300 Adam steps, test accuracy ≥ 98%")
    func mlpCircles() {
        var generator = SplitMix64(seed: 2024)
        let model = Sequential(Linear(inputFeatures: 2, outputFeatures: 32, using: &generator), ReLU(),
                               Linear(inputFeatures: 32, outputFeatures: 1, using: &generator))
        let train = Self.circles(256, using: &generator), test = Self.circles(512, using: &generator)
        var adam = Adam(model.parameters, learningRate: 0.02)
        let initial = withoutGradients { binaryCrossEntropy(logits: model(Variable(train.points)), targets: train.labels) }.value.scalar
        var loss: Float = .infinity
        for _ in 0..<300 {
            model.zeroGradients()
            let l = binaryCrossEntropy(logits: model(Variable(train.points)), targets: train.labels)
            l.backward()
            adam.step()
            loss = l.value.scalar
        }
        #expect(initial > 0.6)
        #expect(loss < 0.05, "final training loss \(loss)")
        let logits = withoutGradients { model(Variable(test.points)) }.value
        #expect(accuracy(logits: logits, targets: test.labels) >= 0.98)
    }

    /// 8×8 images with one bar (length 4–8, at a random position): label 1 horizontal, 0 vertical,
    /// plus uniform noise in [0, 0.3).
    static func bars(_ count: Int, using generator: inout SplitMix64) -> (images: Tensor, labels: Tensor) {
        var pixels = Tensor.uniform([count, 1, 8, 8], low: 0, high: 0.3, using: &generator).scalars
        var labels: [Float] = []
        for i in 0..<count {
            let horizontal = generator.next() % 2 == 0
            let length = 4 + Int(generator.next() % 5)
            let line = Int(generator.next() % 8), start = Int(generator.next() % UInt64(9 - length))
            for k in start..<(start + length) {
                let (y, x) = horizontal ? (line, k) : (k, line)
                pixels[i * 64 + y * 8 + x] = 1
            }
            labels.append(horizontal ? 1 : 0)
        }
        return (Tensor(shape: [count, 1, 8, 8], scalars: pixels), Tensor(shape: [count, 1], scalars: labels))
    }

    @Test("a small conv net tells horizontal from vertical bars: loss < 0.01, test accuracy ≥ 98%")
    func convNetBars() {
        var generator = SplitMix64(seed: 7)
        let model = Sequential(
            Conv2d(inputChannels: 1, outputChannels: 8, kernelSize: 3, padding: 1,
                   weightInitializer: .kaimingNormal(mode: .fanOut), biasInitializer: .zeros, using: &generator),
            GroupNorm(groups: 2, channels: 8), ReLU(), MaxPool2d(kernel: 2),
            Flatten(), Linear(inputFeatures: 8 * 16, outputFeatures: 1, using: &generator))
        var sgd = SGD(model.parameters, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4)
        let schedule = LearningRateSchedule(baseLearningRate: 0.05, warmupIterations: 10, warmupFactor: 0.1, milestones: [120])
        var loss: Float = .infinity
        for iteration in 0..<150 {
            let batch = Self.bars(32, using: &generator)
            sgd.learningRate = schedule.learningRate(at: iteration)
            model.zeroGradients()
            let l = binaryCrossEntropy(logits: model(Variable(batch.images)), targets: batch.labels)
            l.backward()
            sgd.step()
            loss = l.value.scalar
        }
        let test = Self.bars(512, using: &generator)
        let logits = withoutGradients { model(Variable(test.images)) }.value
        let testLoss = binaryCrossEntropy(logits: Variable(logits), targets: test.labels).value.scalar
        #expect(testLoss < 0.01, "test loss \(testLoss), last batch loss \(loss)")
        #expect(accuracy(logits: logits, targets: test.labels) >= 0.98)
    }
}
