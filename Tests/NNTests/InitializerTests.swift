import Testing
import Foundation
import TensorCore
import Kernels
import NN
import Randomness
import TestSupport

/// Mean and (population) standard deviation, in Double.
func moments(_ t: Tensor) -> (mean: Double, std: Double) {
    let n = Double(t.count)
    let mean = t.scalars.reduce(0.0) { $0 + Double($1) } / n
    let variance = t.scalars.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    return (mean, variance.squareRoot())
}

@Suite("Initialisers: statistics and orthogonality")
struct InitializerTests {
    @Test("fans follow torch's _calculate_fan_in_and_fan_out")
    func fans() {
        #expect(Fans(weightShape: [64, 32, 3, 3]) == Fans(fanIn: 288, fanOut: 576))
        #expect(Fans(weightShape: [256, 3136]) == Fans(fanIn: 3136, fanOut: 256))
    }

    @Test("Kaiming normal, fan_out, ReLU gain: std √2/√fan_out")
    func kaimingNormal() {
        var generator = SplitMix64(seed: 11)
        // [64, 64, 3, 3]: fan_out 576, std = √(2/576) = 0.058926; 36,864 samples.
        let w = Initializer.kaimingNormal(mode: .fanOut).weight([64, 64, 3, 3], using: &generator)
        let (mean, std) = moments(w)
        #expect(abs(mean) < 0.002)
        expectClose(std, (2.0 / 576).squareRoot(), relativeTolerance: 0.02)
        // fan_in mode on a non-square weight: [32, 128] → std √(2/128) = 0.125.
        let v = Initializer.kaimingNormal(mode: .fanIn).weight([512, 128], using: &generator)
        expectClose(moments(v).std, 0.125, relativeTolerance: 0.02)
    }

    @Test("PyTorch default: weight and bias uniform ±1/√fan_in")
    func pytorchDefault() {
        var generator = SplitMix64(seed: 12)
        // Linear 3136 → 256: bound 1/56; U(−b, b) has std b/√3.
        let shape = [256, 3136]
        let w = Initializer.pytorchDefault.weight(shape, using: &generator)
        let bound = 1.0 / 56
        #expect(w.scalars.allSatisfy { abs(Double($0)) <= bound })
        let (mean, std) = moments(w)
        #expect(abs(mean) < 1e-4)
        expectClose(std, bound / 3.0.squareRoot(), relativeTolerance: 0.01)
        let b = Initializer.pytorchDefault.bias(20_000, weightShape: shape, using: &generator)
        #expect(b.scalars.allSatisfy { abs(Double($0)) <= bound })
        expectClose(moments(b).std, bound / 3.0.squareRoot(), relativeTolerance: 0.02)
        // And the layer uses it: Conv2d 64→64 3×3 has fan_in 576, bound 1/24.
        let conv = Conv2d(inputChannels: 64, outputChannels: 64, kernelSize: 3, using: &generator)
        #expect(conv.weight.value.scalars.allSatisfy { abs($0) <= 1.0 / 24 })
        #expect(conv.bias!.value.scalars.allSatisfy { abs($0) <= 1.0 / 24 })
        expectClose(moments(conv.weight.value).std, 1.0 / 24 / 3.0.squareRoot(), relativeTolerance: 0.02)
    }

    @Test("normal(std 0.01), uniform and constant")
    func simpleCases() {
        var generator = SplitMix64(seed: 13)
        let w = Initializer.normal(std: 0.01).weight([9, 64, 1, 1], using: &generator)
        let n = Initializer.normal(mean: 0.5, std: 0.01).tensor([100_000], fans: nil, using: &generator)
        let (mean, std) = moments(n)
        expectClose(mean, 0.5, relativeTolerance: 0, absoluteTolerance: 1e-4)
        expectClose(std, 0.01, relativeTolerance: 0.02)
        #expect(w.shape == [9, 64, 1, 1])
        let u = Initializer.uniform(low: 2, high: 3).tensor([50_000], fans: nil, using: &generator)
        #expect(u.scalars.allSatisfy { $0 >= 2 && $0 < 3 })
        expectClose(moments(u).mean, 2.5, relativeTolerance: 0, absoluteTolerance: 0.005)
        #expect(Initializer.zeros.bias(5, weightShape: [5, 2], using: &generator) == .zeros([5]))
        #expect(Initializer.constant(0.25).weight([2, 2], using: &generator) == Tensor(repeating: 0.25, shape: [2, 2]))
    }

    /// The Gram matrix of the rows (rows < cols) or columns (rows ≥ cols) of a [rows, cols] matrix.
    func gram(_ q: Tensor) -> Tensor {
        q.shape[0] < q.shape[1] ? q.matmul(q, transposeOther: true) : q.matmul(q, transposeSelf: true)
    }

    @Test("orthogonal: QᵀQ = I for tall, wide and 4-D weights; gain scales")
    func orthogonal() {
        var generator = SplitMix64(seed: 14)
        for shape in [[50, 20], [20, 50], [30, 30], [8, 4, 3, 3]] {
            let w = Initializer.orthogonal().weight(shape, using: &generator)
            #expect(w.shape == shape)
            let rows = shape[0], cols = w.count / rows
            let g = gram(w.reshaped(to: [rows, cols]))
            let k = min(rows, cols)
            var identity = [Float](repeating: 0, count: k * k)
            for i in 0..<k { identity[i * k + i] = 1 }
            expectClose(g.scalars, identity, relativeTolerance: 0, absoluteTolerance: 1e-5, "shape \(shape)")
        }
        let scaled = Initializer.orthogonal(gain: 2).weight([10, 10], using: &generator)
        let g = gram(scaled)
        expectClose((0..<10).map { g.scalars[$0 * 11] }, [Float](repeating: 4, count: 10), relativeTolerance: 1e-5)
    }

    @Test("a fixed seed gives the same weights")
    func reproducible() {
        var a = SplitMix64(seed: 5), b = SplitMix64(seed: 5)
        #expect(Initializer.kaimingNormal().weight([4, 3, 3, 3], using: &a) == Initializer.kaimingNormal().weight([4, 3, 3, 3], using: &b))
    }
}
