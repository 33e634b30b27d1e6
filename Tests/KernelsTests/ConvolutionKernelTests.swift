import Testing
@testable import Kernels
import TestSupport

/// Direct loops for the convolution backward pass, in Double: the naive twin of
/// `Kernels.convolutionBackward` (forward twin: `Reference.conv2d`).
func referenceConvolutionBackward(gradOutput: [Float], input: [Float], weight: [Float], n: Int, c: Int, h: Int, w: Int,
                                  f: Int, kh: Int, kw: Int, stride: Int, padding: Int, dilation: Int)
    -> (gradInput: [Double], gradWeight: [Double], gradBias: [Double]) {
    let oh = (h + 2 * padding - dilation * (kh - 1) - 1) / stride + 1
    let ow = (w + 2 * padding - dilation * (kw - 1) - 1) / stride + 1
    var gi = [Double](repeating: 0, count: input.count), gw = [Double](repeating: 0, count: weight.count)
    var gb = [Double](repeating: 0, count: f)
    for ni in 0..<n { for fi in 0..<f { for y in 0..<oh { for x in 0..<ow {
        let g = Double(gradOutput[((ni * f + fi) * oh + y) * ow + x])
        gb[fi] += g
        for ci in 0..<c { for ky in 0..<kh { for kx in 0..<kw {
            let iy = y * stride + ky * dilation - padding, ix = x * stride + kx * dilation - padding
            if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
            let xi = ((ni * c + ci) * h + iy) * w + ix, wi = ((fi * c + ci) * kh + ky) * kw + kx
            gi[xi] += g * Double(weight[wi])
            gw[wi] += g * Double(input[xi])
        } } }
    } } } }
    return (gi, gw, gb)
}

