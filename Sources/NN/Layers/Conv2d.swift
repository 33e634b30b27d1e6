// Legend: N images, C input channels, F filters (output channels), H×W input, OH×OW output,
// KH×KW kernel.
import Autograd
import TensorCore

/// A 2-D convolution layer (PyTorch's `nn.Conv2d` with square stride, padding and dilation,
/// one group), with parameters `weight` [F, C, KH, KW] and optional `bias` [F].
///
/// Weight decay applies to the weight, not to the bias.
public struct Conv2d: Layer {
    /// Filters [F, C, KH, KW].
    public let weight: Variable
    /// Per-filter offsets [F], or nil for a convolution without bias.
    public let bias: Variable?
    /// Step between output positions, in input pixels.
    public var stride: Int
    /// Zeros added on each side of the input, in input pixels.
    public var padding: Int
    /// Spacing between kernel taps, in input pixels.
    public var dilation: Int

    /// Creates a convolution from given values (e.g. loaded weights).
    /// - Parameters:
    ///   - weight: [F, C, KH, KW].
    ///   - bias: [F] or nil.
    /// - Precondition: weight has rank 4; bias is [F]; stride, dilation ≥ 1; padding ≥ 0.
    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        precondition(weight.rank == 4, "Conv2d: weight \(weight.shape) must be [F, C, KH, KW]")
        if let bias { precondition(bias.shape == [weight.shape[0]], "Conv2d: bias \(bias.shape) must be [\(weight.shape[0])]") }
        precondition(stride >= 1 && dilation >= 1 && padding >= 0,
                     "Conv2d: stride \(stride) and dilation \(dilation) must be ≥ 1, padding \(padding) ≥ 0")
        self.weight = Variable(weight, requiresGradient: true)
        self.bias = bias.map { Variable($0, requiresGradient: true) }
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    /// Creates a square-kernel convolution with freshly initialised parameters.
    ///
    /// The defaults are PyTorch's (`pytorchDefault` for both); the reference backbone passes
    /// `.kaimingNormal(mode: .fanOut)` and `.zeros`, the RPN head `.normal(std: 0.01)` and `.zeros`.
    /// The weight is drawn before the bias, as in PyTorch's `reset_parameters`.
    /// - Precondition: positive channel counts and kernel size.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, hasBias: Bool = true, weightInitializer: Initializer = .pytorchDefault,
                biasInitializer: Initializer = .pytorchDefault, using generator: inout some RandomNumberGenerator) {
        precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0,
                     "Conv2d: channels \(inputChannels)→\(outputChannels) and kernel \(kernelSize) must be positive")
        let shape = [outputChannels, inputChannels, kernelSize, kernelSize]
        let w = weightInitializer.weight(shape, using: &generator)
        let b = hasBias ? biasInitializer.bias(outputChannels, weightShape: shape, using: &generator) : nil
        self.init(weight: w, bias: b, stride: stride, padding: padding, dilation: dilation)
    }

    /// Convolves [N, C, H, W] into [N, F, OH, OW].
    /// - Precondition: the input is [N, C, H, W] with C matching the weight.
    public func callAsFunction(_ x: Variable) -> Variable {
        x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation)
    }

    /// `weight` (decayed) and, if present, `bias` (not decayed).
    public var parameters: [Parameter] {
        var result = [Parameter("weight", weight, appliesWeightDecay: true)]
        if let bias { result.append(Parameter("bias", bias, appliesWeightDecay: false)) }
        return result
    }
}
