// Convolution primitive: forward and backward through Kernels.convolutionForward/Backward (all
// FLOPs in GEMM). Saved state: the input and weight values only; the backward pass rebuilds its
// GEMM operands (padded input or im2col columns) from them rather than keeping column matrices.
// Their scratch memory comes from Kernels.ScratchPool.shared, so it is not re-faulted per call.
import Kernels
import TensorCore

extension Variable {
    /// 2-D convolution (cross-correlation) of [N, C, H, W] with weight [F, C, KH, KW] and an
    /// optional bias [F], as PyTorch's `conv2d`, giving [N, F, OH, OW].
    ///
    /// Stride 1 runs as one GEMM per kernel tap over a zero-padded copy of the batch; other
    /// strides as im2col + GEMM per image (`Kernels.convolutionForward`). The backward pass keeps
    /// only the input and weight values and recomputes its operands. In a no-gradient scope
    /// nothing is kept.
    /// - Precondition: shapes as above (the message names them); stride, dilation ≥ 1, padding ≥ 0.
    public func conv2d(weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: Int = 0, dilation: Int = 1) -> Variable {
        precondition(value.rank == 4 && weight.value.rank == 4 && weight.shape[1] == shape[1],
                     "conv2d: input \(shape) and weight \(weight.shape) must be [N, C, H, W] and [F, C, KH, KW]")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let f = weight.shape[0]
        if let bias { precondition(bias.shape == [f], "conv2d: bias \(bias.shape) must be [\(f)]") }
        let g = ConvolutionGeometry(channels: c, height: h, width: w, kernelHeight: weight.shape[2],
                                    kernelWidth: weight.shape[3], stride: stride, padding: padding, dilation: dilation)
        let input = value, weightValue = weight.value, biasValue = bias?.value.scalars ?? []
        let outputCount = n * f * g.columnCount
        let scratchCount = Kernels.convolutionForwardScratchCount(batch: n, filters: f, geometry: g)
        // Every output element is written by the kernel, so neither buffer needs zeroing.
        let out = [Float](unsafeUninitializedCapacity: outputCount) { o, initialized in
            Kernels.ScratchPool.shared.withBuffer(count: scratchCount) { scratch in
                input.scalars.withUnsafeBufferPointer { x in weightValue.scalars.withUnsafeBufferPointer { wt in
                    biasValue.withUnsafeBufferPointer { b in
                        Kernels.convolutionForward(o, scratch: scratch, x, weight: wt, bias: b, batch: n, filters: f, geometry: g)
                    }
                } }
            }
            initialized = outputCount
        }
        let needsInputGradient = requiresGradient, hasBias = bias != nil
        let parents = [self, weight] + (bias.map { [$0] } ?? [])
        return Variable(Tensor(shape: [n, f, g.outputHeight, g.outputWidth], scalars: out), parents: parents) { gOut in
            var gradInput = [Float](repeating: 0, count: needsInputGradient ? input.count : 0)
            var gradWeight = [Float](repeating: 0, count: weightValue.count)
            var gradBias = [Float](repeating: 0, count: hasBias ? f : 0)
            let backwardScratch = Kernels.convolutionBackwardScratchCount(batch: n, filters: f, geometry: g)
            Kernels.ScratchPool.shared.withBuffer(count: backwardScratch) { scratch in
                gOut.scalars.withUnsafeBufferPointer { go in input.scalars.withUnsafeBufferPointer { x in
                    weightValue.scalars.withUnsafeBufferPointer { wt in gradInput.withUnsafeMutableBufferPointer { gi in
                        gradWeight.withUnsafeMutableBufferPointer { gw in gradBias.withUnsafeMutableBufferPointer { gb in
                            Kernels.convolutionBackward(gradInput: gi, gradWeight: gw, gradBias: gb, scratch: scratch,
                                                        gradOutput: go, input: x, weight: wt, batch: n, filters: f, geometry: g)
                        } }
                    } }
                } }
            }
            var grads: [Tensor?] = [needsInputGradient ? Tensor(shape: input.shape, scalars: gradInput) : nil,
                                    Tensor(shape: weightValue.shape, scalars: gradWeight)]
            if hasBias { grads.append(Tensor(shape: [f], scalars: gradBias)) }
            return grads
        }
    }
}
