// Layers without parameters: activation, pooling and flattening, so that `Sequential` can
// hold whole networks as PyTorch's `nn.Sequential` does (their indices still count in names).
import Autograd

/// The rectified linear unit max(x, 0) (PyTorch's `nn.ReLU`); the gradient at 0 is 0.
public struct ReLU: Layer {
    /// Creates the activation.
    public init() {}
    /// Applies max(x, 0) element-wise; same shape out.
    public func callAsFunction(_ x: Variable) -> Variable { x.relu() }
    /// None.
    public var parameters: [Parameter] { [] }
}

/// 2-D max pooling with a square window and no padding (PyTorch's `nn.MaxPool2d`); the gradient
/// goes to the first maximal element of each window.
public struct MaxPool2d: Layer {
    /// The window side, in input pixels.
    public var kernel: Int
    /// The step between windows, in input pixels.
    public var stride: Int

    /// Creates a pooling layer; `stride` defaults to `kernel` (non-overlapping windows).
    /// - Precondition: `kernel ≥ 1`, `stride ≥ 1`.
    public init(kernel: Int, stride: Int? = nil) {
        precondition(kernel >= 1 && (stride ?? 1) >= 1, "MaxPool2d: kernel \(kernel) and stride \(stride ?? kernel) must be ≥ 1")
        self.kernel = kernel
        self.stride = stride ?? kernel
    }

    /// Pools [N, C, H, W] to [N, C, ⌊(H−k)/s⌋+1, ⌊(W−k)/s⌋+1].
    /// - Precondition: rank 4 with H, W ≥ kernel.
    public func callAsFunction(_ x: Variable) -> Variable { x.maxPool2d(kernel: kernel, stride: stride) }
    /// None.
    public var parameters: [Parameter] { [] }
}

/// Flattens every axis after the first: [N, d1, d2, …] → [N, d1·d2·…] (PyTorch's `nn.Flatten`).
public struct Flatten: Layer {
    /// Creates the layer.
    public init() {}
    /// Reshapes to [N, rest].
    /// - Precondition: rank ≥ 1.
    public func callAsFunction(_ x: Variable) -> Variable {
        precondition(x.value.rank >= 1, "Flatten: input must have a batch axis, got shape \(x.shape)")
        return x.reshaped(to: [x.shape[0], x.shape.dropFirst().reduce(1, *)])
    }
    /// None.
    public var parameters: [Parameter] { [] }
}
