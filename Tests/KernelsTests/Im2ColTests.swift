import Testing
import Kernels
import TestSupport

@Suite("im2col / col2im")
struct Im2ColTests {
    /// (C, H, W, KH, KW, stride, padding, dilation), including 1×1, odd sizes and strides.
    static let cases: [(Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (1, 1, 1, 1, 1, 1, 0, 1), (2, 5, 7, 3, 3, 1, 1, 1), (3, 8, 9, 3, 3, 2, 1, 1), (2, 7, 6, 2, 3, 3, 2, 1),
        (1, 9, 9, 3, 3, 1, 2, 2), (4, 4, 4, 1, 1, 2, 0, 1), (1, 3, 17, 3, 3, 2, 1, 1),
    ]

    func naiveIm2col(_ x: [Float], _ g: ConvolutionGeometry) -> [Float] {
        let oh = g.outputHeight, ow = g.outputWidth
        var out = [Float](repeating: 0, count: g.columnRows * oh * ow)
        for c in 0..<g.channels { for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
            let row = (c * g.kernelHeight + ky) * g.kernelWidth + kx
            for oy in 0..<oh { for ox in 0..<ow {
                let y = oy * g.strideY + ky * g.dilationY - g.paddingY, xx = ox * g.strideX + kx * g.dilationX - g.paddingX
                if y >= 0 && y < g.height && xx >= 0 && xx < g.width {
                    out[row * oh * ow + oy * ow + ox] = x[(c * g.height + y) * g.width + xx]
                }
            } }
        } } }
        return out
    }

    @Test("im2col equals the naive unfold; col2im is its adjoint")
    func matchesNaive() {
        for (c, h, w, kh, kw, s, p, d) in Self.cases {
            let g = ConvolutionGeometry(channels: c, height: h, width: w, kernelHeight: kh, kernelWidth: kw,
                                        stride: s, padding: p, dilation: d)
            let x = randomFloats(c * h * w, seed: UInt64(c * h * w + kh))
            var cols = [Float](repeating: .nan, count: g.columnRows * g.columnCount)
            x.withUnsafeBufferPointer { xp in cols.withUnsafeMutableBufferPointer { Kernels.im2col($0, xp, g) } }
            #expect(cols == naiveIm2col(x, g), "case \((c, h, w, kh, kw, s, p, d))")

            // Adjoint: <im2col(x), y> == <x, col2im(y)> for random y.
            let y = randomFloats(cols.count, seed: 77)
            var back = [Float](repeating: 0, count: x.count)
            y.withUnsafeBufferPointer { yp in back.withUnsafeMutableBufferPointer { Kernels.col2im($0, yp, g) } }
            let lhs = zip(cols, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(x, back).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            expectClose(lhs, rhs, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        }
    }

    @Test("col2im accumulates into the image")
    func accumulates() {
        let g = ConvolutionGeometry(channels: 1, height: 2, width: 2, kernelHeight: 1, kernelWidth: 1)
        var image: [Float] = [1, 1, 1, 1]
        let cols: [Float] = [1, 2, 3, 4]
        cols.withUnsafeBufferPointer { cp in image.withUnsafeMutableBufferPointer { Kernels.col2im($0, cp, g) } }
        #expect(image == [2, 3, 4, 5])
    }

    @Test("output size formula")
    func outputSize() {
        let g = ConvolutionGeometry(channels: 3, height: 400, width: 400, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
        #expect(g.outputHeight == 200 && g.outputWidth == 200 && g.columnRows == 27)
    }
}
