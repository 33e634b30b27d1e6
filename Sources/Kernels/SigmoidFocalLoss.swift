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
        let out = loss.baseAddress!, x = logits.baseAddress!, t = targets.baseAddress!, w = weights?.baseAddress
        let (a0, a1) = alphaWeights(alpha)
        // Each loop is instantiated for γ = 2 (square, the common case) and any γ (one more exp),
        // with and without weights; the choices sit outside the loops, which keeps them vectorisable.
        forEachChunk(count: n, minimumChunk: lossLoopMinimumChunk) { range in
            withGammaSpecialized(gamma) { square in
                if let w {
                    for i in range { out[i] = w[i] * focalTerms(x[i], t[i], a0, a1, gamma, square).loss }
                } else {
                    for i in range { out[i] = focalTerms(x[i], t[i], a0, a1, gamma, square).loss }
                }
            }
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
        let x = logits.baseAddress!, t = targets.baseAddress!, w = weights?.baseAddress
        let (a0, a1) = alphaWeights(alpha)
        forEachChunk(count: n, minimumChunk: lossLoopMinimumChunk) { range in
            withGammaSpecialized(gamma) { square in
                if let w {
                    for i in range { gx[i] += g[i] * w[i] * focalTerms(x[i], t[i], a0, a1, gamma, square).derivative }
                } else {
                    for i in range { gx[i] += g[i] * focalTerms(x[i], t[i], a0, a1, gamma, square).derivative }
                }
            }
        }
    }

    // MARK: - Scalar pieces

    /// The class weights (negative, positive) for alpha: (1 − α, α), or (1, 1) when α < 0.
    @inline(__always)
    static func alphaWeights(_ alpha: Float) -> (negative: Float, positive: Float) {
        alpha < 0 ? (1, 1) : (1 - alpha, alpha)
    }

    /// Calls `body(true)` when γ = 2 and `body(false)` otherwise, so that each inlined copy of
    /// the body sees a constant and drops the branch.
    @inline(__always)
    static func withGammaSpecialized(_ gamma: Float, _ body: (_ square: Bool) -> Void) {
        if gamma == 2 { body(true) } else { body(false) }
    }

    /// The focal loss of one logit with a binary target, and its derivative with respect to the
    /// logit; `square` selects m·m over exp(−γ·softplus(−z)) for the modulator (γ = 2).
    /// Unused results cost nothing once inlined.
    @inline(__always)
    static func focalTerms(_ x: Float, _ t: Float, _ a0: Float, _ a1: Float, _ gamma: Float,
                           _ square: Bool) -> (loss: Float, derivative: Float) {
        let s = 1 - 2 * t
        let z = s * x
        let e = vectorizableExpOfNonPositive(-abs(z))
        // One division for both 1 / (1 + e) and log1p's ratio e / (2 + e).
        let onePlus = 1 + e, twoPlus = 2 + e
        let reciprocal = 1 / (onePlus * twoPlus)
        let inverse = twoPlus * reciprocal
        let l1p = log1pOfRatio(e * onePlus * reciprocal)
        let ce = (z > 0 ? z : 0) + l1p
        let m = (z >= 0 ? 1 : e) * inverse
        let pT = (z >= 0 ? e : 1) * inverse
        let modulator = square ? m * m : vectorizableExpOfNonPositive(-gamma * ((z < 0 ? -z : 0) + l1p))
        let weight = (a0 + t * (a1 - a0)) * modulator
        return (weight * ce, weight * s * (m + gamma * ce * pT))
    }
}
