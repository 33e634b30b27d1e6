// Composition in order, named like torch.nn.Sequential: child i's parameters are "i.<name>",
// and parameter-free children still take an index (so Conv, GN, ReLU give "0.*", "1.*").
import Autograd

/// Layers applied one after another (PyTorch's `nn.Sequential`).
///
/// Parameter names are the child's index, a dot, and the child's own names: a
/// `Sequential(Sequential(conv, norm, relu), …)` names its first weight `"0.0.weight"`, exactly
/// as torchvision's reference backbone (`backbone.{i}.0.weight`) once prefixed by the parent.
public struct Sequential: Layer {
    /// The children, applied first to last.
    public var layers: [any Layer]

    /// Creates a composition of the given layers, in order.
    public init(_ layers: [any Layer]) { self.layers = layers }

    /// Creates a composition of the given layers, in order.
    public init(_ layers: any Layer...) { self.layers = layers }

    /// Applies every child in order; an empty composition is the identity.
    public func callAsFunction(_ x: Variable) -> Variable {
        layers.reduce(x) { value, layer in layer(value) }
    }

    /// The children's parameters, child i's prefixed by `"i."`.
    public var parameters: [Parameter] {
        layers.enumerated().flatMap { index, layer in layer.parameters.prefixed(by: String(index)) }
    }
}
