// Per-candidate detection loss for hard-example mining (OHEM, SSD), one pass, no gradient.
//
// Legend: A candidates (anchors at the RPN, RoIs at the RoI head), C classes with 0 = background,
// labels: > 0 positive (the class at the RoI head), 0 negative, < 0 ignored.
//   loss_a = classification loss + [label_a > 0] · Σ_k smoothL1_β(delta_ak − target_ak)
// the ranking quantity of the OHEM paper (classification + box loss per RoI); ignored
// candidates get 0. DESIGN.md "Precise choices": `ohem` and `ssd` rank by exactly this.

extension Kernels {
    /// Computes the RPN per-anchor loss: objectness BCE plus smooth L1 on positives' deltas.
    ///
    /// `loss[a] = BCE(logit_a, label_a > 0) + [label_a > 0] · Σ_k smoothL1_β(deltas[a, k] − targets[a, k])`,
    /// 0 for ignored anchors. The terms equal ``binaryCrossEntropyWithLogitsForward(_:logits:targets:weights:)``
    /// and ``smoothL1Forward(_:input:target:beta:weights:)``, summed over the four deltas.
    /// Reference: Shrivastava et al., "Training Region-based Object Detectors with Online Hard
    /// Example Mining", arXiv:1604.03540.
    /// - Parameters:
    ///   - loss: output, [A] per-anchor losses (overwritten).
    ///   - objectnessLogits: [A] objectness logits.
    ///   - labels: [A] +1 foreground, 0 background, −1 ignored.
    ///   - deltas: [A, 4] predicted box deltas (dx, dy, dw, dh).
    ///   - targets: [A, 4] encoded regression targets of the matched ground truth.
    ///   - beta: smooth L1 β ≥ 0 (the detector uses 1/9).
    /// - Precondition: buffers hold A, A, 4·A and 4·A elements; `beta >= 0`.
    public static func objectnessCandidateLosses(
        _ loss: UnsafeMutableBufferPointer<Float>,
        objectnessLogits: UnsafeBufferPointer<Float>,
        labels: UnsafeBufferPointer<Int32>,
        deltas: UnsafeBufferPointer<Float>,
        targets: UnsafeBufferPointer<Float>,
        beta: Float
    ) {
        let a = labels.count
        precondition(loss.count == a && objectnessLogits.count == a && deltas.count == 4 * a && targets.count == 4 * a,
                     "objectnessCandidateLosses: loss [\(loss.count)], logits [\(objectnessLogits.count)], deltas [\(deltas.count)], targets [\(targets.count)] but labels [\(a)] (need A, A, A·4, A·4)")
        precondition(beta >= 0, "objectnessCandidateLosses: beta must be >= 0, got \(beta)")
        guard a > 0 else { return }
        let out = loss.baseAddress!, x = objectnessLogits.baseAddress!, y = labels.baseAddress!
        let d = deltas.baseAddress!, t = targets.baseAddress!
        let halfInverseBeta: Float = beta > 0 ? 0.5 / beta : 0, halfBeta = 0.5 * beta
        // Branch-free per anchor: both terms are computed and the labels select.
        for i in 0..<a {
            let positive = y[i] > 0
            let classification = bceWithLogits(x[i], positive ? 1 : 0)
            var box: Float = 0
            for j in 0..<4 { box += smoothL1(d[4 * i + j] - t[4 * i + j], beta, halfInverseBeta, halfBeta) }
            let value = classification + (positive ? box : 0)
            out[i] = y[i] < 0 ? 0 : value
        }
    }

