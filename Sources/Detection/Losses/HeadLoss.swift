// Legend: N images, A anchors per image, G selected RoIs pooled over the batch, C = K + 1
// classes (0 = background); deltas (dx, dy, dw, dh).
//
// Loss evaluation given a selection: gather the selected rows, evaluate per-candidate losses
// with the fused primitives, weight, sum, divide by the batch's divisors (one for the
// classification term, one for the box term: `LossDivisors`). Box losses are smooth L1
// (beta 1/9) over the selected positives only.
import Autograd
import TensorCore

/// The two loss terms of one head, as graph nodes (scalars).
public struct HeadLoss {
    /// The classification term (objectness at the RPN, class scores at the RoI head).
    public var classification: Variable
    /// The box-regression term.
    public var box: Variable

    /// Creates the pair.
    public init(classification: Variable, box: Variable) {
        self.classification = classification
        self.box = box
    }
}

/// The loss evaluation of both heads, separate from matching and selection.
public enum HeadLossEvaluation {
    /// Smooth-L1 threshold of both box losses (torchvision's 1/9).
    public static let smoothL1Beta: Float = 1.0 / 9.0

    /// The batch normaliser: max(1, selected) or max(1, selected positives) over all images (the
    /// batch's positives also for `.positiveCountAverage`, whose average is a strategy's state).
    /// - Precondition: one selection per image; selected indices in range.
    public static func normalizer(_ candidates: [MatchedCandidates], _ selections: [CandidateSelection],
                                  _ normalization: LossNormalization) -> Float {
        Float(max(normalizerCount(candidates, selections, normalization), 1))
    }

    /// The count behind the batch normaliser, before max(1, ·): the number selected, or of
    /// selected positives, summed over the images. Data-parallel training sums it over the
    /// ranks' shares of a batch to form the whole batch's normaliser.
    /// - Precondition: one selection per image; selected indices in range.
    public static func normalizerCount(_ candidates: [MatchedCandidates], _ selections: [CandidateSelection],
                                       _ normalization: LossNormalization) -> Int {
        precondition(candidates.count == selections.count,
                     "normalizer: \(selections.count) selections for \(candidates.count) images")
        var total = 0
        for (c, s) in zip(candidates, selections) {
            switch normalization {
            case .selectedCount: total += s.indices.count
            case .positiveCount, .positiveCountAverage: total += s.indices.reduce(0) { $0 + (c.labels[$1] > 0 ? 1 : 0) }
            case .budget: preconditionFailure("normalizer: the budget normaliser needs the strategy's budget (LossDivisors from the strategy's results)")
            }
        }
        return total
    }

    /// Evaluates the RPN loss over the selected anchors of every image.
    ///
    /// Objectness: BCE with logits (or sigmoid focal) of each selected anchor against 1
    /// (foreground) or 0 (background); box: smooth L1 of each selected positive's deltas
    /// against its targets; both weighted, summed over the batch and divided by the normaliser.
    /// - Parameters:
    ///   - objectness: [N, A] logits.
    ///   - deltas: [N, A, 4] predicted deltas.
    ///   - candidates: per image, the matched anchors (A each).
    ///   - selections: per image, the anchors entering the loss.
    ///   - kind: BCE or focal.
    ///   - normalization: what the sums are divided by.
    /// - Precondition: shapes agree; no ignored anchor is selected.
    ///
    /// Reference: Ren et al., arXiv:1506.01497, eq. 1; torchvision `RegionProposalNetwork.compute_loss`.
    public static func rpnLoss(objectness: Variable, deltas: Variable, candidates: [MatchedCandidates],
                               selections: [CandidateSelection], kind: ClassificationLossKind,
                               normalization: LossNormalization) -> HeadLoss {
        rpnLoss(objectness: objectness, deltas: deltas, candidates: candidates, selections: selections, kind: kind,
                divisors: LossDivisors(both: normalizer(candidates, selections, normalization)))
    }

    /// Evaluates the RPN loss as ``rpnLoss(objectness:deltas:candidates:selections:kind:normalization:)``,
    /// dividing the objectness sum by `divisors.classification` and the box sum by `divisors.box`.
    /// - Precondition: as the other form's.
    public static func rpnLoss(objectness: Variable, deltas: Variable, candidates: [MatchedCandidates],
                               selections: [CandidateSelection], kind: ClassificationLossKind,
                               divisors: LossDivisors) -> HeadLoss {
        let n = candidates.count
        precondition(objectness.value.rank == 2 && objectness.shape[0] == n && deltas.shape == objectness.shape + [4],
                     "rpnLoss: objectness \(objectness.shape) and deltas \(deltas.shape) must be [\(n), A] and [\(n), A, 4]")
        // The objectness is RetinaNet's dense head with one class: the anchors' binary labels
        // (1 foreground, 0 background) are its one-hot targets, the same sums in the same order.
        return denseLoss(classLogits: objectness.reshaped(to: objectness.shape + [1]), deltas: deltas,
                         candidates: candidates, selections: selections, kind: kind, divisors: divisors,
                         boxLossBeta: smoothL1Beta)
    }

