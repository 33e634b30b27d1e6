// Legend: N rows (samples), I input features, O output features.
import Autograd
import TensorCore

/// A fully connected layer y = x·Wᵀ + b (PyTorch's `nn.Linear`), with parameters `weight` [O, I]
/// and optional `bias` [O].
///
/// Weight decay applies to the weight, not to the bias.
public struct Linear: Layer {
    /// The weight matrix [O, I], stored as PyTorch stores it.
    public let weight: Variable
    /// The offsets [O], or nil.
    public let bias: Variable?

    /// Creates a linear layer from given values.
    /// - Precondition: weight is [O, I]; bias is [O].
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear: weight \(weight.shape) must be [out, in]")
        if let bias { precondition(bias.shape == [weight.shape[0]], "Linear: bias \(bias.shape) must be [\(weight.shape[0])]") }
        self.weight = Variable(weight, requiresGradient: true)
        self.bias = bias.map { Variable($0, requiresGradient: true) }
    }

    /// Creates a linear layer with freshly initialised parameters; the default is PyTorch's
    /// (weight and bias U(±1/√I)), which the reference RoI head uses. Weight first, then bias.
    /// - Precondition: positive feature counts.
    public init(inputFeatures: Int, outputFeatures: Int, hasBias: Bool = true,
                weightInitializer: Initializer = .pytorchDefault, biasInitializer: Initializer = .pytorchDefault,
                using generator: inout some RandomNumberGenerator) {
        precondition(inputFeatures > 0 && outputFeatures > 0,
                     "Linear: features \(inputFeatures)→\(outputFeatures) must be positive")
        let shape = [outputFeatures, inputFeatures]
        let w = weightInitializer.weight(shape, using: &generator)
        let b = hasBias ? biasInitializer.bias(outputFeatures, weightShape: shape, using: &generator) : nil
        self.init(weight: w, bias: b)
    }

    /// Maps [N, I] to [N, O].
    /// - Precondition: the input is [N, I].
    public func callAsFunction(_ x: Variable) -> Variable { x.linear(weight: weight, bias: bias) }

    /// `weight` (decayed) and, if present, `bias` (not decayed).
    public var parameters: [Parameter] {
        var result = [Parameter("weight", weight, appliesWeightDecay: true)]
        if let bias { result.append(Parameter("bias", bias, appliesWeightDecay: false)) }
        return result
    }
}
