// Softmax focal loss over [N, C] logits with class labels, per sample (reduction 'none').
//
// Legend: N rows (RoIs), C classes with 0 = background; x [N, C] logits, y [N] labels,
// w [N] weights, g [N] grad_output; p = softmax(x_i), p_t = p_y, q = 1 − p_t, log p_t = x_y − lse.
// α_t = α for foreground (y ≥ 1), 1 − α for background (y = 0); DESIGN.md fixes α = 0.25, γ = 2.
//   loss_i = −w_i · α_t · q^γ · log p_t
//   ∂loss_i/∂x_ij = w_i · α_t · F · (p_j − [j = y]),   F = q^γ − γ · q^(γ−1) · p_t · log p_t
// Why q is summed over the other classes rather than taken as 1 − p_t: when the label holds
// almost all the mass, 1 − p_t cancels to 0 in Float while Σ_{j≠y} p_j keeps its digits.

extension Kernels {
    /// Computes the per-sample softmax focal loss of [N, C] logits against class labels.
    ///
    /// loss = −α_t (1 − p_t)^γ log p_t with α_t = `alpha` for foreground rows (label ≥ 1) and
    /// 1 − `alpha` for background rows (label 0). γ = 0 and α = 0.5 give half the cross-entropy.
    /// Reference: Lin et al., "Focal Loss for Dense Object Detection", arXiv:1708.02002 (the
    /// softmax form of section 3; alpha 0.25 / 0.75 and gamma 2 as in DESIGN.md's precise choices).
    /// - Parameters:
    ///   - loss: output, [N] per-sample losses (overwritten; 0 for ignored rows).
    ///   - logits: [N, C] logits, row-major.
    ///   - labels: [N] class indices in 0..<C (0 = background), or `ignoredLabel`.
    ///   - classCount: C ≥ 1.
    ///   - alpha: foreground weight in [0, 1]; background rows get 1 − alpha.
    ///   - gamma: the focusing exponent, ≥ 0.
    ///   - ignoredLabel: the label of rows to skip.
    ///   - weights: optional [N] per-sample weights multiplying the loss.
    /// - Precondition: `logits.count == N·C`; labels in 0..<C or `ignoredLabel`; 0 ≤ alpha ≤ 1; gamma ≥ 0.
    public static func softmaxFocalLossForward(
        _ loss: UnsafeMutableBufferPointer<Float>,
        logits: UnsafeBufferPointer<Float>,
        labels: UnsafeBufferPointer<Int32>,
        classCount: Int,
        alpha: Float = 0.25,
        gamma: Float = 2,
        ignoredLabel: Int32 = -1,
        weights: UnsafeBufferPointer<Float>? = nil
    ) {
        let n = labels.count, c = classCount
        checkRowShapes(loss.count, logits.count, n, c, weights, "softmaxFocalLossForward")
        precondition(alpha >= 0 && alpha <= 1 && gamma >= 0, "softmaxFocalLossForward: need 0 <= alpha <= 1 and gamma >= 0, got alpha \(alpha), gamma \(gamma)")
        guard n > 0 else { return }
        let out = loss.baseAddress!, x = logits.baseAddress!, y = labels.baseAddress!, w = weights?.baseAddress
        withUnsafeTemporaryAllocation(of: Float.self, capacity: c) { scratch in
            for i in 0..<n {
                let label = y[i]
                checkClassLabel(label, row: i, classCount: c, ignoredLabel: ignoredLabel, "softmaxFocalLossForward")
                if label == ignoredLabel { out[i] = 0; continue }
                let r = focalRow(scratch.baseAddress!, x + i * c, c, label: Int(label))
                let alphaT = label >= 1 ? alpha : 1 - alpha
                out[i] = -(w?[i] ?? 1) * alphaT * unitPower(r.q, gamma) * r.logPT
            }
        }
    }

