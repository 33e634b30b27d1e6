// Legend: C input channels, H×W input, KH×KW kernel, OH×OW output, per image.
// The column matrix is [C·KH·KW, OH·OW] row-major: row (c, ky, kx), column (oy, ox), so that
// conv forward is one GEMM: out[Cout, OH·OW] = weight[Cout, C·KH·KW] · columns.

/// The geometry of a 2-D convolution over one NCHW image: sizes, stride, padding, dilation.
public struct ConvolutionGeometry: Sendable, Equatable {
    /// Input channels, height and width.
    public var channels, height, width: Int
    /// Kernel height and width.
    public var kernelHeight, kernelWidth: Int
    /// Stride, zero padding (each side) and dilation, as (vertical, horizontal).
    public var strideY, strideX, paddingY, paddingX, dilationY, dilationX: Int

    /// Creates a geometry with square stride, padding and dilation.
    /// - Precondition: sizes ≥ 0, kernel ≥ 1, stride ≥ 1, padding ≥ 0, dilation ≥ 1, and the
    ///   padded input at least as large as the dilated kernel.
    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        self.channels = channels; self.height = height; self.width = width
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        strideY = stride; strideX = stride; paddingY = padding; paddingX = padding
        dilationY = dilation; dilationX = dilation
        precondition(channels >= 0 && height >= 0 && width >= 0, "convolution: negative input size C=\(channels) H=\(height) W=\(width)")
        precondition(kernelHeight >= 1 && kernelWidth >= 1, "convolution: kernel \(kernelHeight)×\(kernelWidth) must be at least 1×1")
        precondition(stride >= 1 && dilation >= 1 && padding >= 0, "convolution: stride \(stride), dilation \(dilation) must be ≥ 1 and padding \(padding) ≥ 0")
        precondition(height + 2 * padding >= dilation * (kernelHeight - 1) + 1
                     && width + 2 * padding >= dilation * (kernelWidth - 1) + 1,
                     "convolution: padded input \(height + 2 * padding)×\(width + 2 * padding) smaller than dilated kernel")
    }

    /// Output height: ⌊(H + 2·pad − dil·(KH−1) − 1) / stride⌋ + 1.
    public var outputHeight: Int { (height + 2 * paddingY - dilationY * (kernelHeight - 1) - 1) / strideY + 1 }
    /// Output width: ⌊(W + 2·pad − dil·(KW−1) − 1) / stride⌋ + 1.
    public var outputWidth: Int { (width + 2 * paddingX - dilationX * (kernelWidth - 1) - 1) / strideX + 1 }
    /// Rows of the column matrix: C·KH·KW.
    public var columnRows: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix: OH·OW.
    public var columnCount: Int { outputHeight * outputWidth }

    /// The output columns `ox` whose input column `ox·strideX + xOffset` lies inside the image
    /// (0 ≤ · < W), as a half-open range `start..<end`; shared by `im2col` and `col2im`.
    func validOutputColumns(xOffset: Int) -> (start: Int, end: Int) {
        let ow = outputWidth
        let start = xOffset >= 0 ? 0 : min(ow, (-xOffset + strideX - 1) / strideX)
        return (start, max(start, min(ow, (width - xOffset + strideX - 1) / strideX)))
    }
}

extension Kernels {
    /// Unfolds one image [C, H, W] into the column matrix [C·KH·KW, OH·OW] (zeros where the
    /// kernel overlaps the padding), as PyTorch's `im2col`.
    /// - Precondition: `columns.count == g.columnRows * g.columnCount`, `image.count == C·H·W`.
    public static func im2col(_ columns: UnsafeMutableBufferPointer<Float>, _ image: UnsafeBufferPointer<Float>,
                              _ g: ConvolutionGeometry) {
        let oh = g.outputHeight, ow = g.outputWidth, h = g.height, w = g.width
        precondition(columns.count == g.columnRows * oh * ow, "im2col: columns hold \(columns.count), need \(g.columnRows)×\(oh * ow)")
        precondition(image.count == g.channels * h * w, "im2col: image holds \(image.count), need \(g.channels)×\(h)×\(w)")
        guard let col = columns.baseAddress, let img = image.baseAddress else { return }
        var row = 0
        for c in 0..<g.channels {
            let plane = img + c * h * w
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let out = col + row * oh * ow
                    let xOffset = kx * g.dilationX - g.paddingX
                    let (oxStart, oxEnd) = g.validOutputColumns(xOffset: xOffset)
                    for oy in 0..<oh {
                        let y = oy * g.strideY + ky * g.dilationY - g.paddingY
                        let dst = out + oy * ow
                        if y < 0 || y >= h {
                            dst.update(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + y * w + xOffset
                        if oxStart > 0 { dst.update(repeating: 0, count: oxStart) }
                        if g.strideX == 1 {
                            (dst + oxStart).update(from: src + oxStart, count: oxEnd - oxStart)
                        } else {
                            let s = g.strideX
                            for ox in oxStart..<oxEnd { dst[ox] = src[ox * s] }
                        }
                        if oxEnd < ow { (dst + oxEnd).update(repeating: 0, count: ow - oxEnd) }
                    }
                    row += 1
                }
            }
        }
    }

    /// Folds a column matrix [C·KH·KW, OH·OW] back into an image [C, H, W], **adding** each
    /// column entry to the pixel it came from (the adjoint of `im2col`; padding is dropped).
    /// - Precondition: buffer sizes as in `im2col`. `image` is accumulated into, not cleared.
    public static func col2im(_ image: UnsafeMutableBufferPointer<Float>, _ columns: UnsafeBufferPointer<Float>,
                              _ g: ConvolutionGeometry) {
        let oh = g.outputHeight, ow = g.outputWidth, h = g.height, w = g.width
        precondition(columns.count == g.columnRows * oh * ow, "col2im: columns hold \(columns.count), need \(g.columnRows)×\(oh * ow)")
        precondition(image.count == g.channels * h * w, "col2im: image holds \(image.count), need \(g.channels)×\(h)×\(w)")
        guard let col = columns.baseAddress, let img = image.baseAddress else { return }
        var row = 0
        for c in 0..<g.channels {
            let plane = img + c * h * w
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let src = col + row * oh * ow
                    let xOffset = kx * g.dilationX - g.paddingX
                    let (oxStart, oxEnd) = g.validOutputColumns(xOffset: xOffset)
                    for oy in 0..<oh {
                        let y = oy * g.strideY + ky * g.dilationY - g.paddingY
                        if y < 0 || y >= h { continue }
                        let dst = plane + y * w + xOffset
                        let s = src + oy * ow
                        if g.strideX == 1 {
                            for ox in oxStart..<oxEnd { dst[ox] += s[ox] }
                        } else {
                            let st = g.strideX
                            for ox in oxStart..<oxEnd { dst[ox * st] += s[ox] }
                        }
                    }
                    row += 1
                }
            }
        }
    }
}
