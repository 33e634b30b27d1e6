// Binary cross-entropy with logits, per element (reduction 'none'), forward and backward.
//
// Legend: N elements (any shape, flattened); x logit, t target in [0, 1], w weight, g grad_output.
//   loss = w · (max(x, 0) − x·t + log1p(e^−|x|))      (the log-sum-exp form: no overflow)
//   ∂loss/∂x = w · (σ(x) − t)
// Both loops are branch-free over contiguous buffers so they vectorise; logits of ±1e4 give
// finite losses and gradients.

extension Kernels {
    /// Computes the per-element binary cross-entropy of logits against targets.
    ///
    /// Matches `torch.nn.functional.binary_cross_entropy_with_logits(x, t, weight=w,
    /// reduction='none')` (no `pos_weight`). Stable for any finite logit.
    /// - Parameters:
    ///   - loss: output, [N] per-element losses (overwritten).
    ///   - logits: [N] logits x.
    ///   - targets: [N] targets t, usually 0 or 1 (any value in [0, 1] is allowed).
    ///   - weights: optional [N] per-element weights multiplying the loss.
    /// - Precondition: all buffers hold N elements.
    public static func binaryCrossEntropyWithLogitsForward(
        _ loss: UnsafeMutableBufferPointer<Float>,
        logits: UnsafeBufferPointer<Float>,
        targets: UnsafeBufferPointer<Float>,
        weights: UnsafeBufferPointer<Float>? = nil
    ) {
        let n = logits.count
        precondition(loss.count == n && targets.count == n,
                     "binaryCrossEntropyWithLogitsForward: loss [\(loss.count)], logits [\(n)], targets [\(targets.count)] differ")
        precondition(weights == nil || weights!.count == n,
                     "binaryCrossEntropyWithLogitsForward: weights [\(weights!.count)] but logits [\(n)]")
        guard n > 0 else { return }
        let out = loss.baseAddress!, x = logits.baseAddress!, t = targets.baseAddress!
        if let w = weights?.baseAddress {
            for i in 0..<n { out[i] = w[i] * bceWithLogits(x[i], t[i]) }
        } else {
            for i in 0..<n { out[i] = bceWithLogits(x[i], t[i]) }
        }
    }

    /// Accumulates the gradient of the per-element binary cross-entropy with respect to the logits.
    ///
    /// `gradLogits[i] += gradOutput[i] · w[i] · (σ(x[i]) − t[i])`: the vector–Jacobian product
    /// of ``binaryCrossEntropyWithLogitsForward(_:logits:targets:weights:)``, as PyTorch's autograd.
    /// - Parameters:
    ///   - gradLogits: [N] gradient with respect to the logits; accumulated (`+=`).
    ///   - gradOutput: [N] gradient of the objective with respect to each loss.
    ///   - logits: [N] logits, as given to the forward.
    ///   - targets: [N] targets, as given to the forward.
    ///   - weights: optional [N] per-element weights, as given to the forward.
    /// - Precondition: all buffers hold N elements.
    public static func binaryCrossEntropyWithLogitsBackward(
        _ gradLogits: UnsafeMutableBufferPointer<Float>,
        gradOutput: UnsafeBufferPointer<Float>,
        logits: UnsafeBufferPointer<Float>,
        targets: UnsafeBufferPointer<Float>,
        weights: UnsafeBufferPointer<Float>? = nil
    ) {
        let n = logits.count
        precondition(gradLogits.count == n && gradOutput.count == n && targets.count == n,
                     "binaryCrossEntropyWithLogitsBackward: gradLogits [\(gradLogits.count)], gradOutput [\(gradOutput.count)], logits [\(n)], targets [\(targets.count)] differ")
        precondition(weights == nil || weights!.count == n,
                     "binaryCrossEntropyWithLogitsBackward: weights [\(weights!.count)] but logits [\(n)]")
        guard n > 0 else { return }
        let gx = gradLogits.baseAddress!, g = gradOutput.baseAddress!
        let x = logits.baseAddress!, t = targets.baseAddress!
        if let w = weights?.baseAddress {
            for i in 0..<n { gx[i] += g[i] * w[i] * (sigmoid(x[i]) - t[i]) }
        } else {
            for i in 0..<n { gx[i] += g[i] * (sigmoid(x[i]) - t[i]) }
        }
    }

    // MARK: - Scalar pieces shared by the loss kernels

    /// Binary cross-entropy of one logit: max(x, 0) − x·t + log1p(e^−|x|).
    @inline(__always)
    static func bceWithLogits(_ x: Float, _ t: Float) -> Float {
        let e = vectorizableExpOfNonPositive(-abs(x))
        return (x > 0 ? x : 0) - x * t + vectorizableLog1p(e)
    }

    /// The logistic sigmoid 1 / (1 + e^−x), computed from e^−|x| so neither branch overflows.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        let e = vectorizableExpOfNonPositive(-abs(x))
        return (x >= 0 ? 1 : e) / (1 + e)
    }
}
