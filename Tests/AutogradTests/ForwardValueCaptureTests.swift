import Testing
import TensorCore
import Autograd
import TestSupport

/// A backward rule must differentiate the computation that was recorded: it uses the values of
/// the forward pass, even when a parent's `value` is reassigned before `backward()` (e.g. an
/// optimiser step between building a graph and back-propagating it).
@Suite("Backward rules use forward-time values")
struct ForwardValueCaptureTests {
    /// Builds `f`, then replaces every input's value by `replacement`, then back-propagates.
    func gradientsAfterReassignment(_ inputs: [Tensor], replacement: Float,
                                    _ f: ([Variable]) -> Variable) -> [Tensor] {
        let variables = inputs.map { Variable($0, requiresGradient: true) }
        let output = f(variables).sum()
        for v in variables { v.value = Tensor(repeating: replacement, shape: v.shape) }
        output.backward()
        return variables.map { $0.gradient ?? .zeros($0.shape) }
    }

    @Test("log, product and quotient")
    func elementwise() {
        let x = Tensor(shape: [2], scalars: [2, 4]), y = Tensor(shape: [2], scalars: [3, 5])
        expectClose(gradientsAfterReassignment([x], replacement: 100) { $0[0].log() }[0].scalars, [0.5, 0.25])
        let product = gradientsAfterReassignment([x, y], replacement: 100) { $0[0] * $0[1] }
        expectClose(product[0].scalars, [3, 5])
        expectClose(product[1].scalars, [2, 4])
        // d(x/y)/dy = −x/y².
        let quotient = gradientsAfterReassignment([x, y], replacement: 100) { $0[0] / $0[1] }
        expectClose(quotient[0].scalars, [1.0 / 3, 1.0 / 5])
        expectClose(quotient[1].scalars, [-2.0 / 9, -4.0 / 25])
    }

    @Test("matmul and linear")
    func products() {
        let a = Tensor(shape: [1, 2], scalars: [1, 2]), b = Tensor(shape: [2, 1], scalars: [3, 4])
        let mm = gradientsAfterReassignment([a, b], replacement: 100) { $0[0].matmul($0[1]) }
        #expect(mm[0].scalars == [3, 4] && mm[1].scalars == [1, 2])
        let w = Tensor(shape: [1, 2], scalars: [3, 4]), bias = Tensor(shape: [1], scalars: [0])
        let lin = gradientsAfterReassignment([a, w, bias], replacement: 100) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        #expect(lin[0].scalars == [3, 4] && lin[1].scalars == [1, 2] && lin[2].scalars == [1])
    }

    @Test("conv2d, group norm and the fused losses")
    func layersAndLosses() {
        // 1×1 convolution of a 1×1×1×2 input: d/dx = w, d/dw = Σ x.
        let x = Tensor(shape: [1, 1, 1, 2], scalars: [1, 2]), w = Tensor(shape: [1, 1, 1, 1], scalars: [3])
        let conv = gradientsAfterReassignment([x, w], replacement: 100) { $0[0].conv2d(weight: $0[1]) }
        #expect(conv[0].scalars == [3, 3] && conv[1].scalars == [3])
        // Group norm with gamma: d(Σ y)/dgamma = Σ x̂ = 0, d/dbeta = count; the input gradient of a
        // sum of normalised values is 0. Reassigning gamma to 100 must not change d/dx.
        let input = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, 5])
        let gn = gradientsAfterReassignment([input, Tensor(shape: [2], scalars: [1, 2]), Tensor.zeros([2])], replacement: 100) {
            ($0[0].groupNorm(groups: 1, gamma: $0[1], beta: $0[2]) * Variable(Tensor(shape: [1, 2, 1, 2], scalars: [1, 0, 0, 0])))
        }
        // Reference: the same graph without reassignment.
        let v = [input, Tensor(shape: [2], scalars: [1, 2]), Tensor.zeros([2])].map { Variable($0, requiresGradient: true) }
        (v[0].groupNorm(groups: 1, gamma: v[1], beta: v[2]) * Variable(Tensor(shape: [1, 2, 1, 2], scalars: [1, 0, 0, 0]))).sum().backward()
        for (got, expected) in zip(gn, v.map { $0.gradient! }) { expectClose(got.scalars, expected.scalars, relativeTolerance: 1e-6) }
        // Smooth L1 with beta 1 at d = 0.5: gradient d/beta = 0.5.
        let l1 = gradientsAfterReassignment([Tensor(shape: [1], scalars: [0.5])], replacement: 100) {
            $0[0].smoothL1Loss(target: .zeros([1]), beta: 1)
        }
        expectClose(l1[0].scalars, [0.5])
    }
}
