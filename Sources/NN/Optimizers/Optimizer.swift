// The optimiser role and parameter groups. State is exported as named tensors
// ("<kind>.<parameter name>") so a checkpoint can hold it beside the weights.
import Autograd
import TensorCore

/// A rule that updates parameters from their accumulated gradients.
///
/// Parameters whose `gradient` is nil are skipped by `step()` and get no state, as in PyTorch.
public protocol Optimizer {
    /// The learning rate the next `step()` uses; a schedule sets it every iteration.
    var learningRate: Float { get set }

    /// The parameter groups, each with its own weight decay.
    var groups: [ParameterGroup] { get }

    /// Updates every parameter that has a gradient, once.
    mutating func step()

    /// The optimiser's state as named tensors, e.g. `"momentum.backbone.0.0.weight"`.
    func stateTensors() -> [String: Tensor]

    /// Restores state exported by `stateTensors()` from an optimiser over the same parameters.
    /// Nothing changes when it throws.
    /// - Throws: `CheckpointError.unexpectedTensor` for a name that matches no state slot,
    ///   `.shapeMismatch` for a tensor whose shape differs from its parameter's.
    mutating func loadState(_ state: [String: Tensor]) throws(CheckpointError)
}

extension Optimizer {
    /// Every parameter of every group, in group order.
    public var parameters: [Parameter] { groups.flatMap(\.parameters) }

    /// Clears the gradients of all parameters (`zero_grad(set_to_none=True)`).
    public func zeroGradients() {
        for parameter in parameters { parameter.variable.zeroGradient() }
    }

    /// The parameters a `step()` updates: each one that has a gradient, with the gradient and its
    /// group's weight decay, in group order (PyTorch skips parameters whose `grad` is None).
    /// - Precondition: each gradient has its parameter's shape (the message names `optimizer`).
    func parametersWithGradients(_ optimizer: String) -> [(parameter: Parameter, gradient: Tensor, weightDecay: Float)] {
        groups.flatMap { group in
            group.parameters.compactMap { parameter in
                guard let gradient = parameter.variable.gradient else { return nil }
                precondition(gradient.shape == parameter.variable.shape,
                             "\(optimizer): gradient \(gradient.shape) of \(parameter.name) differs from its shape \(parameter.variable.shape)")
                return (parameter, gradient, group.weightDecay)
            }
        }
    }
}

/// A set of parameters sharing optimiser settings (PyTorch's `param_groups` entry).
public struct ParameterGroup {
    /// The parameters of this group.
    public var parameters: [Parameter]
    /// The L2 penalty coefficient added to the gradient (decoupled for AdamW); 0 for none.
    public var weightDecay: Float

    /// Creates a group.
    /// - Precondition: `weightDecay ≥ 0`.
    public init(parameters: [Parameter], weightDecay: Float) {
        precondition(weightDecay >= 0, "ParameterGroup: negative weight decay \(weightDecay)")
        self.parameters = parameters
        self.weightDecay = weightDecay
    }

    /// Splits parameters into a decayed group (those with `appliesWeightDecay`, coefficient
    /// `weightDecay`) and an undecayed group (the rest, coefficient 0), dropping empty groups:
    /// the reference detector's "no weight decay on GroupNorm or biases".
    public static func splittingByWeightDecay(_ parameters: [Parameter], weightDecay: Float) -> [ParameterGroup] {
        let decayed = parameters.filter(\.appliesWeightDecay)
        let undecayed = parameters.filter { !$0.appliesWeightDecay }
        return [ParameterGroup(parameters: decayed, weightDecay: weightDecay),
                ParameterGroup(parameters: undecayed, weightDecay: 0)].filter { !$0.parameters.isEmpty }
    }
}

/// Checks a state dictionary against an optimiser's slots before anything is assigned.
///
/// - Parameters:
///   - state: the tensors to load.
///   - slots: the allowed names, each with the shape its tensor must have.
/// - Throws: `CheckpointError.unexpectedTensor` (first unknown name in sorted order) or
///   `.shapeMismatch`.
func validateOptimizerState(_ state: [String: Tensor], slots: [String: [Int]]) throws(CheckpointError) {
    for name in state.keys.sorted() {
        guard let expected = slots[name] else { throw .unexpectedTensor(name: name, path: nil) }
        let found = state[name]!.shape
        if found != expected { throw .shapeMismatch(name: name, expected: expected, found: found, path: nil) }
    }
}
