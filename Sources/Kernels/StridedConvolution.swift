// Legend: C input channels, F filters, H×W input, KH×KW kernel, sy×sx stride, p padding,
// d dilation; Hp×Wp = (H+2p)×(W+2p) padded image; OH×OW output; R = C·KH·KW.
//
// Strided convolution as im2col + GEMM, with the input first split into stride phases:
// phase (py, px) is the plane Xph[i, j] = Xpad[i·sy + py, j·sx + px], of Hq×Wq = ⌈Hp/sy⌉×⌈Wp/sx⌉.
// Tap (ky, kx) at output (oy, ox) reads Xpad[oy·sy + ky·d, ox·sx + kx·d] = Xph[oy + qy, ox + qx]
// with ky·d = qy·sy + py, kx·d = qx·sx + px, so in "padded-width" layout (output (oy, ox) at
// column oy·Wq + ox, columns with ox ≥ OW discarded) each im2col row is one contiguous slice
// of a phase plane: a memcpy instead of a strided gather, and col2im is contiguous adds. Each
// plane takes Lq = Hq·Wq + max qx floats (the tail only feeds discarded columns).

/// The phase-split layout of a strided convolution over one image (see the file legend).
struct StridedConvolutionLayout {
    let geometry: ConvolutionGeometry
    let filters: Int
    /// Phase plane height Hq and width Wq.
    let phaseHeight: Int, phaseWidth: Int
    /// Lq: floats per phase plane, with the tail.
    let plane: Int
    /// Q = OH·Wq: output columns in padded-width layout.
    let columns: Int

    init(_ g: ConvolutionGeometry, filters: Int) {
        geometry = g
        self.filters = filters
        let hp = g.height + 2 * g.paddingY, wp = g.width + 2 * g.paddingX
        phaseHeight = (hp + g.strideY - 1) / g.strideY
        phaseWidth = (wp + g.strideX - 1) / g.strideX
        plane = phaseHeight * phaseWidth + (g.kernelWidth - 1) * g.dilationX / g.strideX
        columns = g.outputHeight * phaseWidth
    }

    var phases: Int { geometry.strideY * geometry.strideX }
    /// Floats of the phase planes [C, sy·sx, Lq].
    var phaseCount: Int { geometry.channels * phases * plane }
    /// Floats of the column matrix [R, Q].
    var columnCount: Int { geometry.columnRows * columns }
    /// Floats of the padded-width output [F, Q].
    var outputCount: Int { filters * columns }

    /// The phase plane and offset in it where column row (c, ky, kx) starts.
    func source(channel c: Int, ky: Int, kx: Int) -> Int {
        let g = geometry, ay = ky * g.dilationY, ax = kx * g.dilationX
        let phase = (ay % g.strideY) * g.strideX + ax % g.strideX
        return (c * phases + phase) * plane + (ay / g.strideY) * phaseWidth + ax / g.strideX
    }

    /// Splits one zero-padded image [C, H, W] into phase planes [C, sy·sx, Lq] (zeros outside).
    func split(_ phasesOut: UnsafeMutablePointer<Float>, _ image: UnsafePointer<Float>) {
        let g = geometry
        phasesOut.update(repeating: 0, count: phaseCount)
        for row in 0..<(g.channels * g.height) { forEachPhaseRun(row: row) { src, dst, count, sx in
            let s = image + src, d = phasesOut + dst
            for j in 0..<count { d[j] = s[j * sx] }
        } }
    }

    /// Adds phase planes [C, sy·sx, Lq] back into one image [C, H, W] (the adjoint of `split`).
    func accumulateSplit(_ image: UnsafeMutablePointer<Float>, _ phasesIn: UnsafePointer<Float>) {
        let g = geometry
        for row in 0..<(g.channels * g.height) { forEachPhaseRun(row: row) { src, dst, count, sx in
            let d = image + src, s = phasesIn + dst
            for j in 0..<count { d[j * sx] += s[j] }
        } }
    }

    /// Calls `body(imageOffset, phaseOffset, count, sx)` for each of the sx runs that input row
    /// `row` = c·H + y contributes: image elements imageOffset + j·sx go to phaseOffset + j.
    @inline(__always)
    func forEachPhaseRun(row: Int, _ body: (Int, Int, Int, Int) -> Void) {
        let g = geometry, sy = g.strideY, sx = g.strideX
        let c = row / g.height, y = row % g.height, yp = y + g.paddingY
        let base = (c * phases + (yp % sy) * sx) * plane + (yp / sy) * phaseWidth
        for px in 0..<sx {
            // Input columns x with (x + padX) % sx == px land at (x + padX) / sx.
            let first = ((px - g.paddingX) % sx + sx) % sx
            guard first < g.width else { continue }
            body(row * g.width + first, base + px * plane + (first + g.paddingX) / sx, (g.width - first + sx - 1) / sx, sx)
        }
    }