@Suite("Convolution kernels (GEMM: shifted for stride 1, im2col otherwise; direct register tiles) against direct loops")
struct ConvolutionKernelTests {
    /// (N, C, H, W, F, KH, KW, stride, padding, dilation): 3×3 and 1×1, padding 0–2, dilation 2,
    /// non-square kernels and images, stride 1–3, batch 1–3, a single pixel; C ≥ 16 at stride 1
    /// takes the shifted-GEMM path, everything else the phase-split im2col path. Every case also
    /// runs the direct algorithm (the AVX-512 builds' default).
    static let cases: [(Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (2, 3, 7, 5, 4, 3, 3, 1, 1, 1), (1, 1, 1, 1, 1, 1, 1, 1, 0, 1), (3, 2, 6, 9, 5, 1, 1, 1, 0, 1),
        (2, 4, 9, 8, 3, 3, 3, 1, 2, 2), (1, 5, 6, 7, 2, 2, 3, 1, 0, 1), (2, 3, 9, 9, 4, 3, 3, 2, 1, 1),
        (1, 2, 8, 5, 3, 3, 2, 3, 1, 1), (2, 16, 12, 10, 8, 3, 3, 1, 1, 1), (1, 3, 1, 1, 2, 3, 3, 1, 1, 1),
        (1, 3, 11, 10, 4, 3, 3, 2, 2, 2), (2, 17, 9, 8, 5, 3, 3, 2, 1, 1), (1, 4, 7, 6, 3, 1, 1, 2, 0, 1),
        (1, 16, 5, 6, 3, 1, 1, 1, 0, 1), (2, 20, 7, 7, 4, 3, 2, 1, 2, 2), (1, 1, 4, 4, 2, 3, 3, 2, 1, 1),
        // Shifted path without padding (shifted blocks clipped at the plane start) and with dilation 2.
        (1, 16, 6, 7, 3, 3, 3, 1, 0, 1), (2, 16, 7, 8, 3, 3, 3, 1, 1, 2), (1, 16, 5, 9, 2, 1, 3, 1, 0, 2),
        // Larger planes: 40² at stride 1 (shifted path) and 128² at stride 2 (phase-split path).
        (2, 16, 40, 40, 16, 3, 3, 1, 1, 1), (1, 4, 128, 128, 8, 3, 3, 2, 1, 1),
        // The direct tiles' edges: filters not a multiple of 4 or 16 (9, 36, 70: weight-gradient
        // tiles of 16, 32 + 16, 64 + 16 filters), more (channel, tap) pairs than one block of 72
        // (C = 20 and 64), a stride larger than the kernel (phases no tap reads), batch 3.
        (1, 16, 30, 30, 36, 1, 1, 1, 0, 1), (1, 5, 9, 9, 70, 3, 3, 1, 1, 1), (3, 20, 11, 13, 9, 3, 3, 2, 1, 1),
        (2, 64, 20, 20, 64, 3, 3, 1, 1, 1), (2, 3, 40, 40, 32, 3, 3, 2, 1, 1), (1, 2, 10, 10, 3, 1, 1, 4, 0, 1),
        // Stride 2 on rows wide enough for the 16-pixel interleaving add, padding 0, 2 and 3.
        (1, 2, 20, 34, 3, 3, 3, 2, 0, 1), (1, 2, 18, 33, 3, 5, 5, 2, 2, 1), (2, 3, 17, 35, 5, 3, 3, 2, 3, 1),
    ]

    @Test("forward and backward equal the direct loops", arguments: cases, ConvolutionAlgorithm.allCases)
    func matchesDirect(_ t: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int), algorithm: ConvolutionAlgorithm) {
        let (n, c, h, w, f, kh, kw, stride, padding, dilation) = t
        let g = ConvolutionGeometry(channels: c, height: h, width: w, kernelHeight: kh, kernelWidth: kw,
                                    stride: stride, padding: padding, dilation: dilation)
        let x = randomFloats(n * c * h * w, seed: 1), wt = randomFloats(f * c * kh * kw, seed: 2), b = randomFloats(f, seed: 3)
        var out = [Float](repeating: .nan, count: n * f * g.columnCount)
        var scratch = [Float](repeating: .nan, count: Kernels.convolutionForwardScratchCount(batch: n, filters: f, geometry: g,
                                                                                             algorithm: algorithm))
        x.withUnsafeBufferPointer { xp in wt.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
            out.withUnsafeMutableBufferPointer { op in scratch.withUnsafeMutableBufferPointer { sp in
                Kernels.convolutionForward(op, scratch: sp, xp, weight: wp, bias: bp, batch: n, filters: f, geometry: g,
                                           algorithm: algorithm)
            } }
        } } }
        let reference = Reference.conv2d(x, n: n, c: c, h: h, w: w, weight: wt, f: f, kh: kh, kw: kw, bias: b,
                                         stride: stride, padding: padding, dilation: dilation)
        expectClose(out, reference.output, relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "forward \(t) \(algorithm)")

        // Backward accumulates: start from ones and expect 1 + reference.
        let gOut = randomFloats(out.count, seed: 4)
        var gi = [Float](repeating: 1, count: x.count), gw = [Float](repeating: 1, count: wt.count), gb = [Float](repeating: 1, count: f)
        var backScratch = [Float](repeating: .nan, count: Kernels.convolutionBackwardScratchCount(batch: n, filters: f, geometry: g,
                                                                                                  algorithm: algorithm))
        gOut.withUnsafeBufferPointer { gp in x.withUnsafeBufferPointer { xp in wt.withUnsafeBufferPointer { wp in
            gi.withUnsafeMutableBufferPointer { gip in gw.withUnsafeMutableBufferPointer { gwp in gb.withUnsafeMutableBufferPointer { gbp in
                backScratch.withUnsafeMutableBufferPointer { sp in
                    Kernels.convolutionBackward(gradInput: gip, gradWeight: gwp, gradBias: gbp, scratch: sp, gradOutput: gp,
                                                input: xp, weight: wp, batch: n, filters: f, geometry: g, algorithm: algorithm)
                }
            } } }
        } } }
        let expected = referenceConvolutionBackward(gradOutput: gOut, input: x, weight: wt, n: n, c: c, h: h, w: w, f: f,
                                                    kh: kh, kw: kw, stride: stride, padding: padding, dilation: dilation)
        expectClose(gi, expected.gradInput.map { $0 + 1 }, relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "gradInput \(t) \(algorithm)")
        expectClose(gw, expected.gradWeight.map { $0 + 1 }, relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "gradWeight \(t) \(algorithm)")
        expectClose(gb, expected.gradBias.map { $0 + 1 }, relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "gradBias \(t) \(algorithm)")

        // Overwriting: the input gradient's old contents (NaN here) are ignored.
        var written = [Float](repeating: .nan, count: x.count), gw2 = [Float](repeating: 0, count: wt.count)
        var gb2 = [Float](repeating: 0, count: f)
        gOut.withUnsafeBufferPointer { gp in x.withUnsafeBufferPointer { xp in wt.withUnsafeBufferPointer { wp in
            written.withUnsafeMutableBufferPointer { gip in gw2.withUnsafeMutableBufferPointer { gwp in gb2.withUnsafeMutableBufferPointer { gbp in
                backScratch.withUnsafeMutableBufferPointer { sp in
                    Kernels.convolutionBackward(gradInput: gip, gradWeight: gwp, gradBias: gbp, scratch: sp, gradOutput: gp,
                                                input: xp, weight: wp, batch: n, filters: f, geometry: g, algorithm: algorithm,
                                                overwritingGradInput: true)
                }
            } } }
        } } }
        expectClose(written, expected.gradInput, relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "overwritten gradInput \(t) \(algorithm)")
    }

    @Test("no bias, no input gradient, empty batch and zero channels", arguments: ConvolutionAlgorithm.allCases)
    func edgeCases(algorithm: ConvolutionAlgorithm) {
        // Stride 1 without bias and without input gradient.
        let g = ConvolutionGeometry(channels: 2, height: 4, width: 4, kernelHeight: 3, kernelWidth: 3, padding: 1)
        let x = randomFloats(2 * 16, seed: 5), wt = randomFloats(3 * 18, seed: 6)
        var out = [Float](repeating: .nan, count: 3 * 16)
        var scratch = [Float](repeating: 0, count: Kernels.convolutionForwardScratchCount(batch: 1, filters: 3, geometry: g,
                                                                                                  algorithm: algorithm))
        x.withUnsafeBufferPointer { xp in wt.withUnsafeBufferPointer { wp in out.withUnsafeMutableBufferPointer { op in
            scratch.withUnsafeMutableBufferPointer { sp in
                Kernels.convolutionForward(op, scratch: sp, xp, weight: wp, bias: UnsafeBufferPointer(start: nil, count: 0),
                                           batch: 1, filters: 3, geometry: g, algorithm: algorithm)
            }
        } } }
        let reference = Reference.conv2d(x, n: 1, c: 2, h: 4, w: 4, weight: wt, f: 3, kh: 3, kw: 3, bias: nil, stride: 1, padding: 1)
        expectClose(out, reference.output, relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        var gw = [Float](repeating: 0, count: wt.count)
        let gOut = randomFloats(out.count, seed: 7)
        var backScratch = [Float](repeating: 0, count: Kernels.convolutionBackwardScratchCount(batch: 1, filters: 3, geometry: g,
                                                                                                       algorithm: algorithm))
        // Empty Swift arrays (whose buffers may still have a base address) mean "skip".
        var noInputGradient: [Float] = [], noBiasGradient: [Float] = []
        gOut.withUnsafeBufferPointer { gp in x.withUnsafeBufferPointer { xp in wt.withUnsafeBufferPointer { wp in
            gw.withUnsafeMutableBufferPointer { gwp in backScratch.withUnsafeMutableBufferPointer { sp in
                noInputGradient.withUnsafeMutableBufferPointer { gip in noBiasGradient.withUnsafeMutableBufferPointer { gbp in
                    Kernels.convolutionBackward(gradInput: gip, gradWeight: gwp, gradBias: gbp, scratch: sp,
                                                gradOutput: gp, input: xp, weight: wp, batch: 1, filters: 3, geometry: g, algorithm: algorithm)
                } }
            } }
        } } }
        #expect(noInputGradient.isEmpty && noBiasGradient.isEmpty)
        let expected = referenceConvolutionBackward(gradOutput: gOut, input: x, weight: wt, n: 1, c: 2, h: 4, w: 4, f: 3,
                                                    kh: 3, kw: 3, stride: 1, padding: 1, dilation: 1)
        expectClose(gw, expected.gradWeight, relativeTolerance: 1e-4, absoluteTolerance: 1e-4)

        // Zero channels: the output is the bias; an empty batch writes nothing.
        let empty = ConvolutionGeometry(channels: 0, height: 3, width: 3, kernelHeight: 3, kernelWidth: 3, padding: 1)
        var biasOnly = [Float](repeating: .nan, count: 2 * 9)
        var none: [Float] = []
        let bias: [Float] = [0.5, -1]
        bias.withUnsafeBufferPointer { bp in biasOnly.withUnsafeMutableBufferPointer { op in none.withUnsafeMutableBufferPointer { sp in
            Kernels.convolutionForward(op, scratch: UnsafeMutableBufferPointer(start: nil, count: 0), UnsafeBufferPointer(start: nil, count: 0),
                                       weight: UnsafeBufferPointer(start: nil, count: 0), bias: bp, batch: 1, filters: 2, geometry: empty,
                                       algorithm: algorithm)
            Kernels.convolutionForward(sp, scratch: UnsafeMutableBufferPointer(start: nil, count: 0), UnsafeBufferPointer(start: nil, count: 0),
                                       weight: UnsafeBufferPointer(start: nil, count: 0), bias: bp, batch: 0, filters: 2, geometry: empty,
                                       algorithm: algorithm)
        } } }
        #expect(biasOnly == [Float](repeating: 0.5, count: 9) + [Float](repeating: -1, count: 9))
    }

    @Test("the direct path's 16 × 16 transpose and strided copy move every element to its place")
    func directHelpers() {
        let src = (0..<(16 * 20)).map { Float($0) }
        var dst = [Float](repeating: .nan, count: 16 * 18)
        src.withUnsafeBufferPointer { s in dst.withUnsafeMutableBufferPointer { d in
            Kernels.transpose16(d.baseAddress! + 1, ldd: 18, s.baseAddress! + 2, lds: 20)
        } }
        for i in 0..<16 { for k in 0..<16 { #expect(dst[i * 18 + 1 + k] == src[k * 20 + 2 + i], "row \(i) column \(k)") } }
        #expect(dst[0].isNaN && dst[17].isNaN, "the transpose writes only its 16 × 16 block")
        // Every stride and count around the 16-lane step, with nothing to read past s[(count − 1)·stride].
        for stride in 1...3 {
            for count in [0, 1, 15, 16, 17, 33, 40] {
                let source = (0..<max(1, (count - 1) * stride + 1)).map { Float($0) }
                var copied = [Float](repeating: .nan, count: count + 1)
                source.withUnsafeBufferPointer { s in copied.withUnsafeMutableBufferPointer { d in
                    DirectConvolutionLayout.copyEvery(stride, to: d.baseAddress!, from: s.baseAddress!, count: count)
                } }
                #expect(Array(copied[0..<count]) == (0..<count).map { Float($0 * stride) }, "stride \(stride), count \(count)")
                #expect(copied[count].isNaN, "stride \(stride), count \(count): nothing written past the count")
            }
        }
    }
}
