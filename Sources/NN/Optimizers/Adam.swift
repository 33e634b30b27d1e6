// Adam and AdamW exactly as torch.optim.Adam / AdamW (amsgrad off), per parameter p with
// gradient g at step t (counted per parameter from 1):
//   Adam:  g = g + wd·p                        AdamW: p = p·(1 − lr·wd)
//   m = m + (1 − β1)·(g − m)                   (torch's lerp form of β1·m + (1 − β1)·g)
//   v = β2·v + (1 − β2)·g²
//   p = p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)     (ε outside the square root)
// Bias corrections are computed in Double and applied in Float, as PyTorch does.
import Foundation
import Autograd
import TensorCore

/// The Adam optimiser, with L2 (Adam) or decoupled (AdamW) weight decay.
///
/// State is exported as `"step.<name>"` (a scalar), `"exp_avg.<name>"` and `"exp_avg_sq.<name>"`,
/// PyTorch's state keys. Reference: Kingma and Ba, arXiv:1412.6980; Loshchilov and Hutter,
/// "Decoupled Weight Decay Regularization", arXiv:1711.05101.
public struct Adam: Optimizer {
    /// The step size of the next `step()`.
    public var learningRate: Float
    /// Decay rate of the first moment (PyTorch's betas[0], default 0.9).
    public var beta1: Float
    /// Decay rate of the second moment (betas[1], default 0.999).
    public var beta2: Float
    /// Added to the bias-corrected √v, outside the square root (default 1e-8).
    public var epsilon: Float
    /// True for AdamW: decay multiplies the parameter by (1 − lr·wd) instead of adding wd·p to g.
    public var decoupledWeightDecay: Bool
    /// The parameter groups and their weight decay.
    public private(set) var groups: [ParameterGroup]
    /// Per-parameter moments and step count, by name; absent until the first step.
    private var moments: [String: Moments] = [:]

    private struct Moments {
        var step: Int
        var mean: [Float]
        var squares: [Float]
    }

    /// Creates Adam (or AdamW with `decoupledWeightDecay`) over explicit groups.
    /// - Precondition: unique names; lr ≥ 0; betas in [0, 1); ε ≥ 0.
    public init(groups: [ParameterGroup], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, decoupledWeightDecay: Bool = false) {
        if let duplicate = groups.flatMap(\.parameters).firstDuplicateName {
            preconditionFailure("Adam: parameter name \(duplicate) occurs twice")
        }
        precondition(learningRate >= 0 && epsilon >= 0, "Adam: learning rate \(learningRate) and epsilon \(epsilon) must be ≥ 0")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas (\(beta1), \(beta2)) must lie in [0, 1)")
        self.groups = groups
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// Creates Adam with L2 weight decay on the parameters marked `appliesWeightDecay` only.
    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.init(groups: ParameterGroup.splittingByWeightDecay(parameters, weightDecay: weightDecay),
                  learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    /// Creates AdamW (decoupled decay; PyTorch's default weight decay 0.01) on the parameters
    /// marked `appliesWeightDecay`; the others are not decayed.
    public static func adamW(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9,
                             beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 1e-2) -> Adam {
        Adam(groups: ParameterGroup.splittingByWeightDecay(parameters, weightDecay: weightDecay),
             learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, decoupledWeightDecay: true)
    }

    /// Applies one update to every parameter that has a gradient.
    /// - Precondition: each gradient has its parameter's shape.
    public mutating func step() {
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon
        for (parameter, gradientTensor, wd) in parametersWithGradients("Adam") {
            let variable = parameter.variable
            var values = variable.value.scalars
            let n = values.count
            var g = gradientTensor.scalars
            var state = moments.removeValue(forKey: parameter.name)
                ?? Moments(step: 0, mean: [Float](repeating: 0, count: n), squares: [Float](repeating: 0, count: n))
            state.step += 1
            if wd != 0 {
                if decoupledWeightDecay {
                    let shrink = 1 - lr * wd
                    for i in 0..<n { values[i] *= shrink }
                } else {
                    for i in 0..<n { g[i] += wd * values[i] }
                }
            }
            let t = Double(state.step)
            let correction1 = 1 - Foundation.pow(Double(b1), t)
            let correction2Root = (1 - Foundation.pow(Double(b2), t)).squareRoot()
            let stepSize = Float(Double(lr) / correction1)
            let rootScale = Float(correction2Root)
            let w1 = 1 - b1, w2 = 1 - b2
            for i in 0..<n {
                state.mean[i] += w1 * (g[i] - state.mean[i])
                state.squares[i] = b2 * state.squares[i] + w2 * g[i] * g[i]
                let denominator = state.squares[i].squareRoot() / rootScale + eps
                values[i] -= stepSize * (state.mean[i] / denominator)
            }
            moments[parameter.name] = state
            variable.value = Tensor(shape: variable.shape, scalars: values)
        }
    }

    /// The state as `"step.<name>"` ([] scalar), `"exp_avg.<name>"` and `"exp_avg_sq.<name>"`.
    public func stateTensors() -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for parameter in parameters {
            guard let m = moments[parameter.name] else { continue }
            let shape = parameter.variable.shape
            state["step." + parameter.name] = Tensor(Float(m.step))
            state["exp_avg." + parameter.name] = Tensor(shape: shape, scalars: m.mean)
            state["exp_avg_sq." + parameter.name] = Tensor(shape: shape, scalars: m.squares)
        }
        return state
    }

    /// Replaces the moments by `state`; a parameter needs all three of its tensors or none.
    /// - Throws: `CheckpointError` naming the first unknown name, wrong shape, or the first
    ///   missing companion tensor (`.missingTensor`); nothing changes then.
    public mutating func loadState(_ state: [String: Tensor]) throws(CheckpointError) {
        var slots: [String: [Int]] = [:]
        for parameter in parameters {
            slots["step." + parameter.name] = []
            slots["exp_avg." + parameter.name] = parameter.variable.shape
            slots["exp_avg_sq." + parameter.name] = parameter.variable.shape
        }
        try validateOptimizerState(state, slots: slots)
        var restored: [String: Moments] = [:]
        for parameter in parameters {
            let keys = ["step.", "exp_avg.", "exp_avg_sq."].map { $0 + parameter.name }
            let present = keys.map { state[$0] }
            if present.allSatisfy({ $0 == nil }) { continue }
            for (key, tensor) in zip(keys, present) where tensor == nil { throw .missingTensor(name: key, path: nil) }
            let step = present[0]!.scalar
            guard step >= 1, step == step.rounded(), step < 16_777_216 else {
                throw .invalidValue(name: keys[0], reason: "step count \(step) is not a positive integer", path: nil)
            }
            restored[parameter.name] = Moments(step: Int(step), mean: present[1]!.scalars, squares: present[2]!.scalars)
        }
        moments = restored
    }
}