    /// Evaluates the RoI-head loss over G selected RoIs pooled from the batch.
    ///
    /// Classification: softmax cross-entropy (or softmax focal) against each RoI's class; box:
    /// smooth L1 of each positive RoI's deltas for its own class (columns 4·c..<4·c + 4)
    /// against its targets; both weighted, summed and multiplied by `1 / normalizer`.
    /// - Parameters:
    ///   - classLogits: [G, C] logits.
    ///   - boxDeltas: [G, 4·C] class-specific deltas.
    ///   - classLabels: [G] classes in 0..<C (0 background).
    ///   - regressionTargets: [G, 4] targets (read for positives only).
    ///   - weights: [G] per-RoI weights, or nil for 1.
    ///   - normalizer: the batch normaliser (see `normalizer`), > 0.
    ///   - kind: CE or focal.
    /// - Precondition: shapes agree; labels in 0..<C.
    ///
    /// Reference: Girshick, "Fast R-CNN", arXiv:1504.08083, eq. 1; torchvision `fastrcnn_loss`.
    public static func roiLoss(classLogits: Variable, boxDeltas: Variable, classLabels: [Int32],
                               regressionTargets: Tensor, weights: [Float]?, normalizer: Float,
                               kind: ClassificationLossKind) -> HeadLoss {
        precondition(normalizer > 0, "roiLoss: normalizer \(normalizer) must be positive")
        return roiLoss(classLogits: classLogits, boxDeltas: boxDeltas, classLabels: classLabels,
                       regressionTargets: regressionTargets, weights: weights, divisors: LossDivisors(both: normalizer), kind: kind)
    }

    /// Evaluates the RoI-head loss as ``roiLoss(classLogits:boxDeltas:classLabels:regressionTargets:weights:normalizer:kind:)``,
    /// multiplying the classification sum by `1 / divisors.classification` and the box sum by
    /// `1 / divisors.box`.
    /// - Precondition: as the other form's.
    public static func roiLoss(classLogits: Variable, boxDeltas: Variable, classLabels: [Int32],
                               regressionTargets: Tensor, weights: [Float]?, divisors: LossDivisors,
                               kind: ClassificationLossKind) -> HeadLoss {
        let g = classLabels.count
        precondition(classLogits.value.rank == 2 && classLogits.shape[0] == g,
                     "roiLoss: logits \(classLogits.shape) for \(g) labels")
        let c = classLogits.shape[1]
        precondition(boxDeltas.shape == [g, 4 * c] && regressionTargets.shape == [g, 4] && (weights?.count ?? g) == g,
                     "roiLoss: deltas \(boxDeltas.shape), targets \(regressionTargets.shape) for [\(g), \(c)] logits")
        precondition(classLabels.allSatisfy { $0 >= 0 && Int($0) < c }, "roiLoss: labels must lie in 0..<\(c)")
        if g == 0 { return HeadLoss(classification: Variable(Tensor(0)), box: Variable(Tensor(0))) }
        let scale = 1 / divisors.classification
        let w = weights.map { Tensor(shape: [g], scalars: $0) }
        let perRoI: Variable
        switch kind {
        case .crossEntropy: perRoI = classLogits.crossEntropy(labels: classLabels, weights: w)
        case let .focal(alpha, gamma): perRoI = classLogits.softmaxFocalLoss(labels: classLabels, alpha: alpha, gamma: gamma, weights: w)
        }
        let classification = perRoI.sum() * scale
        var rows: [Int] = [], targets: [Float] = [], boxWeights: [Float] = []
        for (r, label) in classLabels.enumerated() where label > 0 {
            rows.append(r * c + Int(label))
            targets.append(contentsOf: regressionTargets.scalars[(4 * r)..<(4 * r + 4)])
            if let weights { boxWeights.append(contentsOf: repeatElement(weights[r], count: 4)) }
        }
        var box = Variable(Tensor(0))
        if !rows.isEmpty {
            let predicted = boxDeltas.reshaped(to: [g * c, 4]).gathering(rows, alongAxis: 0)
            let bw = weights == nil ? nil : Tensor(shape: [rows.count, 4], scalars: boxWeights)
            box = predicted.smoothL1Loss(target: Tensor(shape: [rows.count, 4], scalars: targets), beta: smoothL1Beta,
                                         weights: bw).sum() * (1 / divisors.box)
        }
        return HeadLoss(classification: classification, box: box)
    }

