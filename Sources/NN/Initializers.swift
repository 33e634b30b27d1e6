// Parameter initialisers, each drawing from a caller-supplied generator so a seed fixes the
// whole network. Fan-in and fan-out follow `torch.nn.init._calculate_fan_in_and_fan_out`: for a
// weight [out, in, k…], fan_in = in · Πk and fan_out = out · Πk.
import Kernels
import TensorCore

/// Whether a variance-scaling initialiser preserves the forward or the backward signal.
public enum FanMode: Sendable, Equatable {
    /// Scale by the number of inputs per output (preserves activations' variance).
    case fanIn
    /// Scale by the number of outputs per input (preserves gradients' variance); the reference
    /// backbone uses this (torchvision's `kaiming_normal_(mode="fan_out", nonlinearity="relu")`).
    case fanOut
}

/// The fan-in and fan-out of a weight tensor.
public struct Fans: Sendable, Equatable {
    /// Inputs feeding one output: `in · Πkernel`.
    public var fanIn: Int
    /// Outputs fed by one input: `out · Πkernel`.
    public var fanOut: Int

    /// Creates fans from explicit counts.
    public init(fanIn: Int, fanOut: Int) { self.fanIn = fanIn; self.fanOut = fanOut }

    /// The fans of a weight [out, in, k…] (a Linear weight is [out, in], a Conv2d weight
    /// [F, C, KH, KW]), as PyTorch computes them.
    /// - Precondition: rank ≥ 2 (PyTorch raises for fewer dimensions).
    public init(weightShape shape: [Int]) {
        precondition(shape.count >= 2, "Fans: weight shape \(shape) needs at least 2 dimensions")
        let receptive = shape[2...].reduce(1, *)
        self.init(fanIn: shape[1] * receptive, fanOut: shape[0] * receptive)
    }

    /// The fan selected by `mode`.
    public subscript(mode: FanMode) -> Int { mode == .fanIn ? fanIn : fanOut }
}

/// How to fill a new parameter tensor.
///
/// Each case names the `torch.nn.init` function it matches in distribution (not bit for bit:
/// the generator differs). Biases receive the fans of their layer's weight.
public enum Initializer: Sendable, Equatable {
    /// PyTorch's default for `nn.Linear` and `nn.Conv2d`: weights `kaiming_uniform_(a=√5)`, which
    /// is U(−1/√fan_in, 1/√fan_in); biases U(−1/√fan_in, 1/√fan_in) with the weight's fan_in
    /// (0 when fan_in is 0).
    case pytorchDefault
    /// N(0, std²) with std = gain / √fan (`kaiming_normal_`); gain √2 for ReLU.
    /// Reference: He et al., "Delving Deep into Rectifiers", arXiv:1502.01852.
    case kaimingNormal(mode: FanMode = .fanIn, gain: Float = 1.4142135)
    /// U(−b, b) with b = gain · √(3 / fan) (`kaiming_uniform_`).
    case kaimingUniform(mode: FanMode = .fanIn, gain: Float = 1.4142135)
    /// N(mean, std²) (`normal_`); the RPN head uses std 0.01.
    case normal(mean: Float = 0, std: Float)
    /// U(low, high) (`uniform_`).
    case uniform(low: Float, high: Float)
    /// Every element equal to `value` (`constant_`).
    case constant(Float)
    /// A (semi-)orthogonal matrix times `gain`, the weight viewed as [out, in·Πk]
    /// (`orthogonal_`). Reference: Saxe et al., arXiv:1312.6120.
    case orthogonal(gain: Float = 1)

    /// All zeros (`zeros_`).
    public static let zeros = Initializer.constant(0)
    /// All ones (`ones_`).
    public static let ones = Initializer.constant(1)

    /// A new weight tensor of `shape`, with fans computed from the shape.
    /// - Precondition: rank ≥ 2 for the fan-based and orthogonal cases.
    public func weight(_ shape: [Int], using generator: inout some RandomNumberGenerator) -> Tensor {
        switch self {
        case .pytorchDefault, .kaimingNormal, .kaimingUniform:
            return tensor(shape, fans: Fans(weightShape: shape), using: &generator)
        default:
            return tensor(shape, fans: nil, using: &generator)
        }
    }

    /// A new bias [count] for a layer whose weight has shape `weightShape`.
    public func bias(_ count: Int, weightShape: [Int], using generator: inout some RandomNumberGenerator) -> Tensor {
        switch self {
        case .pytorchDefault, .kaimingNormal, .kaimingUniform:
            return tensor([count], fans: Fans(weightShape: weightShape), using: &generator)
        default:
            return tensor([count], fans: nil, using: &generator)
        }
    }

    /// A new tensor of `shape` with the given fans (needed by the pytorchDefault and Kaiming cases).
    /// - Precondition: `fans` is given for those cases; the orthogonal case needs rank ≥ 2.
    public func tensor(_ shape: [Int], fans: Fans?, using generator: inout some RandomNumberGenerator) -> Tensor {
        func requireFans() -> Fans {
            guard let fans else { preconditionFailure("Initializer \(self): fans are required for shape \(shape)") }
            return fans
        }
        switch self {
        case .pytorchDefault:
            let fanIn = requireFans().fanIn
            let bound: Float = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
            return .uniform(shape, low: -bound, high: bound, using: &generator)
        case let .kaimingNormal(mode, gain):
            let fan = requireFans()[mode]
            precondition(fan > 0, "kaimingNormal: zero \(mode) for shape \(shape)")
            return .normal(shape, std: gain / Float(fan).squareRoot(), using: &generator)
        case let .kaimingUniform(mode, gain):
            let fan = requireFans()[mode]
            precondition(fan > 0, "kaimingUniform: zero \(mode) for shape \(shape)")
            let bound = gain * (3 / Float(fan)).squareRoot()
            return .uniform(shape, low: -bound, high: bound, using: &generator)
        case let .normal(mean, std):
            return .normal(shape, mean: mean, std: std, using: &generator)
        case let .uniform(low, high):
            return .uniform(shape, low: low, high: high, using: &generator)
        case let .constant(value):
            return Tensor(repeating: value, shape: shape)
        case let .orthogonal(gain):
            return Self.orthogonalTensor(shape, gain: gain, using: &generator)
        }
    }

    /// `torch.nn.init.orthogonal_`: view the tensor as [rows = shape[0], cols = rest], draw it
    /// N(0, 1), take Q of the QR decomposition of the tall orientation (transposing when
    /// rows < cols) with R's diagonal made non-negative, and scale by `gain`. Rows (or columns,
    /// whichever are fewer) come out orthonormal.
    static func orthogonalTensor(_ shape: [Int], gain: Float, using generator: inout some RandomNumberGenerator) -> Tensor {
        precondition(shape.count >= 2, "orthogonal: shape \(shape) needs at least 2 dimensions")
        let rows = shape[0], count = Shape.count(shape)
        if count == 0 { return Tensor.zeros(shape) }
        let cols = count / rows
        var flat = Tensor.normal([rows, cols], using: &generator)
        if rows < cols { flat = flat.transposed() }
        let m = max(rows, cols), n = min(rows, cols)
        var q = flat.scalars
        let succeeded = q.withUnsafeMutableBufferPointer { Kernels.orthonormalizeColumns($0, m: m, n: n) }
        precondition(succeeded, "orthogonal: LAPACK QR failed for a [\(m), \(n)] Gaussian matrix")
        var result = Tensor(shape: [m, n], scalars: q)
        if rows < cols { result = result.transposed() }
        return (result * gain).reshaped(to: shape)
    }
}
