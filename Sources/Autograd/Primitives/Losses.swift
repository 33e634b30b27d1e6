// Loss primitives over fused kernels (one pass forward, one pass backward). Each returns the
// per-element (or per-row) loss, reduction 'none', so that strategies can weight, select and
// normalise; `sum()` / division by a count gives the usual reductions.
import Kernels
import TensorCore

extension Variable {
    /// Builds a primitive whose forward and backward are one kernel call each over buffers.
    /// `forward(out, input)` writes the loss; `backward(gradInput, gradOutput, input)` accumulates.
    static func fusedLoss(
        _ input: Variable, outputShape: [Int],
        forward: (UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void,
        backward: @escaping (UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void
    ) -> Variable {
        let x = input.value
        var out = [Float](repeating: 0, count: outputShape.reduce(1, *))
        x.scalars.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { o in forward(o, x) } }
        return Variable(Tensor(shape: outputShape, scalars: out), parents: [input]) { g in
            var grad = [Float](repeating: 0, count: x.count)
            grad.withUnsafeMutableBufferPointer { gi in
                g.scalars.withUnsafeBufferPointer { go in x.scalars.withUnsafeBufferPointer { xb in backward(gi, go, xb) } }
            }
            return [Tensor(shape: x.shape, scalars: grad)]
        }
    }

    /// Per-element binary cross-entropy of these logits against `targets` (same shape), as
    /// `F.binary_cross_entropy_with_logits(reduction='none', weight=weights)`; stable for any
    /// finite logit.
    /// - Precondition: `targets` (and `weights`, if given) have the logits' shape.
    public func binaryCrossEntropyWithLogits(targets: Tensor, weights: Tensor? = nil) -> Variable {
        precondition(targets.shape == shape && (weights == nil || weights!.shape == shape),
                     "binaryCrossEntropyWithLogits: logits \(shape), targets \(targets.shape), weights \(weights?.shape ?? [])")
        return Variable.fusedLoss(self, outputShape: shape, forward: { o, x in
            targets.scalars.withUnsafeBufferPointer { t in withOptionalBuffer(weights) { w in
                Kernels.binaryCrossEntropyWithLogitsForward(o, logits: x, targets: t, weights: w)
            } }
        }, backward: { gi, go, x in
            targets.scalars.withUnsafeBufferPointer { t in withOptionalBuffer(weights) { w in
                Kernels.binaryCrossEntropyWithLogitsBackward(gi, gradOutput: go, logits: x, targets: t, weights: w)
            } }
        })
    }

    /// Per-element sigmoid focal loss, as `torchvision.ops.sigmoid_focal_loss(reduction='none')`.
    /// - Parameters: alpha in [0, 1] weights positives (negative disables), gamma ≥ 0 focuses.
    /// - Reference: Lin et al., "Focal Loss for Dense Object Detection", arXiv:1708.02002.
    public func sigmoidFocalLoss(targets: Tensor, alpha: Float = 0.25, gamma: Float = 2, weights: Tensor? = nil) -> Variable {
        precondition(targets.shape == shape && (weights == nil || weights!.shape == shape),
                     "sigmoidFocalLoss: logits \(shape), targets \(targets.shape), weights \(weights?.shape ?? [])")
        return Variable.fusedLoss(self, outputShape: shape, forward: { o, x in
            targets.scalars.withUnsafeBufferPointer { t in withOptionalBuffer(weights) { w in
                Kernels.sigmoidFocalLossForward(o, logits: x, targets: t, alpha: alpha, gamma: gamma, weights: w)
            } }
        }, backward: { gi, go, x in
            targets.scalars.withUnsafeBufferPointer { t in withOptionalBuffer(weights) { w in
                Kernels.sigmoidFocalLossBackward(gi, gradOutput: go, logits: x, targets: t, alpha: alpha, gamma: gamma, weights: w)
            } }
        })
    }

    /// Per-row softmax cross-entropy of [N, C] logits against labels in `0..<C`, giving [N];
    /// rows labelled `ignoredLabel` give 0 loss and 0 gradient (`F.cross_entropy(reduction='none')`).
    /// - Precondition: rank 2, one label per row, weights [N] if given.
    public func crossEntropy(labels: [Int32], ignoredLabel: Int32 = -1, weights: Tensor? = nil) -> Variable {
        precondition(value.rank == 2 && labels.count == shape[0] && (weights == nil || weights!.shape == [shape[0]]),
                     "crossEntropy: logits \(shape), \(labels.count) labels, weights \(weights?.shape ?? [])")
        let c = shape[1]
        return Variable.fusedLoss(self, outputShape: [shape[0]], forward: { o, x in
            labels.withUnsafeBufferPointer { l in withOptionalBuffer(weights) { w in
                Kernels.softmaxCrossEntropyForward(o, logits: x, labels: l, classCount: c, ignoredLabel: ignoredLabel, weights: w)
            } }
        }, backward: { gi, go, x in
            labels.withUnsafeBufferPointer { l in withOptionalBuffer(weights) { w in
                Kernels.softmaxCrossEntropyBackward(gi, gradOutput: go, logits: x, labels: l, classCount: c, ignoredLabel: ignoredLabel, weights: w)
            } }
        })
    }

    /// Per-row softmax focal loss of [N, C] logits, −αₜ(1 − pₜ)^γ log pₜ with αₜ = alpha for
    /// foreground labels (≥ 1) and 1 − alpha for background (0), giving [N] (DESIGN.md).
    /// - Reference: Lin et al., arXiv:1708.02002, extended to softmax as in DESIGN.md.
    public func softmaxFocalLoss(labels: [Int32], alpha: Float = 0.25, gamma: Float = 2, ignoredLabel: Int32 = -1,
                                 weights: Tensor? = nil) -> Variable {
        precondition(value.rank == 2 && labels.count == shape[0] && (weights == nil || weights!.shape == [shape[0]]),
                     "softmaxFocalLoss: logits \(shape), \(labels.count) labels, weights \(weights?.shape ?? [])")
        let c = shape[1]
        return Variable.fusedLoss(self, outputShape: [shape[0]], forward: { o, x in
            labels.withUnsafeBufferPointer { l in withOptionalBuffer(weights) { w in
                Kernels.softmaxFocalLossForward(o, logits: x, labels: l, classCount: c, alpha: alpha, gamma: gamma,
                                                ignoredLabel: ignoredLabel, weights: w)
            } }
        }, backward: { gi, go, x in
            labels.withUnsafeBufferPointer { l in withOptionalBuffer(weights) { w in
                Kernels.softmaxFocalLossBackward(gi, gradOutput: go, logits: x, labels: l, classCount: c, alpha: alpha,
                                                 gamma: gamma, ignoredLabel: ignoredLabel, weights: w)
            } }
        })
    }

    /// Per-element smooth L1 (Huber with threshold beta) against `target`, as
    /// `F.smooth_l1_loss(reduction='none', beta)`: 0.5·d²/beta for |d| < beta, else |d| − 0.5·beta.
    /// - Precondition: `target` (and `weights`) have this shape; beta ≥ 0.
    public func smoothL1Loss(target: Tensor, beta: Float, weights: Tensor? = nil) -> Variable {
        precondition(target.shape == shape && (weights == nil || weights!.shape == shape),
                     "smoothL1Loss: input \(shape), target \(target.shape), weights \(weights?.shape ?? [])")
        return Variable.fusedLoss(self, outputShape: shape, forward: { o, x in
            target.scalars.withUnsafeBufferPointer { t in withOptionalBuffer(weights) { w in
                Kernels.smoothL1Forward(o, input: x, target: t, beta: beta, weights: w)
            } }
        }, backward: { gi, go, x in
            target.scalars.withUnsafeBufferPointer { t in withOptionalBuffer(weights) { w in
                Kernels.smoothL1Backward(gi, gradOutput: go, input: x, target: t, beta: beta, weights: w)
            } }
        })
    }
}

/// Calls `body` with the tensor's buffer, or with nil when there is no tensor.
func withOptionalBuffer<R>(_ tensor: Tensor?, _ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.scalars.withUnsafeBufferPointer { body($0) }
}
