// Convolution primitive: forward im2col + GEMM keeping the column matrices (saved state),
// backward two GEMMs per image and col2im (Kernels.convolutionBackward).
import Kernels
import TensorCore

extension Variable {
    /// 2-D convolution (cross-correlation) of [N, C, H, W] with weight [F, C, KH, KW] and an
    /// optional bias [F], as PyTorch's `conv2d`, giving [N, F, OH, OW].
    ///
    /// Saved state: the forward keeps every image's im2col matrix ([N, C·KH·KW, OH·OW] floats)
    /// for the backward pass, trading memory for not unfolding twice. In a no-gradient scope
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
        let recording = GradientMode.isEnabled && (requiresGradient || weight.requiresGradient || (bias?.requiresGradient ?? false))
        if !recording {
            return Variable(value.conv2d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation))
        }
        let r = g.columnRows, p = g.columnCount
        var out = [Float](repeating: 0, count: n * f * p)
        var columns = [Float](repeating: 0, count: n * r * p)
        value.scalars.withUnsafeBufferPointer { input in
            weight.value.scalars.withUnsafeBufferPointer { wt in
                (bias?.value.scalars ?? []).withUnsafeBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { o in
                        columns.withUnsafeMutableBufferPointer { col in
                            Kernels.convolutionForward(o, columns: col, input, weight: wt, bias: b, batch: n, filters: f,
                                                       geometry: g, keepAllColumns: true)
                        }
                    }
                }
            }
        }
        let inputShape = shape, weightShape = weight.shape, weightValue = weight.value
        let needsInputGradient = requiresGradient
        let parents = [self, weight] + (bias.map { [$0] } ?? [])
        return Variable(Tensor(shape: [n, f, g.outputHeight, g.outputWidth], scalars: out), parents: parents) { gOut in
            var gradInput = [Float](repeating: 0, count: needsInputGradient ? n * c * h * w : 0)
            var gradWeight = [Float](repeating: 0, count: f * r)
            var gradBias = [Float](repeating: 0, count: bias == nil ? 0 : f)
            var scratch = [Float](repeating: 0, count: r * p)
            gOut.scalars.withUnsafeBufferPointer { go in
                columns.withUnsafeBufferPointer { col in
                    weightValue.scalars.withUnsafeBufferPointer { wt in
                        gradInput.withUnsafeMutableBufferPointer { gi in
                            gradWeight.withUnsafeMutableBufferPointer { gw in
                                gradBias.withUnsafeMutableBufferPointer { gb in
                                    scratch.withUnsafeMutableBufferPointer { sc in
                                        Kernels.convolutionBackward(gradInput: gi, gradWeight: gw, gradBias: gb, scratch: sc,
                                                                    gradOutput: go, columns: col, weight: wt,
                                                                    batch: n, filters: f, geometry: g)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var grads: [Tensor?] = [needsInputGradient ? Tensor(shape: inputShape, scalars: gradInput) : nil,
                                    Tensor(shape: weightShape, scalars: gradWeight)]
            if bias != nil { grads.append(Tensor(shape: [f], scalars: gradBias)) }
            return grads
        }
    }
}
