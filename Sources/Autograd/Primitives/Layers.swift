// Coarse primitives for the layers whose backward is cheaper fused: linear (GEMM with
// transpose flags), group normalisation and max pooling (their own kernels).
import Kernels
import TensorCore

extension Variable {
    /// y = x · Wᵀ + b for x [N, in], W [out, in], b [out] (PyTorch's `linear`), giving [N, out].
    /// - Precondition: shapes as above.
    public func linear(weight: Variable, bias: Variable?) -> Variable {
        precondition(value.rank == 2 && weight.value.rank == 2 && weight.shape[1] == shape[1],
                     "linear: input \(shape) and weight \(weight.shape) must be [N, in] and [out, in]")
        if let bias { precondition(bias.shape == [weight.shape[0]], "linear: bias \(bias.shape) must be [\(weight.shape[0])]") }
        let (x, w, needsInput) = (value, weight.value, requiresGradient)
        var out = x.matmul(w, transposeOther: true)
        if let bias { out = out + bias.value }
        let parents = [self, weight] + (bias.map { [$0] } ?? [])
        return Variable(out, parents: parents) { g in
            // dx = g · W, dW = gᵀ · x, db = Σ_rows g.
            var grads: [Tensor?] = [needsInput ? g.matmul(w) : nil,
                                    g.matmul(x, transposeSelf: true)]
            if bias != nil { grads.append(g.sum(alongAxis: 0)) }
            return grads
        }
    }

    /// Group normalisation of [N, C, H, W] (or [N, C]) with per-channel affine gamma, beta [C].
    /// - Precondition: `groups ≥ 1` and C divisible by `groups`; gamma and beta are [C].
    /// - Reference: Wu and He, "Group Normalization", ECCV 2018; PyTorch `group_norm` (biased variance).
    public func groupNorm(groups: Int, gamma: Variable, beta: Variable, epsilon: Float = 1e-5) -> Variable {
        precondition(value.rank >= 2, "groupNorm: input \(shape) must be [N, C, …]")
        let n = shape[0], c = shape[1], s = shape[2...].reduce(1, *)
        precondition(gamma.shape == [c] && beta.shape == [c], "groupNorm: gamma \(gamma.shape), beta \(beta.shape) must be [\(c)]")
        precondition(groups >= 1 && c % groups == 0, "groupNorm: \(c) channels of input \(shape) not divisible into \(groups) groups")
        var mean = [Float](repeating: 0, count: n * groups), rstd = mean
        // The kernel writes every output element, so the array is not zeroed first.
        let count = value.count
        let out = [Float](uninitializedCount: count) { buffer in
            value.scalars.withUnsafeBufferPointer { x in gamma.value.scalars.withUnsafeBufferPointer { ga in
                beta.value.scalars.withUnsafeBufferPointer { be in
                    mean.withUnsafeMutableBufferPointer { m in rstd.withUnsafeMutableBufferPointer { r in
                        Kernels.groupNormForward(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]), mean: m, rstd: r, x,
                                                 gamma: ga, beta: be, batch: n, channels: c, spatial: s, groups: groups,
                                                 epsilon: epsilon)
                    } }
                }
            } }
        }
        let (needsInput, input, gammaValue) = (requiresGradient, value, gamma.value)
        return Variable(Tensor(shape: shape, scalars: out), parents: [self, gamma, beta]) { g in
            var gg = [Float](repeating: 0, count: c), gb = gg
            // The kernel overwrites every input-gradient element: no zeroing first.
            let count = needsInput ? input.count : 0
            let gi = [Float](uninitializedCount: count) { buffer in
                g.scalars.withUnsafeBufferPointer { go in input.scalars.withUnsafeBufferPointer { x in
                    gammaValue.scalars.withUnsafeBufferPointer { ga in mean.withUnsafeBufferPointer { m in
                        rstd.withUnsafeBufferPointer { r in
                            gg.withUnsafeMutableBufferPointer { ggP in gb.withUnsafeMutableBufferPointer { gbP in
                                Kernels.groupNormBackward(gradInput: UnsafeMutableBufferPointer(rebasing: buffer[0..<count]),
                                                          gradGamma: ggP, gradBeta: gbP, gradOutput: go, input: x, gamma: ga,
                                                          mean: m, rstd: r, batch: n, channels: c, spatial: s, groups: groups)
                            } }
                        }
                    } }
                } }
            }
            return [needsInput ? Tensor(shape: input.shape, scalars: gi) : nil, Tensor(shape: [c], scalars: gg), Tensor(shape: [c], scalars: gb)]
        }
    }

    /// 2-D max pooling of [N, C, H, W] with a square kernel and stride, no padding, giving
    /// [N, C, OH, OW] with OH = ⌊(H − kernel) / stride⌋ + 1 (likewise OW), as PyTorch's `max_pool2d`.
    /// - Parameters:
    ///   - kernel: the window side, in input pixels.
    ///   - stride: the step between windows, in input pixels; `kernel` when nil.
    /// - Precondition: rank 4, `kernel ≥ 1`, `stride ≥ 1`, H and W at least `kernel`.
    public func maxPool2d(kernel: Int, stride: Int? = nil) -> Variable {
        let s = stride ?? kernel
        // Checked here, before the output size is computed from them (a division by the stride).
        precondition(value.rank == 4 && kernel >= 1 && s >= 1 && shape[2] >= kernel && shape[3] >= kernel,
                     "maxPool2d: kernel \(kernel), stride \(s) on input \(shape) (must be [N, C, H, W] with H, W ≥ kernel ≥ 1, stride ≥ 1)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let oh = (h - kernel) / s + 1, ow = (w - kernel) / s + 1
        var out = [Float](repeating: 0, count: n * c * oh * ow)
        var indices = [Int32](repeating: 0, count: out.count)
        value.scalars.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { o in indices.withUnsafeMutableBufferPointer { i in
            Kernels.maxPool2dForward(o, indices: i, x, planes: n * c, height: h, width: w, kernel: kernel, stride: s)
        } } }
        let inputShape = shape
        return Variable(Tensor(shape: [n, c, oh, ow], scalars: out), parents: [self]) { g in
            var gi = [Float](repeating: 0, count: n * c * h * w)
            gi.withUnsafeMutableBufferPointer { giP in g.scalars.withUnsafeBufferPointer { go in indices.withUnsafeBufferPointer { i in
                Kernels.maxPool2dBackward(giP, gradOutput: go, indices: i, planes: n * c, planeSize: h * w)
            } } }
            return [Tensor(shape: inputShape, scalars: gi)]
        }
    }
}