    /// Evaluates a dense head's loss (RetinaNet's K sigmoid logits per anchor) over the selected
    /// anchors of every image.
    ///
    /// Classification: one term per selected anchor and class, BCE with logits (or sigmoid focal)
    /// against a one-hot target — 1 at column label − 1 for a foreground anchor, 0 everywhere for a
    /// background one — as torchvision's `RetinaNetClassificationHead.compute_loss` builds it; box:
    /// smooth L1 with `boxLossBeta` (0: L1, RetinaNet's) of each selected positive's deltas against
    /// its targets; both weighted, summed over the batch and divided by the normaliser.
    /// - Parameters:
    ///   - classLogits: [N, A, K] logits.
    ///   - deltas: [N, A, 4] predicted deltas.
    ///   - candidates: per image, the matched anchors (A each, labels in 0...K or −1).
    ///   - selections: per image, the anchors entering the loss.
    ///   - kind: BCE or sigmoid focal.
    ///   - normalization: what the sums are divided by.
    ///   - boxLossBeta: the smooth-L1 β of the box term (0 for L1).
    /// - Precondition: shapes agree; no ignored anchor is selected; labels ≤ K.
    ///
    /// Reference: Lin et al., arXiv:1708.02002, §3–4; torchvision `RetinaNetHead.compute_loss`
    /// (which divides each image by its own max(1, foreground) before averaging over images;
    /// here the batch is pooled, as DESIGN.md pools every head's loss).
    public static func denseLoss(classLogits: Variable, deltas: Variable, candidates: [MatchedCandidates],
                                 selections: [CandidateSelection], kind: ClassificationLossKind,
                                 normalization: LossNormalization, boxLossBeta: Float) -> HeadLoss {
        denseLoss(classLogits: classLogits, deltas: deltas, candidates: candidates, selections: selections, kind: kind,
                  divisors: LossDivisors(both: normalizer(candidates, selections, normalization)), boxLossBeta: boxLossBeta)
    }

    /// Evaluates the dense loss as ``denseLoss(classLogits:deltas:candidates:selections:kind:normalization:boxLossBeta:)``,
    /// dividing the classification sum by `divisors.classification` and the box sum by `divisors.box`.
    /// - Precondition: as the other form's.
    public static func denseLoss(classLogits: Variable, deltas: Variable, candidates: [MatchedCandidates],
                                 selections: [CandidateSelection], kind: ClassificationLossKind,
                                 divisors: LossDivisors, boxLossBeta: Float) -> HeadLoss {
        let n = candidates.count
        precondition(classLogits.value.rank == 3 && classLogits.shape[0] == n && deltas.shape == [n, classLogits.shape[1], 4],
                     "denseLoss: logits \(classLogits.shape) and deltas \(deltas.shape) must be [\(n), A, K] and [\(n), A, 4]")
        let a = classLogits.shape[1], k = classLogits.shape[2]
        var rows: [Int] = [], targets: [Float] = [], weights: [Float] = []
        var positiveRows: [Int] = [], boxTargets: [Float] = [], boxWeights: [Float] = []
        let weighted = selections.contains { $0.weights != nil }
        for (image, (matched, selection)) in zip(candidates, selections).enumerated() {
            precondition(matched.count == a, "denseLoss: image \(image) has \(matched.count) matched anchors, expected \(a)")
            let regression = matched.regressionTargets.scalars
            for (s, j) in selection.indices.enumerated() {
                let label = Int(matched.labels[j])
                precondition(label >= 0 && label <= k, "denseLoss: image \(image) selects anchor \(j) with label \(label) (K = \(k))")
                let w = selection.weights?[s] ?? 1
                rows.append(image * a + j)
                for c in 0..<k { targets.append(c + 1 == label ? 1 : 0) }
                if weighted { weights.append(contentsOf: repeatElement(w, count: k)) }
                if label > 0 {
                    positiveRows.append(image * a + j)
                    boxTargets.append(contentsOf: regression[(4 * j)..<(4 * j + 4)])
                    if weighted { boxWeights.append(contentsOf: [w, w, w, w]) }
                }
            }
        }
        let scale = 1 / divisors.classification, boxScale = 1 / divisors.box
        var classification = Variable(Tensor(0))
        if !rows.isEmpty {
            let logits = classLogits.reshaped(to: [n * a, k]).gathering(rows, alongAxis: 0)
            let t = Tensor(shape: [rows.count, k], scalars: targets)
            let w = weighted ? Tensor(shape: [rows.count, k], scalars: weights) : nil
            let perElement: Variable
            switch kind {
            case .crossEntropy: perElement = logits.binaryCrossEntropyWithLogits(targets: t, weights: w)
            case let .focal(alpha, gamma): perElement = logits.sigmoidFocalLoss(targets: t, alpha: alpha, gamma: gamma, weights: w)
            }
            classification = perElement.sum() * scale
        }
        var box = Variable(Tensor(0))
        if !positiveRows.isEmpty {
            let predicted = deltas.reshaped(to: [n * a, 4]).gathering(positiveRows, alongAxis: 0)
            let t = Tensor(shape: [positiveRows.count, 4], scalars: boxTargets)
            let w = weighted ? Tensor(shape: [positiveRows.count, 4], scalars: boxWeights) : nil
            box = predicted.smoothL1Loss(target: t, beta: boxLossBeta, weights: w).sum() * boxScale
        }
        return HeadLoss(classification: classification, box: box)
    }
}
