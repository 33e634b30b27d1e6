import Testing
import TensorCore
import Kernels
import Autograd
import NN
import TestSupport

/// A decayed weight w [2] and an undecayed bias b [1], as a conv or linear layer has.
func twoParameters(weight: [Float] = [1, -0.5], bias: [Float] = [0.2]) -> [Parameter] {
    [Parameter("layer.weight", Variable(Tensor(shape: [2], scalars: weight), requiresGradient: true), appliesWeightDecay: true),
     Parameter("layer.bias", Variable(Tensor(shape: [1], scalars: bias), requiresGradient: true), appliesWeightDecay: false)]
}

/// Gradients of w and b for steps 1, 2, 3 (set directly, as backward() would leave them).
let weightGradients: [[Float]] = [[0.3, -0.2], [-0.1, 0.4], [0.2, 0.2]]
let biasGradients: [[Float]] = [[1.0], [0.5], [-1.0]]

/// Sets the gradients of step `k` (0-based).
func setGradients(_ parameters: [Parameter], step k: Int) {
    parameters[0].variable.gradient = Tensor(shape: [2], scalars: weightGradients[k])
    parameters[1].variable.gradient = Tensor(shape: [1], scalars: biasGradients[k])
}

@Suite("SGD against hand-computed torch.optim.SGD steps")
struct SGDTests {
    @Test("momentum 0.9, weight decay on the weight group only, three steps")
    func momentumAndDecayGroups() {
        // lr 0.1, momentum 0.9, wd 0.01 on w = [1, −2] with constant g = [0.5, 0.25]:
        // step 1: d = g + 0.01·w = [0.51, 0.23], buf = d, w = [0.949, −2.023]
        // step 2: d = [0.50949, 0.22977], buf = 0.9·[0.51, 0.23] + d = [0.96849, 0.43677],
        //         w = [0.852151, −2.066677]
        // step 3: d = [0.50852151, 0.22933323], buf = [1.38016251, 0.62242623],
        //         w = [0.714134749, −2.128919623]
        // bias b = [0.5], g = [1] (no decay): buf 1, 1.9, 2.71 → b = 0.4, 0.21, −0.061.
        let parameters = twoParameters(weight: [1, -2], bias: [0.5])
        var sgd = SGD(parameters, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        #expect(sgd.groups.map(\.weightDecay) == [0.01, 0])
        let expectedWeights: [[Float]] = [[0.949, -2.023], [0.852151, -2.066677], [0.714134749, -2.128919623]]
        let expectedBias: [Float] = [0.4, 0.21, -0.061]
        for k in 0..<3 {
            parameters[0].variable.gradient = Tensor(shape: [2], scalars: [0.5, 0.25])
            parameters[1].variable.gradient = Tensor(shape: [1], scalars: [1])
            sgd.step()
            expectClose(parameters[0].variable.value.scalars, expectedWeights[k], relativeTolerance: 1e-6, "weight, step \(k + 1)")
            expectClose(parameters[1].variable.value.scalars, [expectedBias[k]], relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "bias, step \(k + 1)")
        }
        let state = sgd.stateTensors()
        #expect(Set(state.keys) == ["momentum.layer.weight", "momentum.layer.bias"])
        expectClose(state["momentum.layer.weight"]!.scalars, [1.38016251, 0.62242623], relativeTolerance: 1e-6)
        expectClose(state["momentum.layer.bias"]!.scalars, [2.71], relativeTolerance: 1e-6)
    }

    @Test("Nesterov and dampening variants")
    func variants() {
        // torch: Nesterov d = d + μ·buf; dampening scales the new d in buf = μ·buf + (1 − τ)·d
        // (not on the first step). Values from the algorithm in float64 (lr 0.1, μ 0.9).
        let nesterov = twoParameters()
        var a = SGD(groups: [ParameterGroup(parameters: [nesterov[0]], weightDecay: 0.1)], learningRate: 0.1, momentum: 0.9, nesterov: true)
        let damped = twoParameters()
        var b = SGD(groups: [ParameterGroup(parameters: [damped[0]], weightDecay: 0)], learningRate: 0.1, momentum: 0.9, dampening: 0.5)
        for k in 0..<3 {
            setGradients(nesterov, step: k); setGradients(damped, step: k)
            a.step(); b.step()
        }
        expectClose(nesterov[0].variable.value.scalars, [0.809531764, -0.5386688525], relativeTolerance: 1e-6)
        expectClose(damped[0].variable.value.scalars, [0.9182, -0.4938], relativeTolerance: 1e-6)
        // The bias belongs to no group: untouched.
        #expect(nesterov[1].variable.value.scalars == [0.2])
    }

    @Test("a parameter without gradient is skipped and gets no state")
    func skipsMissingGradients() {
        let parameters = twoParameters()
        var sgd = SGD(parameters, learningRate: 0.1, momentum: 0.9)
        parameters[0].variable.gradient = Tensor(shape: [2], scalars: [1, 1])
        sgd.step()
        #expect(parameters[1].variable.value.scalars == [0.2])
        #expect(Array(sgd.stateTensors().keys) == ["momentum.layer.weight"])
        sgd.zeroGradients()
        #expect(parameters[0].variable.gradient == nil)
    }

    @Test("state import restores the trajectory; bad state is rejected without change")
    func stateRoundTrip() throws {
        let first = twoParameters(), second = twoParameters()
        var a = SGD(first, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4)
        var b = SGD(second, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4)
        setGradients(first, step: 0); a.step()
        // Copy values and state to the second optimiser, then both take the same step.
        for (p, q) in zip(first, second) { q.variable.value = p.variable.value }
        try b.loadState(a.stateTensors())
        setGradients(first, step: 1); setGradients(second, step: 1)
        a.step(); b.step()
        #expect(first.map(\.variable.value) == second.map(\.variable.value))

        let before = b.stateTensors()
        #expect(throws: CheckpointError.unexpectedTensor(name: "momentum.other", path: nil)) {
            try b.loadState(["momentum.other": Tensor.zeros([2])])
        }
        #expect(throws: CheckpointError.shapeMismatch(name: "momentum.layer.weight", expected: [2], found: [3], path: nil)) {
            try b.loadState(["momentum.layer.weight": Tensor.zeros([3])])
        }
        #expect(b.stateTensors() == before)
    }
}

