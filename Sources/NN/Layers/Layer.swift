// The layer protocol and its named parameters. Names are dotted paths exactly as PyTorch's
// `state_dict()` keys ("weight", "0.weight", "backbone.1.0.bias"), so a checkpoint written by
// PyTorch loads by name and a Quarry checkpoint loads into PyTorch.
import Autograd
import TensorCore

/// A trainable tensor of a layer: its state-dict name, its graph leaf, and whether the
/// optimiser applies weight decay to it.
///
/// The reference detector decays convolution and linear weights only: biases and GroupNorm
/// weights and biases are exempt (DESIGN.md, "Optimiser"), as in torchvision's reference
/// scripts with `--norm-weight-decay 0` and `bias_weight_decay 0`.
public struct Parameter {
    /// The dotted state-dict name, e.g. `"backbone.0.0.weight"`.
    public var name: String
    /// The leaf that holds the value and receives the gradient (`requiresGradient == true`).
    public let variable: Variable
    /// Whether weight decay applies (true for conv/linear weights, false for biases and norms).
    public var appliesWeightDecay: Bool

    /// Creates a named parameter record.
    /// - Precondition: `variable.requiresGradient` (a parameter is a trainable leaf).
    public init(_ name: String, _ variable: Variable, appliesWeightDecay: Bool) {
        precondition(variable.requiresGradient && variable.isLeaf,
                     "Parameter \(name): the variable must be a leaf created with requiresGradient: true")
        self.name = name
        self.variable = variable
        self.appliesWeightDecay = appliesWeightDecay
    }

    /// The same parameter with `prefix` and a dot in front of its name (`"0"` + `"weight"` →
    /// `"0.weight"`), as PyTorch names the parameters of a child module.
    public func prefixed(by prefix: String) -> Parameter {
        var copy = self
        copy.name = prefix.isEmpty ? name : prefix + "." + name
        return copy
    }
}

/// A differentiable function of one input with named, trainable parameters.
///
/// Conformers are small value types holding `Variable`s (reference types), so a copy of a layer
/// shares its parameters: an optimiser updating the variables updates every copy.
public protocol Layer {
    /// Applies the layer to `x`, recording the graph when gradients are enabled.
    func callAsFunction(_ x: Variable) -> Variable

    /// Every parameter of this layer and its children, in a stable order, with dotted names.
    var parameters: [Parameter] { get }
}

extension Layer {
    /// The parameters as (state-dict name, variable) pairs, in the order of `parameters`.
    public var namedParameters: [(String, Variable)] { parameters.map { ($0.name, $0.variable) } }

    /// The parameters with `prefix` and a dot in front of every name: a parent module's view of
    /// a child stored under the attribute `prefix`.
    public func parameters(prefixedBy prefix: String) -> [Parameter] {
        parameters.map { $0.prefixed(by: prefix) }
    }

    /// A copy of every parameter value by name (PyTorch's `state_dict()`).
    public var stateDictionary: [String: Tensor] {
        Dictionary(parameters.map { ($0.name, $0.variable.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Clears the accumulated gradient of every parameter (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGradients() {
        for parameter in parameters { parameter.variable.zeroGradient() }
    }
}

extension Array where Element == Parameter {
    /// The parameters with `prefix` and a dot in front of every name.
    public func prefixed(by prefix: String) -> [Parameter] { map { $0.prefixed(by: prefix) } }

    /// The first name that occurs twice, or nil when all names are distinct.
    public var firstDuplicateName: String? {
        var seen = Set<String>()
        for parameter in self where !seen.insert(parameter.name).inserted { return parameter.name }
        return nil
    }
}
