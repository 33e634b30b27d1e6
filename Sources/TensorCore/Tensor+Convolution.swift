// Legend: N images, C input channels, F output channels (filters), H×W input, OH×OW output.
import Kernels

extension Tensor {
    /// The 2-D convolution (cross-correlation, as PyTorch's `conv2d`) of an NCHW batch.
    ///
    /// Computed per image as `im2col` then one GEMM: [F, C·KH·KW] · [C·KH·KW, OH·OW].
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
        let oh = g.outputHeight, ow = g.outputWidth, rows = g.columnRows, cols = g.columnCount
        var out = [Float](repeating: 0, count: n * f * cols)
        var columns = [Float](repeating: 0, count: rows * cols)
        scalars.withUnsafeBufferPointer { input in
            weight.scalars.withUnsafeBufferPointer { wt in
                out.withUnsafeMutableBufferPointer { o in
                    columns.withUnsafeMutableBufferPointer { col in
                        for i in 0..<n {
                            let image = UnsafeBufferPointer(rebasing: input[(i * c * h * w)..<((i + 1) * c * h * w)])
                            let dst = UnsafeMutableBufferPointer(rebasing: o[(i * f * cols)..<((i + 1) * f * cols)])
                            if let bias {
                                for fi in 0..<f { let b = bias.scalars[fi]; for j in (fi * cols)..<((fi + 1) * cols) { dst[j] = b } }
                            }
                            if rows * cols == 0 { continue }
                            Kernels.im2col(col, image, g)
                            Kernels.sgemm(dst, ldc: cols, wt, lda: rows, transposeA: false,
                                          UnsafeBufferPointer(col), ldb: cols, transposeB: false,
                                          m: f, n: cols, k: rows, beta: bias == nil ? 0 : 1)
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, f, oh, ow], scalars: out)
    }
}
