// Legend: N candidates of one image at one head, K foreground classes (labels 1…K, 0
// background); deltas (dx, dy, dw, dh) in the head's box-coder space.
import Foundation
import Kernels
import TensorCore

/// A head's current predictions for every candidate of one image, without gradient: what a
/// strategy's per-candidate losses and foreground probabilities are computed from.
///
/// Shapes by ``form``: objectness logits [N] with deltas [N, 4] (RPN); softmax logits [N, K + 1]
/// with class-specific deltas [N, 4·(K + 1)] (RoI head); sigmoid logits [N, K] with deltas
/// [N, 4] (RetinaNet). The form is stated, never guessed from the logits' rank.
public struct HeadPredictions: Sendable {
    /// How the logits score the candidates.
    public var form: ClassificationForm
    /// [N], [N, K + 1] or [N, K] logits, by ``form``.
    public var logits: Tensor
    /// [N, 4] class-agnostic deltas, or [N, 4·(K + 1)] class-specific deltas for a softmax head.
    public var deltas: Tensor

    /// Creates a prediction record.
    /// - Precondition: the shapes fit the form, as listed above.
    public init(form: ClassificationForm, logits: Tensor, deltas: Tensor) {
        let n = logits.shape.first ?? 0
        let expected: (logits: [Int], deltas: [Int])
        switch form {
        case .objectness: expected = ([n], [n, 4])
        case let .softmax(k): expected = ([n, k + 1], [n, 4 * (k + 1)])
        case let .sigmoid(k): expected = ([n, k], [n, 4])
        }
        precondition(logits.shape == expected.logits && deltas.shape == expected.deltas,
                     "HeadPredictions: \(form) needs logits \(expected.logits) and deltas \(expected.deltas), got \(logits.shape) and \(deltas.shape)")
        self.form = form
        self.logits = logits
        self.deltas = deltas
    }

    /// The number of candidates N.
    public var count: Int { logits.shape.first ?? 0 }

    /// Computes [N] per-candidate losses: the classification loss plus, for positives, the box
    /// loss of the matched class's deltas; 0 for ignored candidates. What `ohem` and `ssd` rank by.
    ///
    /// Classification by form: BCE of the objectness; softmax cross-entropy; the sum of the K
    /// BCE terms against the one-hot target. Box: smooth L1 with `beta` summed over the four
    /// deltas (the class-specific ones of the label at a softmax head).
    /// Reference: Shrivastava et al., arXiv:1604.03540 (classification + box loss per RoI).
    /// - Parameters:
    ///   - candidates: the N matched candidates (labels and regression targets).
    ///   - beta: the head's smooth-L1 β (1/9 in Faster R-CNN; 0, plain L1, in RetinaNet).
    /// - Returns: [N] losses.
    /// - Precondition: N candidates; labels within the form's classes.
    public func candidateLosses(for candidates: MatchedCandidates, beta: Float) -> [Float] {
        let n = candidates.count
        precondition(n == count, "candidateLosses: \(n) candidates for \(count) predictions")
        var losses = [Float](repeating: 0, count: n)
        logits.scalars.withUnsafeBufferPointer { logits in
            deltas.scalars.withUnsafeBufferPointer { deltas in
                candidates.regressionTargets.scalars.withUnsafeBufferPointer { targets in
                    candidates.labels.withUnsafeBufferPointer { labels in
                        losses.withUnsafeMutableBufferPointer { out in
                            switch form {
                            case .objectness:
                                Kernels.objectnessCandidateLosses(out, objectnessLogits: logits, labels: labels,
                                                                  deltas: deltas, targets: targets, beta: beta)
                            case let .softmax(k):
                                Kernels.roiCandidateLosses(out, logits: logits, labels: labels, classCount: k + 1,
                                                           deltas: deltas, targets: targets, beta: beta)
                            case let .sigmoid(k):
                                Kernels.sigmoidCandidateLosses(out, logits: logits, labels: labels, classCount: k,
                                                               deltas: deltas, targets: targets, beta: beta)
                            }
                        }
                    }
                }
            }
        }
        return losses
    }

    /// Computes [N] predicted foreground probabilities in [0, 1]: the sigmoid of the objectness,
    /// 1 − P(background) under the softmax, or the highest of the K class sigmoids (the score
    /// the candidate would be detected with).
    public func foregroundProbabilities() -> [Float] {
        switch form {
        case .objectness:
            return logits.scalars.map { 1 / (1 + Foundation.exp(-$0)) }
        case let .softmax(k):
            let l = k + 1, s = logits.scalars
            return (0..<count).map { r in
                let row = s[(r * l)..<(r * l + l)], top = row.max()!
                let total = row.reduce(Float(0)) { $0 + Foundation.exp($1 - top) }
                return 1 - Foundation.exp(s[r * l] - top) / total
            }
        case let .sigmoid(k):
            let s = logits.scalars
            return (0..<count).map { r in
                let top = s[(r * k)..<(r * k + k)].max()!
                return 1 / (1 + Foundation.exp(-top))
            }
        }
    }
}
