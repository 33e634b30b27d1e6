// Sigmoid focal loss, per element (reduction 'none'), forward and backward.
//
// Legend: N elements (e.g. [A, K] anchors × classes, flattened); x logit, t ∈ {0, 1} target,
// w weight, g grad_output, p = σ(x), α_t = α·t + (1 − α)(1 − t) (1 when α < 0), γ ≥ 0.
//   loss = α_t · (1 − p_t)^γ · ce,   ce = BCE-with-logits(x, t),   p_t = p·t + (1 − p)(1 − t)
// Why the kernels rewrite it through z = (1 − 2t)·x: for a hard target, ce = softplus(z),
// m = 1 − p_t = σ(z) and p_t = σ(−z), all computed from e = e^−|z| without the cancellation of
// 1 − p_t, and m^γ = exp(−γ · softplus(−z)) needs no pow. Differentiating gives
//   ∂loss/∂x = α_t · m^γ · (1 − 2t) · (m + γ · ce · p_t),
// with no m^(γ−1) term, so γ < 1 and saturated logits (±1e4) stay finite.

extension Kernels {
    /// Computes the per-element sigmoid focal loss of logits against binary targets.
    ///
    /// Matches `torchvision.ops.sigmoid_focal_loss(x, t, alpha, gamma, reduction='none')`
    /// (times `weights` when given). Stable for any finite logit.
    /// Reference: Lin et al., "Focal Loss for Dense Object Detection", arXiv:1708.02002.
    /// - Parameters:
    ///   - loss: output, [N] per-element losses (overwritten).
    ///   - logits: [N] logits x.
    ///   - targets: [N] targets, each 0 or 1 (torchvision documents them as binary labels; other
    ///     values are not supported and give meaningless but finite results).
    ///   - alpha: weight of the positive class in [0, 1] (negatives get 1 − alpha); a negative
    ///     value disables the weighting (α_t = 1). RetinaNet uses 0.25.
    ///   - gamma: the focusing exponent, ≥ 0 (0 gives BCE). RetinaNet uses 2.
    ///   - weights: optional [N] per-element weights multiplying the loss.
    /// - Precondition: all buffers hold N elements; `gamma >= 0`; `alpha <= 1`.
    public static func sigmoidFocalLossForward(
        _ loss: UnsafeMutableBufferPointer<Float>,
        logits: UnsafeBufferPointer<Float>,
        targets: UnsafeBufferPointer<Float>,
        alpha: Float = 0.25,
        gamma: Float = 2,
        weights: UnsafeBufferPointer<Float>? = nil
    ) {
        let n = logits.count
        precondition(loss.count == n && targets.count == n,
                     "sigmoidFocalLossForward: loss [\(loss.count)], logits [\(n)], targets [\(targets.count)] differ")
        precondition(weights == nil || weights!.count == n, "sigmoidFocalLossForward: weights [\(weights!.count)] but logits [\(n)]")
        precondition(gamma >= 0 && alpha <= 1, "sigmoidFocalLossForward: need gamma >= 0 and alpha <= 1, got gamma \(gamma), alpha \(alpha)")
        guard n > 0 else { return }
        let out = loss.baseAddress!, x = logits.baseAddress!, t = targets.baseAddress!
        let (a0, a1) = alphaWeights(alpha)
        // The loop is written twice per branch so γ = 2 (the common case) squares instead of
        // calling exp; the branches are outside the loops, which keeps each loop vectorisable.
        switch (weights?.baseAddress, gamma == 2) {
        case let (w?, true):
            for i in 0..<n { out[i] = w[i] * focalLoss(x[i], t[i], a0, a1, 2, squareGamma: true) }
        case let (w?, false):
            for i in 0..<n { out[i] = w[i] * focalLoss(x[i], t[i], a0, a1, gamma, squareGamma: false) }
        case (nil, true):
            for i in 0..<n { out[i] = focalLoss(x[i], t[i], a0, a1, 2, squareGamma: true) }
        case (nil, false):
            for i in 0..<n { out[i] = focalLoss(x[i], t[i], a0, a1, gamma, squareGamma: false) }
        }
    }

