// `ohem`: online hard example mining — the budget's highest-loss candidates.
//
// Legend: N candidates, labels [N], losses [N] (classification + smooth-L1 box loss on
// positives, no gradient), b the budget. Equal losses: the lower index ranks first.

import DetectionKernels
import Kernels
import TensorCore

/// A strategy that trains on the candidates with the highest current loss (OHEM).
///
/// The paper's variant (default): the `batchSize` highest-loss candidates whose label is not
/// ignored, with no fixed positive fraction. At a proposal head (the RoI head) the RoIs are first ranked by loss
/// and passed through greedy NMS at IoU 0.7 (`Kernels.ohemRoISelect`), so that near-duplicate
/// RoIs, which share their loss, are not counted twice; at an anchor head (RPN, RetinaNet) the top anchors are taken
/// directly (`Kernels.ohemSelect`). The mmdetection variant keeps the positive fraction:
/// `min(Int(b·f), P)` highest-loss positives and `b` minus that many highest-loss negatives,
/// ranked separately, with no NMS (mmdetection `OHEMStrategy`). The caller computes the
/// per-candidate losses in a read-only pass over every candidate (at the RoI head: over every
/// proposal). An image with no ground truth yields the `b` hardest negatives.
/// Reference: Shrivastava, Gupta, Girshick, "Training Region-based Object Detectors with Online
/// Hard Example Mining", CVPR 2016, arXiv:1604.03540, §4 (the loss ranks RoIs; NMS 0.7).
public struct OHEMStrategy: SamplingStrategy {
    /// Which published form of OHEM to run.
    public enum Variant: Sendable, Hashable {
        /// Shrivastava et al.: top-b by loss over all non-ignored candidates (RoI head: after NMS).
        case paper
        /// mmdetection's `OHEMStrategy`: positives and negatives ranked separately, fraction kept.
        case mmdetection
    }

    /// The head this instance samples.
    public var head: DetectionHead
    /// What the batch's classification sum is divided by: `.selectedCount` (DESIGN.md), or
    /// `.positiveCount`. A moving average is focal's alone (it needs state).
    public var normalization: LossNormalization = .selectedCount
    /// What the batch's box sum is divided by: `.selectedCount` (DESIGN.md), or `.positiveCount`.
    public var boxNormalization: LossNormalization = .selectedCount
    /// b, the number of candidates per image in the loss (256 RPN, 128 RoI head), ≥ 0.
    public var batchSize: Int
    /// f in [0, 1], the positive fraction of the mmdetection variant (unused by `.paper`).
    public var positiveFraction: Double
    /// The NMS IoU threshold over loss-ranked boxes (0.7 at a proposal head, nil at an anchor head: no
    /// NMS). Used by `.paper` only.
    public var nmsThreshold: Float?
    /// The published form to run.
    public var variant: Variant

    /// `ohem`.
    public var name: String { StrategyKind.ohem.rawValue }
    /// Per-candidate losses.
    public var requirements: SamplingRequirements { .candidateLosses }

    /// Creates the strategy with the head's defaults unless given: `nmsThreshold` nil means 0.7
    /// at a proposal head (the RoI head) and no NMS at an anchor head (set the property to nil
    /// afterwards to turn the RoI head's NMS off).
    /// - Precondition: `batchSize >= 0`; `positiveFraction` and `nmsThreshold` in [0, 1].
    public init(head: DetectionHead, batchSize: Int? = nil, positiveFraction: Double? = nil,
                nmsThreshold: Float? = nil, variant: Variant = .paper) {
        self.head = head
        self.batchSize = batchSize ?? head.defaultBatchSize
        self.positiveFraction = positiveFraction ?? head.defaultPositiveFraction
        self.nmsThreshold = nmsThreshold ?? (head.candidates == .proposals ? 0.7 : nil)
        self.variant = variant
        precondition(self.batchSize >= 0 && self.positiveFraction >= 0 && self.positiveFraction <= 1,
                     "OHEMStrategy: need batchSize >= 0 and positiveFraction in [0, 1], got \(self.batchSize), \(self.positiveFraction)")
        precondition(self.nmsThreshold.map { $0 >= 0 && $0 <= 1 } ?? true,
                     "OHEMStrategy: nmsThreshold must be in [0, 1], got \(String(describing: self.nmsThreshold))")
    }

    /// Selects the hardest candidates by the input's per-candidate losses.
    /// - Parameters:
    ///   - input: [N] labels, [N] losses, [N, 4] boxes (for the RoI head's NMS).
    ///   - generator: unused (the selection is deterministic).
    /// - Returns: the selection, cross-entropy, normalised by the number selected.
    public mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        input.validate(requirements, by: name)
        let labels = input.labels, losses = input.losses!
        let positives: [Int], negatives: [Int]
        switch variant {
        case .paper:
            let selected: [Int]
            if let nmsThreshold {
                selected = Self.nmsByLoss(labels: labels, losses: losses, boxes: input.boxes,
                                          iouThreshold: nmsThreshold, count: batchSize)
            } else {
                selected = SamplingPools.topByLoss(labels, losses: losses, count: batchSize)
            }
            (positives, negatives) = SamplingPools.split(selected, labels: labels)
        case .mmdetection:
            let available = SamplingPools.counts(labels)
            let positiveCount = min(Int(Double(batchSize) * positiveFraction), available.positives)
            positives = SamplingPools.topByLoss(SamplingPools.pool(labels, positives: true),
                                                     losses: losses, count: positiveCount)
            negatives = SamplingPools.topByLoss(SamplingPools.pool(labels, positives: false),
                                                     losses: losses, count: batchSize - positiveCount)
        }
        return SamplingResult(candidateCount: input.candidateCount, positives: positives, negatives: negatives,
                              normalization: normalization, boxNormalization: boxNormalization,
                              statistics: MiningStatistics(selectionOf: input, positives: positives, negatives: negatives))
    }

    /// Greedy NMS over the non-ignored boxes in order of decreasing loss, up to `count` kept,
    /// returned ascending.
    static func nmsByLoss(labels: [Int32], losses: [Float], boxes: Tensor, iouThreshold: Float, count: Int) -> [Int] {
        var selected = [Int](repeating: 0, count: count)
        let written = labels.withUnsafeBufferPointer { l in
            losses.withUnsafeBufferPointer { loss in
                boxes.scalars.withUnsafeBufferPointer { b in
                    selected.withUnsafeMutableBufferPointer { out in
                        Kernels.ohemRoISelect(out, boxes: b, losses: loss, labels: l, iouThreshold: iouThreshold, count: count)
                    }
                }
            }
        }
        selected.removeLast(count - written)
        selected.sort()
        return selected
    }
}