    /// Fills the column matrix [R, Q] from the phase planes: one contiguous copy per row.
    func columns(_ cols: UnsafeMutablePointer<Float>, from phasesIn: UnsafePointer<Float>) {
        let g = geometry, kh = g.kernelHeight, kw = g.kernelWidth, q = columns
        for row in 0..<g.columnRows {
            let c = row / (kh * kw), ky = row / kw % kh, kx = row % kw
            (cols + row * q).update(from: phasesIn + source(channel: c, ky: ky, kx: kx), count: q)
        }
    }

    /// Adds every row of a column-gradient matrix [R, Q] into the phase-plane gradient.
    func accumulateColumns(_ phasesOut: UnsafeMutablePointer<Float>, from cols: UnsafePointer<Float>) {
        let g = geometry, kh = g.kernelHeight, kw = g.kernelWidth, q = columns
        for row in 0..<g.columnRows {
            let c = row / (kh * kw), ky = row / kw % kh, kx = row % kw
            let dst = phasesOut + source(channel: c, ky: ky, kx: kx), src = cols + row * q
            for j in 0..<q { dst[j] += src[j] }
        }
    }
}

extension Kernels {
    /// Strided convolution forward, per image: phase split, contiguous im2col, one GEMM, then
    /// the valid columns plus bias into `output` [N, F, OH, OW].
    /// Scratch: phases + columns + padded-width output of one image.
    static func stridedConvolutionForward(
        _ output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        _ input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafeBufferPointer<Float>,
        batch n: Int, layout s: StridedConvolutionLayout
    ) {
        let g = s.geometry, f = s.filters, r = g.columnRows, q = s.columns
        let oh = g.outputHeight, ow = g.outputWidth, wq = s.phaseWidth, imageSize = g.channels * g.height * g.width
        let phases = scratch, cols = phases + s.phaseCount, out = cols + s.columnCount
        for i in 0..<n {
            s.split(phases, input + i * imageSize)
            s.columns(cols, from: phases)
            sgemm(UnsafeMutableBufferPointer(start: out, count: s.outputCount), ldc: q,
                  UnsafeBufferPointer(start: weight, count: f * r), lda: r, transposeA: false,
                  UnsafeBufferPointer(start: cols, count: s.columnCount), ldb: q, transposeB: false, m: f, n: q, k: r)
            for fi in 0..<f {
                let b: Float = bias.isEmpty ? 0 : bias[fi]
                let src = out + fi * q, dst = output + (i * f + fi) * oh * ow
                for oy in 0..<oh {
                    let d = dst + oy * ow, rowStart = src + oy * wq
                    for ox in 0..<ow { d[ox] = rowStart[ox] + b }
                }
            }
        }
    }

    /// Strided convolution backward, per image: rebuild the columns, gradWeight += gOut'·colsᵀ,
    /// then (if `gradInput` is non-empty) cols' = Wᵀ·gOut', folded into the phase planes and
    /// back into the image. Accumulates into every gradient.
    /// Scratch: 2 × phases + columns + padded-width output of one image.
    static func stridedConvolutionBackward(
        gradInput: UnsafeMutableBufferPointer<Float>, gradWeight: UnsafeMutablePointer<Float>,
        gradBias: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutablePointer<Float>,
        gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        batch n: Int, layout s: StridedConvolutionLayout
    ) {
        let g = s.geometry, f = s.filters, r = g.columnRows, q = s.columns
        let oh = g.outputHeight, ow = g.outputWidth, wq = s.phaseWidth, imageSize = g.channels * g.height * g.width
        let phases = scratch, gradPhases = phases + s.phaseCount, cols = gradPhases + s.phaseCount
        let gradOut = cols + s.columnCount
        for i in 0..<n {
            // gOut' rows (zero in the discarded columns) and the bias gradient, per filter.
            for fi in 0..<f {
                let src = gradOutput + (i * f + fi) * oh * ow, dst = gradOut + fi * q
                for oy in 0..<oh {
                    (dst + oy * wq).update(from: src + oy * ow, count: ow)
                    (dst + oy * wq + ow).update(repeating: 0, count: wq - ow)
                }
                if !gradBias.isEmpty { gradBias[fi] += sum(src, count: oh * ow) }
            }
            s.split(phases, input + i * imageSize)
            s.columns(cols, from: phases)
            sgemm(UnsafeMutableBufferPointer(start: gradWeight, count: f * r), ldc: r,
                  UnsafeBufferPointer(start: gradOut, count: s.outputCount), lda: q, transposeA: false,
                  UnsafeBufferPointer(start: cols, count: s.columnCount), ldb: q, transposeB: true, m: f, n: r, k: q, beta: 1)
            guard !gradInput.isEmpty, let gradInputBase = gradInput.baseAddress else { continue }
            sgemm(UnsafeMutableBufferPointer(start: cols, count: s.columnCount), ldc: q,
                  UnsafeBufferPointer(start: weight, count: f * r), lda: r, transposeA: true,
                  UnsafeBufferPointer(start: gradOut, count: s.outputCount), ldb: q, transposeB: false, m: r, n: q, k: f)
            gradPhases.update(repeating: 0, count: s.phaseCount)
            s.accumulateColumns(gradPhases, from: cols)
            s.accumulateSplit(gradInputBase + i * imageSize, gradPhases)
        }
    }
}