    /// Accumulates the gradient of the per-element sigmoid focal loss with respect to the logits.
    ///
    /// The vector–Jacobian product of
    /// ``sigmoidFocalLossForward(_:logits:targets:alpha:gamma:weights:)``, as PyTorch's autograd
    /// gives for torchvision's `sigmoid_focal_loss`.
    /// - Parameters:
    ///   - gradLogits: [N] gradient with respect to the logits; accumulated (`+=`).
    ///   - gradOutput: [N] gradient of the objective with respect to each loss.
    ///   - logits, targets, alpha, gamma, weights: as given to the forward.
    /// - Precondition: all buffers hold N elements; `gamma >= 0`; `alpha <= 1`.
    public static func sigmoidFocalLossBackward(
        _ gradLogits: UnsafeMutableBufferPointer<Float>,
        gradOutput: UnsafeBufferPointer<Float>,
        logits: UnsafeBufferPointer<Float>,
        targets: UnsafeBufferPointer<Float>,
        alpha: Float = 0.25,
        gamma: Float = 2,
        weights: UnsafeBufferPointer<Float>? = nil
    ) {
        let n = logits.count
        precondition(gradLogits.count == n && gradOutput.count == n && targets.count == n,
                     "sigmoidFocalLossBackward: gradLogits [\(gradLogits.count)], gradOutput [\(gradOutput.count)], logits [\(n)], targets [\(targets.count)] differ")
        precondition(weights == nil || weights!.count == n, "sigmoidFocalLossBackward: weights [\(weights!.count)] but logits [\(n)]")
        precondition(gamma >= 0 && alpha <= 1, "sigmoidFocalLossBackward: need gamma >= 0 and alpha <= 1, got gamma \(gamma), alpha \(alpha)")
        guard n > 0 else { return }
        let gx = gradLogits.baseAddress!, g = gradOutput.baseAddress!
        let x = logits.baseAddress!, t = targets.baseAddress!
        let (a0, a1) = alphaWeights(alpha)
        switch (weights?.baseAddress, gamma == 2) {
        case let (w?, true):
            for i in 0..<n { gx[i] += g[i] * w[i] * focalLossDerivative(x[i], t[i], a0, a1, 2, squareGamma: true) }
        case let (w?, false):
            for i in 0..<n { gx[i] += g[i] * w[i] * focalLossDerivative(x[i], t[i], a0, a1, gamma, squareGamma: false) }
        case (nil, true):
            for i in 0..<n { gx[i] += g[i] * focalLossDerivative(x[i], t[i], a0, a1, 2, squareGamma: true) }
        case (nil, false):
            for i in 0..<n { gx[i] += g[i] * focalLossDerivative(x[i], t[i], a0, a1, gamma, squareGamma: false) }
        }
    }

    // MARK: - Scalar pieces

    /// The class weights (negative, positive) for alpha: (1 − α, α), or (1, 1) when α < 0.
    @inline(__always)
    static func alphaWeights(_ alpha: Float) -> (negative: Float, positive: Float) {
        alpha < 0 ? (1, 1) : (1 - alpha, alpha)
    }

    /// The focal loss of one logit with a binary target; `squareGamma` selects m·m over exp.
    @inline(__always)
    static func focalLoss(_ x: Float, _ t: Float, _ a0: Float, _ a1: Float, _ gamma: Float,
                          squareGamma: Bool) -> Float {
        let z = (1 - 2 * t) * x
        let e = vectorizableExp(-abs(z))
        let l1p = vectorizableLog1p(e)
        let ce = (z > 0 ? z : 0) + l1p
        let modulator: Float
        if squareGamma {
            let m = (z >= 0 ? 1 : e) / (1 + e)
            modulator = m * m
        } else {
            modulator = vectorizableExp(-gamma * ((z < 0 ? -z : 0) + l1p))
        }
        return (a0 + t * (a1 - a0)) * modulator * ce
    }

    /// The derivative of ``focalLoss(_:_:_:_:_:squareGamma:)`` with respect to the logit.
    @inline(__always)
    static func focalLossDerivative(_ x: Float, _ t: Float, _ a0: Float, _ a1: Float, _ gamma: Float,
                                    squareGamma: Bool) -> Float {
        let s = 1 - 2 * t
        let z = s * x
        let e = vectorizableExp(-abs(z))
        let l1p = vectorizableLog1p(e)
        let ce = (z > 0 ? z : 0) + l1p
        let inverse = 1 / (1 + e)
        let m = (z >= 0 ? 1 : e) * inverse
        let pT = (z >= 0 ? e : 1) * inverse
        let modulator = squareGamma ? m * m : vectorizableExp(-gamma * ((z < 0 ? -z : 0) + l1p))
        return (a0 + t * (a1 - a0)) * modulator * s * (m + gamma * ce * pT)
    }
}
