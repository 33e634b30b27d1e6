// Stochastic gradient descent with momentum and weight decay, exactly as torch.optim.SGD
// (dampening 0 and no Nesterov unless asked), per parameter p with gradient g:
//   d = g + wd·p                               (weight decay of p's group)
//   buf = d on the first step, else momentum·buf + (1 − dampening)·d
//   d = buf (or d + momentum·buf with Nesterov)
//   p ← p − lr·d
import Autograd
import TensorCore

/// Stochastic gradient descent with momentum and per-group weight decay (PyTorch's `optim.SGD`).
///
/// The reference detector uses lr 0.01 (scheduled), momentum 0.9, weight decay 1e-4 on conv and
/// linear weights only: `SGD(model.parameters, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)`.
/// Momentum buffers are exported as `"momentum.<parameter name>"`.
public struct SGD: Optimizer {
    /// The step size of the next `step()`.
    public var learningRate: Float
    /// The momentum factor (0 disables the buffers).
    public var momentum: Float
    /// Scales the new gradient in the buffer update by (1 − dampening); PyTorch's default is 0.
    public var dampening: Float
    /// Nesterov momentum (PyTorch's `nesterov=True`).
    public var nesterov: Bool
    /// The parameter groups and their weight decay.
    public private(set) var groups: [ParameterGroup]
    /// Momentum buffers by parameter name; absent until the parameter's first step.
    private var buffers: [String: [Float]] = [:]

    /// Creates SGD over explicit groups.
    /// - Precondition: parameter names are unique; `learningRate ≥ 0`, `momentum ≥ 0`;
    ///   Nesterov needs momentum > 0 and dampening 0 (PyTorch's rule).
    public init(groups: [ParameterGroup], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false) {
        let all = groups.flatMap(\.parameters)
        if let duplicate = all.firstDuplicateName { preconditionFailure("SGD: parameter name \(duplicate) occurs twice") }
        precondition(learningRate >= 0 && momentum >= 0, "SGD: learning rate \(learningRate) and momentum \(momentum) must be ≥ 0")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires momentum > 0 and zero dampening")
        self.groups = groups
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
    }

    /// Creates SGD with two groups: parameters marked `appliesWeightDecay` decay by
    /// `weightDecay`, the others (biases, norms) not at all.
    public init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0,
                dampening: Float = 0, nesterov: Bool = false) {
        self.init(groups: ParameterGroup.splittingByWeightDecay(parameters, weightDecay: weightDecay),
                  learningRate: learningRate, momentum: momentum, dampening: dampening, nesterov: nesterov)
    }

    /// Applies one update to every parameter that has a gradient.
    /// - Precondition: each gradient has its parameter's shape.
    public mutating func step() {
        let lr = learningRate, mu = momentum, keep = 1 - dampening, nesterov = nesterov
        for (parameter, gradient, wd) in parametersWithGradients("SGD") {
            let variable = parameter.variable
            let n = gradient.count
            // One pass per parameter with the same arithmetic, element by element, as the update in
            // the header (and as torch.optim.SGD): the buffer is updated in place and the new values
            // written into a fresh array (graphs built before the step keep the old one).
            let stored = mu != 0 ? buffers.removeValue(forKey: parameter.name) : nil
            let firstStep = stored == nil
            var buffer = stored ?? [Float](repeating: 0, count: mu != 0 ? n : 0)
            let values = [Float](uninitializedCount: n) { out in
                variable.value.scalars.withUnsafeBufferPointer { p in gradient.scalars.withUnsafeBufferPointer { g in
                    buffer.withUnsafeMutableBufferPointer { b in
                        for i in 0..<n {
                            var d = g[i]
                            if wd != 0 { d += wd * p[i] }
                            if mu != 0 {
                                b[i] = firstStep ? d : mu * b[i] + keep * d
                                if nesterov { d += mu * b[i] } else { d = b[i] }
                            }
                            out[i] = p[i] - lr * d
                        }
                    }
                } }
            }
            if mu != 0 { buffers[parameter.name] = buffer }
            variable.value = Tensor(shape: variable.shape, scalars: values)
        }
    }

    /// The momentum buffers as `"momentum.<parameter name>"`, each with its parameter's shape.
    public func stateTensors() -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for parameter in parameters {
            if let buffer = buffers[parameter.name] {
                state["momentum." + parameter.name] = Tensor(shape: parameter.variable.shape, scalars: buffer)
            }
        }
        return state
    }

    /// Replaces the momentum buffers by `state` (names absent from `state` start afresh).
    /// - Throws: `CheckpointError` naming the first unknown name or wrong shape; nothing changes then.
    public mutating func loadState(_ state: [String: Tensor]) throws(CheckpointError) {
        var slots: [String: [Int]] = [:]
        for parameter in parameters { slots["momentum." + parameter.name] = parameter.variable.shape }
        try validateOptimizerState(state, slots: slots)
        buffers = [:]
        for parameter in parameters {
            if let tensor = state["momentum." + parameter.name] { buffers[parameter.name] = tensor.scalars }
        }
    }
}
