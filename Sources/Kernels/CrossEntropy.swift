// Softmax cross-entropy over [N, C] logits with integer labels, per sample (reduction 'none').
//
// Legend: N rows (samples, e.g. RoIs), C classes; x [N, C] logits, y [N] labels, w [N] weights,
// g [N] grad_output, m_i = max_j x_ij, s_i = Σ_j e^(x_ij − m_i).
//   loss_i = w_i · ((m_i − x_iy) + log s_i)            (log-sum-exp with the max taken out)
//   ∂loss_i/∂x_ij = w_i · (softmax_ij − [j = y_i])
// Rows whose label is the ignored label get loss 0 and gradient 0. Rows are processed in
// blocks that fit in L1 (SoftmaxRows.swift): max, shift, one long exp loop, sums, then use.

extension Kernels {
    /// Computes the per-sample softmax cross-entropy of [N, C] logits against class labels.
    ///
    /// Matches `torch.nn.functional.cross_entropy(x, y, reduction='none', ignore_index=ignoredLabel)`
    /// (without per-class weights; `weights` here are per sample). Stable for any finite logit.
    /// - Parameters:
    ///   - loss: output, [N] per-sample losses (overwritten; 0 for ignored rows).
    ///   - logits: [N, C] logits, row-major.
    ///   - labels: [N] class indices in 0..<C, or `ignoredLabel`.
    ///   - classCount: C ≥ 1.
    ///   - ignoredLabel: the label of rows to skip: −1, Quarry's ignored label (PyTorch's default is −100).
    ///   - weights: optional [N] per-sample weights multiplying the loss.
    /// - Precondition: `logits.count == N·C`; labels in 0..<C or equal to `ignoredLabel`.
    public static func softmaxCrossEntropyForward(
        _ loss: UnsafeMutableBufferPointer<Float>,
        logits: UnsafeBufferPointer<Float>,
        labels: UnsafeBufferPointer<Int32>,
        classCount: Int,
        ignoredLabel: Int32 = -1,
        weights: UnsafeBufferPointer<Float>? = nil
    ) {
        let n = labels.count, c = classCount
        checkRowShapes(loss.count, logits.count, n, c, weights, "softmaxCrossEntropyForward")
        guard n > 0 else { return }
        let out = loss.baseAddress!, x = logits.baseAddress!, y = labels.baseAddress!, w = weights?.baseAddress
        forEachChunk(count: n, minimumChunk: softmaxMinimumRowsPerWorker) { range in
            forEachSoftmaxBlock(x, classCount: c, rows: range) { rows, _, maxima, sums in
                for i in rows {
                    let label = y[i], b = i - rows.lowerBound
                    checkClassLabel(label, row: i, classCount: c, ignoredLabel: ignoredLabel, "softmaxCrossEntropyForward")
                    if label == ignoredLabel { out[i] = 0; continue }
                    let value = (maxima[b] - x[i * c + Int(label)]) + vectorizableLog(sums[b])
                    out[i] = w.map { $0[i] * value } ?? value
                }
            }
        }
    }

    /// Accumulates the gradient of the per-sample softmax cross-entropy with respect to the logits.
    ///
    /// `gradLogits[i, j] += g_i · w_i · (softmax(x_i)_j − [j = y_i])`, nothing for ignored rows:
    /// the vector–Jacobian product of
    /// ``softmaxCrossEntropyForward(_:logits:labels:classCount:ignoredLabel:weights:)``.
    /// The softmax is recomputed from the logits (no saved state).
    /// - Parameters:
    ///   - gradLogits: [N, C] gradient with respect to the logits; accumulated (`+=`).
    ///   - gradOutput: [N] gradient of the objective with respect to each sample's loss.
    ///   - logits, labels, classCount, ignoredLabel, weights: as given to the forward.
    /// - Precondition: shapes as in the forward; `gradLogits.count == N·C`, `gradOutput.count == N`.
    public static func softmaxCrossEntropyBackward(
        _ gradLogits: UnsafeMutableBufferPointer<Float>,
        gradOutput: UnsafeBufferPointer<Float>,
        logits: UnsafeBufferPointer<Float>,
        labels: UnsafeBufferPointer<Int32>,
        classCount: Int,
        ignoredLabel: Int32 = -1,
        weights: UnsafeBufferPointer<Float>? = nil
    ) {
        let n = labels.count, c = classCount
        checkRowShapes(gradOutput.count, logits.count, n, c, weights, "softmaxCrossEntropyBackward")
        precondition(gradLogits.count == n * c, "softmaxCrossEntropyBackward: gradLogits [\(gradLogits.count)] but logits [\(n), \(c)]")
        guard n > 0 else { return }
        let gx = gradLogits.baseAddress!, g = gradOutput.baseAddress!
        let x = logits.baseAddress!, y = labels.baseAddress!, w = weights?.baseAddress
        forEachChunk(count: n, minimumChunk: softmaxMinimumRowsPerWorker) { range in
            forEachSoftmaxBlock(x, classCount: c, rows: range) { rows, exps, _, sums in
                for i in rows {
                    let label = y[i], b = i - rows.lowerBound
                    checkClassLabel(label, row: i, classCount: c, ignoredLabel: ignoredLabel, "softmaxCrossEntropyBackward")
                    if label == ignoredLabel { continue }
                    let scale = g[i] * (w?[i] ?? 1)
                    addSoftmaxMinusOneHot(gx + i * c, exps + b * c, c, label: Int(label), scale: scale / sums[b], oneHotScale: scale)
                }
            }
        }
    }

    // MARK: - Shared pieces

    /// `grad[j] += scale · exps[j]` for j < C, then `grad[label] −= oneHotScale`.
    @inline(__always)
    static func addSoftmaxMinusOneHot(_ grad: UnsafeMutablePointer<Float>, _ exps: UnsafePointer<Float>, _ c: Int,
                                      label: Int, scale: Float, oneHotScale: Float) {
        for j in 0..<c { grad[j] += scale * exps[j] }
        grad[label] -= oneHotScale
    }

    /// Traps unless an [N] per-row buffer, [N, C] logits and optional [N] weights agree.
    @inline(__always)
    static func checkRowShapes(_ perRowCount: Int, _ logitCount: Int, _ n: Int, _ c: Int,
                               _ weights: UnsafeBufferPointer<Float>?, _ kernel: StaticString) {
        precondition(c >= 1, "\(kernel): classCount must be >= 1, got \(c)")
        precondition(perRowCount == n && logitCount == n * c,
                     "\(kernel): per-row buffer [\(perRowCount)], logits [\(logitCount)] but labels [\(n)] × classCount \(c)")
        precondition(weights == nil || weights!.count == n, "\(kernel): weights [\(weights!.count)] but labels [\(n)]")
    }
}
