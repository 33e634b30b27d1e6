// Legend: N images, C channels split into G groups, H×W spatial (any trailing dims).
import Autograd
import TensorCore

/// Group normalisation with a per-channel affine transform (PyTorch's `nn.GroupNorm`),
/// parameters `weight` (gamma) [C], initialised to 1, and `bias` (beta) [C], initialised to 0.
///
/// Neither parameter is weight-decayed (DESIGN.md: no decay on GroupNorm).
/// Reference: Wu and He, "Group Normalization", arXiv:1803.08494.
public struct GroupNorm: Layer {
    /// The number of groups G the channels are split into.
    public let groups: Int
    /// Added to the variance before the square root.
    public var epsilon: Float
    /// The per-channel scale gamma [C].
    public let weight: Variable
    /// The per-channel shift beta [C].
    public let bias: Variable

    /// Creates a group norm over `channels` channels in `groups` groups, gamma 1 and beta 0.
    /// The reference backbone uses 8 groups (4 for 16 channels) and epsilon 1e-5.
    /// - Precondition: `groups ≥ 1` divides `channels`.
    public init(groups: Int, channels: Int, epsilon: Float = 1e-5) {
        precondition(groups >= 1 && channels % groups == 0, "GroupNorm: \(channels) channels not divisible into \(groups) groups")
        self.groups = groups
        self.epsilon = epsilon
        weight = Variable(.ones([channels]), requiresGradient: true)
        bias = Variable(.zeros([channels]), requiresGradient: true)
    }

    /// Normalises [N, C, …] per (image, group) and applies gamma and beta; same shape out.
    /// - Precondition: the input has C channels on axis 1.
    public func callAsFunction(_ x: Variable) -> Variable {
        x.groupNorm(groups: groups, gamma: weight, beta: bias, epsilon: epsilon)
    }

    /// `weight` and `bias`, both without weight decay.
    public var parameters: [Parameter] {
        [Parameter("weight", weight, appliesWeightDecay: false), Parameter("bias", bias, appliesWeightDecay: false)]
    }
}
