// Legend: N images, A anchors per image; S separate-pass negatives pooled over the batch at one
// head; E extra proposals of one image (appended after its P proposals and M ground-truth boxes).
//
// The hard-negative buffer's separate-pass mode (DESIGN.md "Sampling strategies": "an extra
// forward/backward on the buffered negatives only"). A strategy returns the replayed negatives
// in `SamplingResult.separatePassNegatives`, apart from its selection; each head trains them
// here, in a pass of their own:
//
//   L_sep = (1 / S) · Σ_{i ∈ separate pass} ℓ(x_i, background)
//
// with ℓ the head's classification loss (BCE at the RPN, softmax CE at the RoI head, or their
// focal forms), S counted over the batch. The term is added to the head's classification loss.
// Gradients of a sum are the sum of the gradients, so one backward of L_batch + L_sep leaves in
// every parameter exactly what a backward of L_batch followed, before the optimiser step, by a
// forward/backward of L_sep alone would have accumulated: the same update as the seed's extra
// pass. The forward values are shared where a second forward would recompute the same numbers
// from the same weights (the RPN's objectness, the backbone features); at the RoI head the
// separate-pass boxes get their own RoI Align + box-head forward, with gradient.
import Autograd
import TensorCore

extension TinyFasterRCNN {
    /// The RPN's separate pass: the mean classification loss of the separate-pass anchors
    /// against background, pooled over the batch, or nil when no image has any.
    ///
    /// Adding the result to the RPN's objectness term is the same update as an extra
    /// forward/backward over those anchors alone before the optimiser step (gradients
    /// accumulate; the objectness values a second forward would compute are these).
    /// - Parameters:
    ///   - output: the RPN outputs of N images ([N, A] objectness).
    ///   - candidates: per image, the A matched anchors.
    ///   - choices: per image, the RPN choice; `separatePass` holds anchor indices.
    ///   - kind: BCE (or sigmoid focal), as the batch term.
    /// - Returns: a scalar, Σ ℓ(logit, 0) / S over the S separate-pass anchors, or nil for S = 0.
    /// - Precondition: every separate-pass anchor is in 0..<A, background (label 0) and not in
    ///   its image's selection.
    func rpnSeparatePassLoss(_ output: RPNOutput, candidates: [MatchedCandidates], choices: [HeadChoice],
                             kind: ClassificationLossKind) -> Variable? {
        guard let selections = HeadChoice.separatePassSelections(choices, candidates: candidates, head: "RPN") else { return nil }
        // Every index is background: the box term is 0 and the classification target is 0.
        return rpn.loss(output, candidates: candidates, selections: selections, kind: kind,
                        normalization: .selectedCount).classification
    }

    /// The RoI head's separate pass: RoI Align and the box head, with gradient, over the
    /// separate-pass RoIs of every image, and their mean classification loss against
    /// background, or nil when no image has any.
    ///
    /// The indices point into each image's candidates (proposals, ground truth, then the E
    /// extra proposals the strategy returned from `extraProposals(for:progress:)`), so the
    /// hard-negative buffer's replays are rows P + M ..< P + M + E. Adding the result to the
    /// RoI classification term is the same update as an extra forward/backward over those RoIs
    /// alone before the optimiser step (gradients accumulate).
    /// - Parameters:
    ///   - features: [N, C, h, w] feature map (with gradient).
    ///   - candidates: per image, the matched candidates.
    ///   - choices: per image, the RoI-head choice; `separatePass` holds candidate indices.
    ///   - kind: softmax CE (or softmax focal), as the batch term.
    /// - Returns: a scalar, Σ ℓ(logits, class 0) / S over the S separate-pass RoIs, or nil for S = 0.
    /// - Precondition: every separate-pass index is a background candidate of its image, not
    ///   in its selection.
    func roiSeparatePassLoss(features: Variable, candidates: [MatchedCandidates], choices: [HeadChoice],
                             kind: ClassificationLossKind) -> Variable? {
        guard let selections = HeadChoice.separatePassSelections(choices, candidates: candidates, head: "RoI head") else { return nil }
        return roiHeads.loss(features: features, candidates: candidates, selections: selections, kind: kind,
                             normalization: .selectedCount).classification
    }
}

extension HeadChoice {
    /// The choices' separate-pass negatives as selections (normalised by their own total
    /// count), or nil when there are none in the batch.
    /// - Precondition: one choice per candidate set; every separate-pass index in range,
    ///   background (label 0) and not in its image's selection.
    static func separatePassSelections(_ choices: [HeadChoice], candidates: [MatchedCandidates],
                                       head: String) -> [CandidateSelection]? {
        precondition(choices.count == candidates.count,
                     "loss: \(choices.count) \(head) choices for \(candidates.count) images")
        guard choices.contains(where: { !$0.separatePass.isEmpty }) else { return nil }
        for (image, (choice, matched)) in zip(choices, candidates).enumerated() where !choice.separatePass.isEmpty {
            let selected = Set(choice.selection.indices)
            for j in choice.separatePass {
                precondition(j >= 0 && j < matched.count && matched.classLabels[j] == 0,
                             "loss: \(head) image \(image): separate-pass negative \(j) is not a background candidate of \(matched.count) (label \(j >= 0 && j < matched.count ? String(matched.classLabels[j]) : "out of range"))")
                precondition(!selected.contains(j),
                             "loss: \(head) image \(image): separate-pass negative \(j) is also in the batch selection")
            }
        }
        return choices.map { CandidateSelection(indices: $0.separatePass) }
    }
}
