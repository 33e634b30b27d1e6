// Legend: N candidates of one image and head, M ground-truth boxes; boxes [·, 4] as
// (x1, y1, x2, y2) in input-image pixels; deltas (dx, dy, dw, dh).
import DetectionKernels
import Kernels
import TensorCore

/// The candidates of one image and head after matching: boxes, verdicts, training labels and
/// box-regression targets. The input to selection and to loss evaluation.
///
/// `labels` is the one label encoding of the detection stack, from matching through the
/// strategies and the selection kernels to the losses: one `Int32` per candidate, the matched
/// ground truth's class (≥ 1; 1 at the class-agnostic RPN) for foreground, 0 for background, −1
/// for ignored.
public struct MatchedCandidates: Sendable {
    /// [N, 4] candidate boxes (anchors, or proposals followed by the ground truth and any extra
    /// proposals), pixels.
    public var boxes: Tensor
    /// [N] matcher verdicts; a foreground verdict carries the index of its ground truth in the
    /// image's ground-truth list (as given, before invalid boxes were dropped).
    public var matches: [Match]
    /// [N] class per candidate: ≥ 1 foreground (the matched ground truth's class), 0 background,
    /// −1 ignored.
    public var labels: [Int32]
    /// [N, 4] deltas of the matched ground truth relative to each foreground candidate (zero rows
    /// elsewhere), encoded with the head's box coder.
    public var regressionTargets: Tensor
    /// [N] each candidate's highest IoU with the image's (valid) ground truth, in [0, 1]; 0 when
    /// there is none. A by-product of matching (the IoU-balanced strategy's bins).
    public var maxIoU: [Float]

    /// The number of candidates N.
    public var count: Int { matches.count }

    /// Matches candidates to ground truth and encodes the foreground candidates' targets.
    ///
    /// No ground truth: every candidate is background with zero targets. Ground-truth boxes
    /// with a non-positive width or height cannot be encoded (and torchvision rejects them), so
    /// they are dropped before matching.
    /// - Parameters:
    ///   - candidates: [N, 4] anchors or proposals, pixels, with positive sides where matched.
    ///   - groundTruthBoxes: [M, 4] ground-truth boxes, pixels.
    ///   - groundTruthLabels: [M] classes, each ≥ 1 (pass all 1 for the RPN).
    ///   - matcher: the head's matcher.
    ///   - coder: the head's box coder.
    /// - Precondition: shapes as above; labels ≥ 1.
    public init(candidates: Tensor, groundTruthBoxes: Tensor, groundTruthLabels: [Int], matcher: Matcher, coder: BoxCoder) {
        let n = Boxes.count(candidates, "MatchedCandidates")
        let m = Boxes.count(groundTruthBoxes, "MatchedCandidates")
        precondition(groundTruthLabels.count == m && groundTruthLabels.allSatisfy { $0 >= 1 },
                     "MatchedCandidates: \(groundTruthLabels.count) labels for \(m) boxes; labels must be ≥ 1, got \(groundTruthLabels)")
        let valid = (0..<m).filter { i in
            let b = groundTruthBoxes.scalars
            return b[4 * i] < b[4 * i + 2] && b[4 * i + 1] < b[4 * i + 3]
        }
        let gt = valid.count == m ? groundTruthBoxes : Boxes.gathered(groundTruthBoxes, valid)
        let gtLabels = valid.map { groundTruthLabels[$0] }
        let (verdicts, maxIoU) = matcher.matchWithMaxIoU(candidates, to: gt)
        var matches = verdicts
        var labels = [Int32](repeating: 0, count: n)
        var foreground: [Int] = [], matched: [Int] = []
        for (j, match) in verdicts.enumerated() {
            switch match {
            case let .foreground(g):
                labels[j] = Int32(gtLabels[g])
                foreground.append(j)
                matched.append(g)
                // Name the ground truth by its place in the list the caller gave.
                if valid.count != m { matches[j] = .foreground(groundTruthIndex: valid[g]) }
            case .background: labels[j] = 0
            case .ignored: labels[j] = -1
            }
        }
        var targets = [Float](repeating: 0, count: 4 * n)
        if !foreground.isEmpty {
            let encoded = coder.encode(Boxes.gathered(gt, matched), relativeTo: Boxes.gathered(candidates, foreground))
            for (r, j) in foreground.enumerated() {
                for c in 0..<4 { targets[4 * j + c] = encoded.scalars[4 * r + c] }
            }
        }
        self.boxes = candidates
        self.matches = matches
        self.labels = labels
        self.regressionTargets = Tensor(shape: [n, 4], scalars: targets)
        self.maxIoU = maxIoU
    }

    /// The counts of foreground, background and ignored candidates.
    public var labelCounts: (foreground: Int, background: Int, ignored: Int) {
        var f = 0, b = 0, i = 0
        for label in labels {
            if label > 0 { f += 1 } else if label == 0 { b += 1 } else { i += 1 }
        }
        return (f, b, i)
    }
}
