// Legend: N images, C input channels, F output channels (filters), H×W input, OH×OW output.
import Kernels

extension Tensor {
    /// The 2-D convolution (cross-correlation, as PyTorch's `conv2d`) of an NCHW batch.
    ///
    /// The one forward path of Quarry's convolution (`Variable.conv2d` calls it too), through
    /// `Kernels.convolutionForward(_:scratch:…)`: at stride 1 with C ≥ 16, one GEMM per kernel tap
    /// over a zero-padded copy of the batch; otherwise im2col over the stride phases and one GEMM
    /// per image. Every stride, padding and dilation is supported by both algorithms. The scratch
    /// memory comes from `Kernels.ScratchPool.shared`, so it is not allocated and page-faulted
    /// on every call.
    /// - Parameters:
    ///   - weight: [F, C, KH, KW] filters.
    ///   - bias: optional [F].
    ///   - stride, padding, dilation: in input pixels, the same vertically and horizontally.
    /// - Returns: [N, F, OH, OW], OH = (H + 2·padding − dilation·(KH − 1) − 1) / stride + 1 (OW alike).
    /// - Precondition: `self` is [N, C, H, W] and the shapes agree (the message names them);
    ///   stride, dilation ≥ 1, padding ≥ 0, and the dilated kernel fits the padded input.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, dilation: Int = 1) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[1] == shape[1],
                     "conv2d: input \(shape) and weight \(weight.shape) must be [N, C, H, W] and [F, C, KH, KW]")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let f = weight.shape[0]
        if let bias { precondition(bias.shape == [f], "conv2d: bias \(bias.shape) must be [\(f)]") }
        let g = ConvolutionGeometry(channels: c, height: h, width: w, kernelHeight: weight.shape[2],
                                    kernelWidth: weight.shape[3], stride: stride, padding: padding, dilation: dilation)
        let outputCount = n * f * g.columnCount
        let scratchCount = Kernels.convolutionForwardScratchCount(batch: n, filters: f, geometry: g)
        // Every output element is written by the kernel, so neither buffer needs zeroing.
        let out = [Float](uninitializedCount: outputCount) { o in
            Kernels.ScratchPool.shared.withBuffer(count: scratchCount) { scratch in
                scalars.withUnsafeBufferPointer { x in weight.scalars.withUnsafeBufferPointer { wt in
                    (bias?.scalars ?? []).withUnsafeBufferPointer { b in
                        Kernels.convolutionForward(o, scratch: scratch, x, weight: wt, bias: b, batch: n, filters: f, geometry: g)
                    }
                } }
            }
        }
        return Tensor(shape: [n, f, g.outputHeight, g.outputWidth], scalars: out)
    }
}
