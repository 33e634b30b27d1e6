// Smooth L1 (Huber-like) loss, per element (reduction 'none'), forward and backward.
//
// Legend: N elements (e.g. [K, 4] box deltas, flattened); d = input − target, β ≥ 0, w weight.
//   loss = w · (0.5 d²/β        if |d| < β
//              |d| − 0.5 β      otherwise)
//   ∂loss/∂input = w · (d/β if |d| < β, else sign(d)), with sign(0) = 0
// β = 0 is plain L1 (PyTorch switches to l1_loss there; the formulas above agree with it).

extension Kernels {
    /// Computes the per-element smooth L1 loss between input and target.
    ///
    /// Matches `torch.nn.functional.smooth_l1_loss(input, target, reduction='none', beta=beta)`
    /// (times `weights` when given). The detector uses β = 1/9 on box deltas.
    /// Reference: Girshick, "Fast R-CNN", ICCV 2015 (β = 1).
    /// - Parameters:
    ///   - loss: output, [N] per-element losses (overwritten).
    ///   - input: [N] predictions (e.g. box deltas).
    ///   - target: [N] regression targets.
    ///   - beta: the transition point between the quadratic and linear parts, ≥ 0.
    ///   - weights: optional [N] per-element weights multiplying the loss.
    /// - Precondition: all buffers hold N elements; `beta >= 0`.
    public static func smoothL1Forward(
        _ loss: UnsafeMutableBufferPointer<Float>,
        input: UnsafeBufferPointer<Float>,
        target: UnsafeBufferPointer<Float>,
        beta: Float,
        weights: UnsafeBufferPointer<Float>? = nil
    ) {
        let n = input.count
        precondition(loss.count == n && target.count == n,
                     "smoothL1Forward: loss [\(loss.count)], input [\(n)], target [\(target.count)] differ")
        precondition(weights == nil || weights!.count == n, "smoothL1Forward: weights [\(weights!.count)] but input [\(n)]")
        precondition(beta >= 0, "smoothL1Forward: beta must be >= 0, got \(beta)")
        guard n > 0 else { return }
        let out = loss.baseAddress!, a = input.baseAddress!, b = target.baseAddress!
        // With β = 0 the quadratic branch is never taken; a finite halfInverseBeta keeps it NaN-free.
        let halfInverseBeta: Float = beta > 0 ? 0.5 / beta : 0, halfBeta = 0.5 * beta
        if let w = weights?.baseAddress {
            for i in 0..<n { out[i] = w[i] * smoothL1(a[i] - b[i], beta, halfInverseBeta, halfBeta) }
        } else {
            for i in 0..<n { out[i] = smoothL1(a[i] - b[i], beta, halfInverseBeta, halfBeta) }
        }
    }

    /// Accumulates the gradient of the per-element smooth L1 loss with respect to the input.
    ///
    /// The vector–Jacobian product of ``smoothL1Forward(_:input:target:beta:weights:)``:
    /// `gradInput[i] += gradOutput[i] · w[i] · (d/β if |d| < β else sign(d))`, d = input − target.
    /// - Parameters:
    ///   - gradInput: [N] gradient with respect to the input; accumulated (`+=`).
    ///   - gradOutput: [N] gradient of the objective with respect to each loss.
    ///   - input: [N] predictions, as given to the forward.
    ///   - target: [N] regression targets, as given to the forward.
    ///   - beta: as given to the forward, ≥ 0.
    ///   - weights: optional [N] per-element weights, as given to the forward.
    /// - Precondition: all buffers hold N elements; `beta >= 0`.
    public static func smoothL1Backward(
        _ gradInput: UnsafeMutableBufferPointer<Float>,
        gradOutput: UnsafeBufferPointer<Float>,
        input: UnsafeBufferPointer<Float>,
        target: UnsafeBufferPointer<Float>,
        beta: Float,
        weights: UnsafeBufferPointer<Float>? = nil
    ) {
        let n = input.count
        precondition(gradInput.count == n && gradOutput.count == n && target.count == n,
                     "smoothL1Backward: gradInput [\(gradInput.count)], gradOutput [\(gradOutput.count)], input [\(n)], target [\(target.count)] differ")
        precondition(weights == nil || weights!.count == n, "smoothL1Backward: weights [\(weights!.count)] but input [\(n)]")
        precondition(beta >= 0, "smoothL1Backward: beta must be >= 0, got \(beta)")
        guard n > 0 else { return }
        let gi = gradInput.baseAddress!, g = gradOutput.baseAddress!
        let a = input.baseAddress!, b = target.baseAddress!
        let inverseBeta: Float = beta > 0 ? 1 / beta : 0
        if let w = weights?.baseAddress {
            for i in 0..<n { gi[i] += g[i] * w[i] * smoothL1Derivative(a[i] - b[i], beta, inverseBeta) }
        } else {
            for i in 0..<n { gi[i] += g[i] * smoothL1Derivative(a[i] - b[i], beta, inverseBeta) }
        }
    }

    // MARK: - Scalar pieces

    /// Smooth L1 of one difference d, given β, 0.5/β (0 when β = 0) and 0.5·β.
    @inline(__always)
    static func smoothL1(_ d: Float, _ beta: Float, _ halfInverseBeta: Float, _ halfBeta: Float) -> Float {
        let magnitude = abs(d)
        return magnitude < beta ? d * d * halfInverseBeta : magnitude - halfBeta
    }

    /// The derivative of smooth L1 with respect to d, given β and 1/β (0 when β = 0).
    @inline(__always)
    static func smoothL1Derivative(_ d: Float, _ beta: Float, _ inverseBeta: Float) -> Float {
        let sign: Float = d > 0 ? 1 : (d < 0 ? -1 : 0)
        return abs(d) < beta ? d * inverseBeta : sign
    }
}