    /// Computes the RoI-head per-RoI loss: softmax cross-entropy plus smooth L1 on positives'
    /// class-specific deltas.
    ///
    /// `loss[k] = CE(logits[k], label_k) + [label_k > 0] · Σ_j smoothL1_β(deltas[k, 4·label_k + j] − targets[k, j])`,
    /// 0 for ignored RoIs (label < 0). The classification term equals
    /// ``softmaxCrossEntropyForward(_:logits:labels:classCount:ignoredLabel:weights:)``; the box
    /// term picks the deltas of the labelled class, as torchvision's `fastrcnn_loss`.
    /// Reference: Shrivastava et al., arXiv:1604.03540 (the per-RoI loss that OHEM ranks by).
    /// - Parameters:
    ///   - loss: output, [K] per-RoI losses (overwritten).
    ///   - logits: [K, C] class logits, class 0 background.
    ///   - labels: [K] class indices in 0..<C, or negative for ignored RoIs.
    ///   - classCount: C ≥ 1.
    ///   - deltas: [K, 4·C] class-specific box deltas.
    ///   - targets: [K, 4] encoded regression targets of the matched ground truth.
    ///   - beta: smooth L1 β ≥ 0 (the detector uses 1/9).
    /// - Precondition: buffers hold K, K·C, K·4·C and 4·K elements; labels < C; `beta >= 0`.
    public static func roiCandidateLosses(
        _ loss: UnsafeMutableBufferPointer<Float>,
        logits: UnsafeBufferPointer<Float>,
        labels: UnsafeBufferPointer<Int32>,
        classCount: Int,
        deltas: UnsafeBufferPointer<Float>,
        targets: UnsafeBufferPointer<Float>,
        beta: Float
    ) {
        let k = labels.count, c = classCount
        checkRowShapes(loss.count, logits.count, k, c, nil, "roiCandidateLosses")
        precondition(deltas.count == k * 4 * c && targets.count == k * 4,
                     "roiCandidateLosses: deltas [\(deltas.count)] should be [\(k), \(4 * c)], targets [\(targets.count)] should be [\(k), 4]")
        precondition(beta >= 0, "roiCandidateLosses: beta must be >= 0, got \(beta)")
        guard k > 0 else { return }
        let out = loss.baseAddress!, x = logits.baseAddress!, y = labels.baseAddress!
        let d = deltas.baseAddress!, t = targets.baseAddress!
        let halfInverseBeta: Float = beta > 0 ? 0.5 / beta : 0, halfBeta = 0.5 * beta
        withUnsafeTemporaryAllocation(of: Float.self, capacity: c) { scratch in
            let exps = scratch.baseAddress!
            for i in 0..<k {
                let label = Int(y[i])
                precondition(label < c, "roiCandidateLosses: label \(label) of RoI \(i) is not below classCount \(c)")
                if label < 0 { out[i] = 0; continue }
                let row = x + i * c
                let m = rowMaximum(row, c)
                rowShiftedExp(exps, row, c, shift: m)
                var value = (m - row[label]) + vectorizableLog(rowSum(exps, c))
                if label > 0 {
                    let classDeltas = d + i * 4 * c + 4 * label, target = t + i * 4
                    for j in 0..<4 { value += smoothL1(classDeltas[j] - target[j], beta, halfInverseBeta, halfBeta) }
                }
                out[i] = value
            }
        }
    }

    /// Computes the dense head's per-anchor loss: binary cross-entropy over its K sigmoid
    /// logits plus smooth L1 (L1 at β = 0) on positives' class-agnostic deltas.
    ///
    /// `loss[a] = Σ_k BCE(logits[a, k], [label_a = k + 1]) + [label_a > 0] · Σ_j smoothL1_β(deltas[a, j] − targets[a, j])`,
    /// 0 for ignored anchors: a background anchor has target 0 for every class, a foreground one
    /// 1 for its own class's logit (column label − 1). The classification term equals the sum
    /// over the row of ``binaryCrossEntropyWithLogitsForward(_:logits:targets:weights:)``, as
    /// torchvision's RetinaNet builds its one-hot targets.
    /// Reference: Shrivastava et al., arXiv:1604.03540 (classification + box loss ranks the
    /// candidates); Lin et al., arXiv:1708.02002 (K sigmoid logits, no background class).
    /// - Parameters:
    ///   - loss: output, [A] per-anchor losses (overwritten).
    ///   - logits: [A, K] class logits.
    ///   - labels: [A] ≥ 1 foreground class, 0 background, < 0 ignored.
    ///   - classCount: K ≥ 1.
    ///   - deltas: [A, 4] predicted box deltas.
    ///   - targets: [A, 4] encoded regression targets of the matched ground truth.
    ///   - beta: smooth L1 β ≥ 0 (0: L1, RetinaNet's box loss).
    /// - Precondition: buffers hold A, A·K, A·4 and A·4 elements; labels ≤ K; `beta >= 0`.
    public static func sigmoidCandidateLosses(
        _ loss: UnsafeMutableBufferPointer<Float>,
        logits: UnsafeBufferPointer<Float>,
        labels: UnsafeBufferPointer<Int32>,
        classCount: Int,
        deltas: UnsafeBufferPointer<Float>,
        targets: UnsafeBufferPointer<Float>,
        beta: Float
    ) {
        let a = labels.count, k = classCount
        precondition(k >= 1 && loss.count == a && logits.count == a * k && deltas.count == 4 * a && targets.count == 4 * a,
                     "sigmoidCandidateLosses: loss [\(loss.count)], logits [\(logits.count)], deltas [\(deltas.count)], targets [\(targets.count)] but labels [\(a)], K = \(k) (need A, A·K, A·4, A·4)")
        precondition(beta >= 0, "sigmoidCandidateLosses: beta must be >= 0, got \(beta)")
        guard a > 0 else { return }
        let out = loss.baseAddress!, x = logits.baseAddress!, y = labels.baseAddress!
        let d = deltas.baseAddress!, t = targets.baseAddress!
        let halfInverseBeta: Float = beta > 0 ? 0.5 / beta : 0, halfBeta = 0.5 * beta
        for i in 0..<a {
            let label = Int(y[i])
            precondition(label <= k, "sigmoidCandidateLosses: label \(label) of anchor \(i) exceeds K = \(k)")
            if label < 0 { out[i] = 0; continue }
            let row = x + i * k
            var value: Float = 0
            for c in 0..<k { value += bceWithLogits(row[c], c + 1 == label ? 1 : 0) }
            if label > 0 {
                for j in 0..<4 { value += smoothL1(d[4 * i + j] - t[4 * i + j], beta, halfInverseBeta, halfBeta) }
            }
            out[i] = value
        }
    }
}
