// Convolution primitive: the forward is `Tensor.conv2d` (Kernels.convolutionForward, all FLOPs in
// GEMM); the backward runs Kernels.convolutionBackward. Saved state: the input and weight values
// only; the backward pass rebuilds its GEMM operands (padded input or im2col columns) from them
// rather than keeping column matrices. Scratch memory comes from Kernels.ScratchPool.shared, so
// it is not re-faulted per call.
import Kernels
import TensorCore

extension Variable {
    /// 2-D convolution (cross-correlation) of [N, C, H, W] with weight [F, C, KH, KW] and an
    /// optional bias [F], as PyTorch's `conv2d`, giving [N, F, OH, OW].
    ///
    /// The forward pass is `Tensor.conv2d` (stride 1 with C ≥ 16 as one GEMM per kernel tap over
    /// a zero-padded copy of the batch; other cases as im2col + GEMM per image). The backward
    /// pass keeps only the input and weight values and recomputes its operands. In a
    /// no-gradient scope nothing is kept.
    /// - Precondition: shapes as above (the message names them); stride, dilation ≥ 1, padding ≥ 0.
    public func conv2d(weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: Int = 0, dilation: Int = 1) -> Variable {
        let input = value, weightValue = weight.value
        // Checks the shapes and arguments, so the geometry below is valid.
        let output = input.conv2d(weight: weightValue, bias: bias?.value, stride: stride, padding: padding, dilation: dilation)
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let f = weight.shape[0]
        let g = ConvolutionGeometry(channels: c, height: h, width: w, kernelHeight: weight.shape[2],
                                    kernelWidth: weight.shape[3], stride: stride, padding: padding, dilation: dilation)
        let needsInputGradient = requiresGradient, hasBias = bias != nil
        let parents = [self, weight] + (bias.map { [$0] } ?? [])
        return Variable(output, parents: parents) { gOut in
            var gradWeight = [Float](repeating: 0, count: weightValue.count)
            var gradBias = [Float](repeating: 0, count: hasBias ? f : 0)
            let backwardScratch = Kernels.convolutionBackwardScratchCount(batch: n, filters: f, geometry: g)
            // The kernel overwrites the input gradient, so its array is not zeroed first.
            let inputCount = needsInputGradient ? input.count : 0
            let gradInput = [Float](uninitializedCount: inputCount) { buffer in
                Kernels.ScratchPool.shared.withBuffer(count: backwardScratch) { scratch in
                    gOut.scalars.withUnsafeBufferPointer { go in input.scalars.withUnsafeBufferPointer { x in
                        weightValue.scalars.withUnsafeBufferPointer { wt in
                            gradWeight.withUnsafeMutableBufferPointer { gw in gradBias.withUnsafeMutableBufferPointer { gb in
                                Kernels.convolutionBackward(gradInput: UnsafeMutableBufferPointer(rebasing: buffer[0..<inputCount]),
                                                            gradWeight: gw, gradBias: gb, scratch: scratch, gradOutput: go,
                                                            input: x, weight: wt, batch: n, filters: f, geometry: g,
                                                            overwritingGradInput: true)
                            } }
                        }
                    } }
                }
            }
            var grads: [Tensor?] = [needsInputGradient ? Tensor(shape: input.shape, scalars: gradInput) : nil,
                                    Tensor(shape: weightValue.shape, scalars: gradWeight)]
            if hasBias { grads.append(Tensor(shape: [f], scalars: gradBias)) }
            return grads
        }
    }
}
