// Legend: N images, C input channels, F output channels (filters), H×W input, OH×OW output.
import Kernels

extension Tensor {
    /// The 2-D convolution (cross-correlation, as PyTorch's `conv2d`) of an NCHW batch.
    ///
    /// Computed per image as `im2col` then one GEMM (`Kernels.convolutionForward`): [F, C·KH·KW] · [C·KH·KW, OH·OW].
    /// - Parameters:
    ///   - weight: [F, C, KH, KW] filters.
    ///   - bias: optional [F].
    ///   - stride, padding, dilation: in input pixels, the same vertically and horizontally.
    /// - Returns: [N, F, OH, OW].
    /// - Precondition: `self` is [N, C, H, W] and the shapes agree (the message names them).
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, dilation: Int = 1) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[1] == shape[1],
                     "conv2d: input \(shape) and weight \(weight.shape) must be [N, C, H, W] and [F, C, KH, KW]")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let f = weight.shape[0]
        if let bias { precondition(bias.shape == [f], "conv2d: bias \(bias.shape) must be [\(f)]") }
        let g = ConvolutionGeometry(channels: c, height: h, width: w, kernelHeight: weight.shape[2],
                                    kernelWidth: weight.shape[3], stride: stride, padding: padding, dilation: dilation)
        var out = [Float](repeating: 0, count: n * f * g.columnCount)
        var columns = [Float](repeating: 0, count: g.columnRows * g.columnCount)
        scalars.withUnsafeBufferPointer { input in
            weight.scalars.withUnsafeBufferPointer { wt in
                (bias?.scalars ?? []).withUnsafeBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { o in
                        columns.withUnsafeMutableBufferPointer { col in
                            Kernels.convolutionForward(o, columns: col, input, weight: wt, bias: b, batch: n, filters: f,
                                                       geometry: g, keepAllColumns: false)
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, f, g.outputHeight, g.outputWidth], scalars: out)
    }
}
