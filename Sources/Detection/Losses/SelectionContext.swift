// Legend: N candidates of one image and head (A anchors at the RPN; proposals followed by the
// ground truth at the RoI head), L = K + 1 classes (0 = background).
import DetectionKernels
import Foundation
import Kernels
import TensorCore

/// The current predictions for every candidate of one image, without gradient.
public struct HeadPredictions: Sendable {
    /// RPN: [A] objectness logits; RoI head: [N, L] class logits.
    public var logits: Tensor
    /// RPN: [A, 4] deltas; RoI head: [N, 4·L] class-specific deltas.
    public var deltas: Tensor

    /// Creates a prediction record.
    /// - Precondition: RPN shapes [A] and [A, 4], or RoI-head shapes [N, L] and [N, 4·L].
    public init(logits: Tensor, deltas: Tensor) {
        precondition((logits.rank == 1 && deltas.shape == [logits.count, 4])
                     || (logits.rank == 2 && deltas.shape == [logits.shape[0], 4 * logits.shape[1]]),
                     "HeadPredictions: logits \(logits.shape) and deltas \(deltas.shape) must be [A] and [A, 4], or [N, L] and [N, 4·L]")
        self.logits = logits
        self.deltas = deltas
    }

    /// Whether these are RPN predictions (one objectness logit per candidate).
    public var isRPN: Bool { logits.rank == 1 }
}

/// What a selector sees for one image and head: the matched candidates, and on request the
/// head's current predictions, per-candidate losses and foreground scores (no gradient).
/// The head is told by the predictions' shape (`HeadPredictions.isRPN`).
///
/// Predictions are computed on first use and kept: at the RoI head that is a read-only pass
/// over every candidate, which `random` never pays for.
public struct SelectionContext {
    /// The image's index in the batch.
    public var imageIndex: Int
    /// The image's matched candidates.
    public var candidates: MatchedCandidates
    /// The anchor grid (RPN contexts only; nil at the RoI head): what a strategy needs to
    /// mirror anchor indices through an image's flips.
    public var anchorLayout: AnchorLayout?
    private let cache: PredictionCache

    /// Creates a context whose predictions come from `predict`, called at most once.
    public init(imageIndex: Int, candidates: MatchedCandidates, predict: @escaping () -> HeadPredictions) {
        self.imageIndex = imageIndex
        self.candidates = candidates
        cache = PredictionCache(predict)
    }

    /// The head's current predictions for every candidate (computed once).
    public var predictions: HeadPredictions { cache.value }

    /// [N] per-candidate loss: classification (BCE / softmax CE) plus, for positives, smooth L1
    /// (beta 1/9) of the matched class's deltas; 0 for ignored candidates. What `ohem` and `ssd`
    /// rank by (Shrivastava et al., arXiv:1604.03540).
    public var candidateLosses: [Float] {
        let p = predictions, n = candidates.count, beta = HeadLossEvaluation.smoothL1Beta
        var losses = [Float](repeating: 0, count: n)
        p.logits.scalars.withUnsafeBufferPointer { logits in
            p.deltas.scalars.withUnsafeBufferPointer { deltas in
                candidates.regressionTargets.scalars.withUnsafeBufferPointer { targets in
                    candidates.classLabels.withUnsafeBufferPointer { labels in
                        losses.withUnsafeMutableBufferPointer { out in
                            if p.isRPN {
                                Kernels.objectnessCandidateLosses(out, objectnessLogits: logits, labels: labels,
                                                                  deltas: deltas, targets: targets, beta: beta)
                            } else {
                                Kernels.roiCandidateLosses(out, logits: logits, labels: labels, classCount: p.logits.shape[1],
                                                           deltas: deltas, targets: targets, beta: beta)
                            }
                        }
                    }
                }
            }
        }
        return losses
    }

    /// [N] predicted foreground probability: sigmoid of the objectness at the RPN, 1 − P(background)
    /// under the softmax at the RoI head.
    public var foregroundScores: [Float] {
        let p = predictions
        if p.isRPN {
            return p.logits.scalars.map { 1 / (1 + Foundation.exp(-$0)) }
        } else {
            let l = p.logits.shape[1], s = p.logits.scalars
            return (0..<candidates.count).map { r in
                let row = s[(r * l)..<(r * l + l)], top = row.max()!
                let total = row.reduce(Float(0)) { $0 + Foundation.exp($1 - top) }
                return 1 - Foundation.exp(s[r * l] - top) / total
            }
        }
    }
}

/// Computes a value on first access and keeps it (a context is read by one selector, in one task).
private final class PredictionCache {
    private var stored: HeadPredictions?
    private let compute: () -> HeadPredictions

    init(_ compute: @escaping () -> HeadPredictions) { self.compute = compute }

    var value: HeadPredictions {
        if let stored { return stored }
        let value = compute()
        stored = value
        return value
    }
}