@Suite("Adam and AdamW against hand-computed torch steps")
struct AdamTests {
    // Values from torch's single-tensor algorithm in float64 (lr 0.01, betas 0.9/0.999, eps 1e-8):
    // step 1 (Adam, wd 0.1): g = [0.3, −0.2] + 0.1·[1, −0.5] = [0.4, −0.25]; m = [0.04, −0.025];
    // v = [1.6e-4, 6.25e-5]; m̂/√v̂ = ±1 → w = [1 − 0.01, −0.5 + 0.01] (up to eps).
    let adamWeights: [[Double]] = [[0.99000000025, -0.4900000004],
                                   [0.9833180515757104, -0.49217615277516097],
                                   [0.9753574746372574, -0.49587485994341973]]
    // AdamW step 1: w·(1 − 0.01·0.1) = [0.999, −0.4995], then −0.01·sign(g).
    let adamWWeights: [[Double]] = [[0.9890000003333334, -0.4895000005],
                                    [0.9840088147924748, -0.49267153565410365],
                                    [0.9769939413424882, -0.49737127209701215]]
    // The bias has no weight decay: the same in both.
    let biases: [Double] = [0.1900000001, 0.18067820382981611, 0.17957037312938717]

    @Test("Adam: L2 decay on the weight group, three steps", arguments: [false, true])
    func threeSteps(decoupled: Bool) {
        let parameters = twoParameters()
        var adam = decoupled ? Adam.adamW(parameters, learningRate: 0.01, weightDecay: 0.1)
                             : Adam(parameters, learningRate: 0.01, weightDecay: 0.1)
        let expected = decoupled ? adamWWeights : adamWeights
        for k in 0..<3 {
            setGradients(parameters, step: k)
            adam.step()
            expectClose(parameters[0].variable.value.scalars, expected[k], relativeTolerance: 2e-7, absoluteTolerance: 1e-7, "weight, step \(k + 1)")
            expectClose(parameters[1].variable.value.scalars, [biases[k]], relativeTolerance: 2e-7, absoluteTolerance: 1e-7, "bias, step \(k + 1)")
        }
        let state = adam.stateTensors()
        #expect(state["step.layer.weight"] == Tensor(3))
        let expectedMean: [Double] = decoupled ? [0.0353, 0.0398] : [0.0621431805180071, 0.026418238468648384]
        let expectedSquares: [Double] = decoupled ? [0.00013981009, 0.00023976004] : [0.00024868302496852527, 0.00020818818901454744]
        expectClose(state["exp_avg.layer.weight"]!.scalars, expectedMean, relativeTolerance: 1e-5)
        expectClose(state["exp_avg_sq.layer.weight"]!.scalars, expectedSquares, relativeTolerance: 1e-5)
    }

    @Test("epsilon is added outside the square root")
    func epsilonPlacement() {
        // p = 1, g = 0.5, lr 0.1, eps 0.1: m̂ = 0.5, √v̂ = 0.5, p = 1 − 0.1·0.5/(0.5 + 0.1) = 0.916667
        // (inside the root it would be 1 − 0.05/√0.35 = 0.915486).
        let p = Parameter("p", Variable(Tensor(shape: [1], scalars: [1]), requiresGradient: true), appliesWeightDecay: true)
        var adam = Adam([p], learningRate: 0.1, epsilon: 0.1)
        p.variable.gradient = Tensor(shape: [1], scalars: [0.5])
        adam.step()
        expectClose(p.variable.value.scalars, [1 - 0.05 / 0.6], relativeTolerance: 1e-6)
    }

    @Test("state import continues identically; a lone exp_avg is rejected")
    func stateRoundTrip() throws {
        let first = twoParameters(), second = twoParameters()
        var a = Adam(first, learningRate: 0.01), b = Adam(second, learningRate: 0.01)
        setGradients(first, step: 0); a.step()
        for (p, q) in zip(first, second) { q.variable.value = p.variable.value }
        try b.loadState(a.stateTensors())
        for k in 1..<3 {
            setGradients(first, step: k); setGradients(second, step: k)
            a.step(); b.step()
        }
        #expect(first.map(\.variable.value) == second.map(\.variable.value))
        #expect(throws: CheckpointError.missingTensor(name: "step.layer.bias", path: nil)) {
            try b.loadState(["exp_avg.layer.bias": Tensor.zeros([1])])
        }
        #expect(throws: CheckpointError.self) {
            try b.loadState(["step.layer.bias": Tensor(0.5), "exp_avg.layer.bias": .zeros([1]), "exp_avg_sq.layer.bias": .zeros([1])])
        }
    }
}
