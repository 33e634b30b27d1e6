// Legend: N candidates of one image, K foreground classes (labels 1…K, 0 background).

/// How a head scores its candidates: the shape of its classification logits and what they mean.
///
/// The form decides how a head's predictions become per-candidate losses and foreground
/// probabilities for a strategy, and how ``ClassificationLossKind`` is evaluated: BCE or sigmoid
/// focal for `objectness` and `sigmoid`, softmax cross-entropy or softmax focal for `softmax`.
/// Reference: Ren et al., arXiv:1506.01497 (objectness, softmax over K + 1); Lin et al.,
/// arXiv:1708.02002 (K independent sigmoids, no background logit).
public enum ClassificationForm: Sendable, Hashable {
    /// One logit per candidate, foreground against background through a sigmoid (the RPN).
    case objectness
    /// K + 1 logits per candidate, a softmax with class 0 background (the RoI head).
    case softmax(classCount: Int)
    /// K logits per candidate, one independent sigmoid per class, no background logit
    /// (RetinaNet); a background candidate has target 0 for every class.
    case sigmoid(classCount: Int)

    /// The number of logits per candidate: 1, K + 1 or K.
    public var logitsPerCandidate: Int {
        switch self {
        case .objectness: 1
        case let .softmax(classCount): classCount + 1
        case let .sigmoid(classCount): classCount
        }
    }
}