    /// Accumulates the gradient of the per-sample softmax focal loss with respect to the logits.
    ///
    /// The vector–Jacobian product of
    /// ``softmaxFocalLossForward(_:logits:labels:classCount:alpha:gamma:ignoredLabel:weights:)``;
    /// the softmax is recomputed from the logits (no saved state). Ignored rows get nothing.
    /// - Parameters:
    ///   - gradLogits: [N, C] gradient with respect to the logits; accumulated (`+=`).
    ///   - gradOutput: [N] gradient of the objective with respect to each sample's loss.
    ///   - logits, labels, classCount, alpha, gamma, ignoredLabel, weights: as given to the forward.
    /// - Precondition: shapes as in the forward; `gradLogits.count == N·C`, `gradOutput.count == N`.
    public static func softmaxFocalLossBackward(
        _ gradLogits: UnsafeMutableBufferPointer<Float>,
        gradOutput: UnsafeBufferPointer<Float>,
        logits: UnsafeBufferPointer<Float>,
        labels: UnsafeBufferPointer<Int32>,
        classCount: Int,
        alpha: Float = 0.25,
        gamma: Float = 2,
        ignoredLabel: Int32 = -1,
        weights: UnsafeBufferPointer<Float>? = nil
    ) {
        let n = labels.count, c = classCount
        checkRowShapes(gradOutput.count, logits.count, n, c, weights, "softmaxFocalLossBackward")
        precondition(gradLogits.count == n * c, "softmaxFocalLossBackward: gradLogits [\(gradLogits.count)] but logits [\(n), \(c)]")
        precondition(alpha >= 0 && alpha <= 1 && gamma >= 0, "softmaxFocalLossBackward: need 0 <= alpha <= 1 and gamma >= 0, got alpha \(alpha), gamma \(gamma)")
        guard n > 0 else { return }
        let gx = gradLogits.baseAddress!, g = gradOutput.baseAddress!
        let x = logits.baseAddress!, y = labels.baseAddress!, w = weights?.baseAddress
        withUnsafeTemporaryAllocation(of: Float.self, capacity: c) { scratch in
            let exps = scratch.baseAddress!
            for i in 0..<n {
                let label = y[i]
                checkClassLabel(label, row: i, classCount: c, ignoredLabel: ignoredLabel, "softmaxFocalLossBackward")
                if label == ignoredLabel { continue }
                let r = focalRow(exps, x + i * c, c, label: Int(label))
                exps[Int(label)] = r.expLabel  // focalRow zeroed it to sum the other classes
                let qPowGamma = unitPower(r.q, gamma)
                // γ·q^(γ−1) written as γ·q^γ/q; its limit at q = 0 is 0 for every γ ≥ 0.
                let slope = r.q >= Float.leastNormalMagnitude ? gamma * qPowGamma / r.q : 0
                let f = qPowGamma - slope * r.pT * r.logPT
                let alphaT = label >= 1 ? alpha : 1 - alpha
                let scale = g[i] * (w?[i] ?? 1) * alphaT * f
                addSoftmaxMinusOneHot(gx + i * c, exps, c, label: Int(label), scale: scale / r.sum, oneHotScale: scale)
            }
        }
    }

    // MARK: - Row statistics

    /// Softmax statistics of one row for the focal loss.
    ///
    /// Leaves e^(x_j − max) in `exps` for every j except the label, whose entry is 0
    /// (its value is returned as `expLabel`).
    @inline(__always)
    static func focalRow(_ exps: UnsafeMutablePointer<Float>, _ row: UnsafePointer<Float>, _ c: Int, label: Int)
        -> (q: Float, pT: Float, logPT: Float, sum: Float, expLabel: Float) {
        let m = rowMaximum(row, c)
        rowShiftedExp(exps, row, c, shift: m)
        let expLabel = exps[label]
        exps[label] = 0
        let others = rowSum(exps, c)
        let s = others + expLabel
        return (others / s, expLabel / s, (row[label] - m) - vectorizableLog(s), s, expLabel)
    }
}
