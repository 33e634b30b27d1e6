import Testing
import TensorCore
import Autograd
import TestSupport

/// Random inputs kept away from 0 so ReLU/log/div are smooth at the probe points.
func smoothInput(_ shape: [Int], seed: UInt64, positive: Bool = false) -> Tensor {
    let values = randomFloats(shape.reduce(1, *), seed: seed, range: 0.3...1.5)
    let signs = randomFloats(values.count, seed: seed &+ 99)
    return Tensor(shape: shape, scalars: zip(values, signs).map { positive || $1 >= 0 ? $0 : -$0 })
}

@Suite("Autograd primitives: finite-difference gradient checks")
struct PrimitiveGradientTests {
    @Test("broadcasting add, sub, mul, div and neg")
    func arithmetic() {
        let a = smoothInput([2, 3], seed: 1), b = smoothInput([3], seed: 2, positive: true), c = smoothInput([2, 1], seed: 3)
        checkGradients(of: { v in (v[0] + v[1]) * v[2] - v[0] / v[1] }, at: [a, b, c])
        checkGradients(of: { v in -(v[0] * v[0]) }, at: [a])
    }

    @Test("exp, log, relu")
    func unary() {
        checkGradients(of: { v in v[0].exp() }, at: [smoothInput([5], seed: 4)])
        checkGradients(of: { v in v[0].log() }, at: [smoothInput([5], seed: 5, positive: true)])
        checkGradients(of: { v in v[0].relu() }, at: [smoothInput([7], seed: 6)])
    }

    @Test("sum, mean, max along axes")
    func reductions() {
        let x = smoothInput([2, 3, 4], seed: 7)
        checkGradients(of: { v in v[0].sum(alongAxis: 1) }, at: [x])
        checkGradients(of: { v in v[0].mean(alongAxis: -1, keepingDimension: true) }, at: [x])
        checkGradients(of: { v in v[0].max(alongAxis: 2) }, at: [x])
        checkGradients(of: { v in v[0].sum().reshaped(to: [1]) }, at: [x])
    }

    @Test("matmul, reshape, permute, slice, concatenate, gather")
    func movement() {
        let a = smoothInput([3, 4], seed: 8), b = smoothInput([4, 2], seed: 9)
        checkGradients(of: { v in v[0].matmul(v[1]) }, at: [a, b])
        let x = smoothInput([2, 3, 4], seed: 10)
        checkGradients(of: { v in v[0].permuted([2, 0, 1]).reshaped(to: [8, 3]) }, at: [x])
        checkGradients(of: { v in v[0].slice(alongAxis: 1, 1..<3) }, at: [x])
        checkGradients(of: { v in Variable.concatenate([v[0], v[0].slice(alongAxis: 2, 0..<1)], alongAxis: 2) }, at: [x])
        checkGradients(of: { v in v[0].gathering([2, 0, 2, 1], alongAxis: 1) }, at: [x])
    }

    @Test("conv2d, linear, groupNorm, maxPool2d")
    func layers() {
        let x = smoothInput([2, 3, 5, 6], seed: 11), w = smoothInput([4, 3, 3, 3], seed: 12), b = smoothInput([4], seed: 13)
        checkGradients(of: { v in v[0].conv2d(weight: v[1], bias: v[2], stride: 2, padding: 1) }, at: [x, w, b])
        checkGradients(of: { v in v[0].conv2d(weight: v[1], stride: 1, padding: 0) }, at: [x, w])
        let li = smoothInput([3, 5], seed: 14), lw = smoothInput([2, 5], seed: 15), lb = smoothInput([2], seed: 16)
        checkGradients(of: { v in v[0].linear(weight: v[1], bias: v[2]) }, at: [li, lw, lb])
        let gx = smoothInput([2, 4, 3, 3], seed: 17), gg = smoothInput([4], seed: 18), gb = smoothInput([4], seed: 19)
        checkGradients(of: { v in v[0].groupNorm(groups: 2, gamma: v[1], beta: v[2]) }, at: [gx, gg, gb])
        checkGradients(of: { v in v[0].maxPool2d(kernel: 2) }, at: [smoothInput([1, 2, 4, 5], seed: 20)])
    }

    @Test("gradients accumulate across backward calls and over shared subexpressions")
    func accumulation() {
        let x = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGradient: true)
        let y = x * x + x            // dy/dx = 2x + 1
        y.sum().backward()
        #expect(x.gradient?.scalars == [3, 5])
        (x * 2).sum().backward()
        #expect(x.gradient?.scalars == [5, 7])
        let z = withoutGradients { x * x }
        #expect(!z.requiresGradient)
        #expect(!x.detached().requiresGradient)
    }
}
