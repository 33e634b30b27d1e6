// Legend: N images, C input channels, F filters, H×W input, KH×KW kernel (T = KH·KW taps),
// p padding, d dilation, stride 1; Hp×Wp = (H+2p)×(W+2p) padded image, OH×OW output.
//
// Stride-1 convolution without im2col: with the zero-padded image stored row-major, tap (ky, kx)
// reads the padded plane shifted by s = ky·d·Wp + kx·d, so for every tap
//     out'[F, q] += W_tap[F, C] · Xpad[C, q + s]
// is one GEMM whose B operand is the padded buffer itself (row stride = the plane stride).
// out' is in "padded-width" layout: output (oy, ox) of image i sits at column q = i·L + oy·Wp + ox;
// columns with ox ≥ OW (and the gaps between images) are computed and discarded. Every image's
// padded plane takes L = Hp·Wp + (KW−1)·d floats and all images of a channel are consecutive,
// so one GEMM per tap covers the whole batch: Q = (N−1)·L + OH·Wp columns, of which about
// (KW−1)/Wp are wasted. This reads the input T times from cache instead of writing a
// T-times-larger column matrix, which is what made im2col memory-bound (K9a).
// Backward: the input gradient is the adjoint, one GEMM per tap accumulating into a padded
// gradient buffer; the weight gradient takes one GEMM per kernel row over KW kx-shifted copies
// of the padded input, because per-tap [F, C] results with K = Q split poorly across threads
// (measured on K9a: 9 × [64, 64] at 125 GFLOP/s, 3 × [64, 192] at 160 GFLOP/s, 2 threads).

/// The padded-width layout of a stride-1 convolution over a batch (see the file legend).
struct ShiftedConvolutionLayout {
    let geometry: ConvolutionGeometry
    let batch: Int
    let filters: Int
    /// Padded width Wp and height Hp.
    let paddedWidth: Int, paddedHeight: Int
    /// L: floats per image per channel in the padded buffer (plane plus tail).
    let plane: Int
    /// Q: output columns in padded-width layout.
    let columns: Int

    init(_ g: ConvolutionGeometry, batch: Int, filters: Int) {
        precondition(g.strideX == 1 && g.strideY == 1, "shifted convolution needs stride 1")
        geometry = g
        self.batch = batch
        self.filters = filters
        paddedWidth = g.width + 2 * g.paddingX
        paddedHeight = g.height + 2 * g.paddingY
        plane = paddedWidth * paddedHeight + (g.kernelWidth - 1) * g.dilationX
        columns = batch == 0 ? 0 : (batch - 1) * plane + g.outputHeight * paddedWidth
    }

    var taps: Int { geometry.kernelHeight * geometry.kernelWidth }
    /// Floats of the padded input [C, N·L].
    var paddedCount: Int { geometry.channels * batch * plane }
    /// Floats of the padded-width output [F, Q].
    var outputCount: Int { filters * columns }
    /// Floats of the tap-major weights [T, F, C] (and of their gradient, kernel-row-major).
    var weightCount: Int { taps * filters * geometry.channels }
    /// Floats of the kx-shifted padded input T [KW, C, N·L] (at least the padded input, whose
    /// gradient later reuses the space).
    var shiftedCount: Int { geometry.kernelWidth * paddedCount }
    /// Floats of backward scratch: T, gOut', packed weights and their gradient.
    var backwardScratchCount: Int { shiftedCount + outputCount + 2 * weightCount }

    /// The shift of tap t = ky·KW + kx in the padded buffer.
    func shift(tap t: Int) -> Int {
        let ky = t / geometry.kernelWidth, kx = t % geometry.kernelWidth
        return ky * geometry.dilationY * paddedWidth + kx * geometry.dilationX
    }

    /// Copies images [N, C, H, W] into the zero-padded buffer [C, N·L].
    func pad(_ padded: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>) {
        padShifted(padded, input, shifts: 1)
    }

    /// Writes `shifts` blocks [C, N·L]: block k is the padded buffer read k·d elements further
    /// on, T[k][c][m] = Xpad[c][m + k·d], zero past each image's plane (such positions only feed
    /// discarded columns). Block 0 is the padded buffer.
    func padShifted(_ blocks: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, shifts: Int) {
        let g = geometry, wp = paddedWidth, h = g.height, w = g.width, l = plane
        let planes = g.channels * batch
        for k in 0..<(shifts * planes) {
            let block = k / planes, c = k % planes / batch, i = k % batch
            let src = input + (i * g.channels + c) * h * w, dst = blocks + k * l
            // Interior row y starts at top + y·Wp; zero the gaps between rows, clip at 0.
            let top = g.paddingY * wp + g.paddingX - block * g.dilationX
            var cursor = 0
            for y in 0..<h {
                var start = top + y * wp, from = 0
                if start < 0 { from = -start; start = 0 }
                guard from < w else { continue }
                (dst + cursor).update(repeating: 0, count: start - cursor)
                (dst + start).update(from: src + y * w + from, count: w - from)
                cursor = start + w - from
            }
            (dst + cursor).update(repeating: 0, count: l - cursor)
        }
    }

    /// Adds the interior of the padded buffer [C, N·L] into images [N, C, H, W].
    func accumulateInterior(_ images: UnsafeMutablePointer<Float>, _ padded: UnsafePointer<Float>) {
        let g = geometry, wp = paddedWidth, h = g.height, w = g.width, planes = g.channels * batch
        for k in 0..<planes {
            let c = k / batch, i = k % batch
            let dst = images + (i * g.channels + c) * h * w
            let src = padded + k * plane + g.paddingY * wp + g.paddingX
            for y in 0..<h {
                let d = dst + y * w, s = src + y * wp
                for x in 0..<w { d[x] += s[x] }
            }
        }
    }

    /// Rearranges weights [F, C, KH, KW] to tap-major [T, F, C] (each tap a row-major [F, C]).
    func packWeights(_ packed: UnsafeMutablePointer<Float>, _ weight: UnsafePointer<Float>) {
        let c = geometry.channels, t = taps
        for fi in 0..<filters {
            for ci in 0..<c {
                let src = weight + (fi * c + ci) * t
                for tap in 0..<t { packed[(tap * filters + fi) * c + ci] = src[tap] }
            }
        }
    }
}

extension Kernels {
    /// Stride-1 convolution forward as one GEMM per tap over the padded batch (file legend).
    ///
    /// - Parameters:
    ///   - output: [N, F, OH, OW], overwritten.
    ///   - scratch: at least `shiftedForwardScratchCount` floats, contents ignored.
    ///   - input: [N, C, H, W]; weight [F, C, KH, KW]; bias [F] or empty.
    static func shiftedConvolutionForward(
        _ output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        _ input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafeBufferPointer<Float>,
        layout s: ShiftedConvolutionLayout
    ) {
        let g = s.geometry, c = g.channels, f = s.filters, q = s.columns, ldb = s.batch * s.plane
        let padded = scratch, out = padded + s.paddedCount, packed = out + s.outputCount
        s.pad(padded, input)
        s.packWeights(packed, weight)
        for tap in 0..<s.taps {
            let shift = s.shift(tap: tap)
            sgemm(UnsafeMutableBufferPointer(start: out, count: s.outputCount), ldc: q,
                  UnsafeBufferPointer(start: packed + tap * f * c, count: f * c), lda: c, transposeA: false,
                  UnsafeBufferPointer(start: padded + shift, count: s.paddedCount - shift), ldb: ldb, transposeB: false,
                  m: f, n: q, k: c, beta: tap == 0 ? 0 : 1)
        }
        // Gather the valid columns, adding the bias.
        let oh = g.outputHeight, ow = g.outputWidth, wp = s.paddedWidth, n = s.batch
        for k in 0..<(n * f) {
            let fi = k / n, i = k % n
            let b: Float = bias.isEmpty ? 0 : bias[fi]
            let src = out + fi * q + i * s.plane, dst = output + (i * f + fi) * oh * ow
            for oy in 0..<oh {
                let d = dst + oy * ow, r = src + oy * wp
                for ox in 0..<ow { d[ox] = r[ox] + b }
            }
        }
    }

    /// Stride-1 convolution backward: rebuilds the padded input as KW kx-shifted blocks, then one
    /// GEMM per kernel row for the weight gradient and one per tap for the padded input gradient. Accumulates (`+=`) into
    /// `gradWeight`, `gradBias` (if non-empty) and `gradInput` (if non-empty).
    static func shiftedConvolutionBackward(
        gradInput: UnsafeMutableBufferPointer<Float>, gradWeight: UnsafeMutablePointer<Float>,
        gradBias: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutablePointer<Float>,
        gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        layout s: ShiftedConvolutionLayout
    ) {
        let g = s.geometry, c = g.channels, f = s.filters, q = s.columns, ldb = s.batch * s.plane
        let oh = g.outputHeight, ow = g.outputWidth, wp = s.paddedWidth
        // Scratch: the kx-shifted padded input T (block 0 is the padded input; the padded input
        // gradient reuses the space once the weight gradient is done), gOut', the packed weights
        // and their gradient.
        let shifted = scratch, gradPadded = shifted
        let gradOut = shifted + s.shiftedCount, packed = gradOut + s.outputCount, packedGrad = packed + s.weightCount
        s.padShifted(shifted, input, shifts: g.kernelWidth)
        s.packWeights(packed, weight)
        // gOut in padded-width layout, zero in the discarded columns so they contribute nothing;
        // the bias gradient on the way.
        for fi in 0..<f {
            let row = gradOut + fi * q
            row.update(repeating: 0, count: q)
            for i in 0..<s.batch {
                let src = gradOutput + (i * f + fi) * oh * ow, dst = row + i * s.plane
                for oy in 0..<oh { (dst + oy * wp).update(from: src + oy * ow, count: ow) }
                if !gradBias.isEmpty { gradBias[fi] += sum(src, count: oh * ow) }
            }
        }
        // dW_ky[F, KW·C] = gOut'[F, Q] · T_ky[KW·C, Q]ᵀ, one GEMM per kernel row, with rows (kx, c)
        // of T shifted by ky·d·Wp: one row stride. (Per tap, [64, 64] results with K = Q split
        // badly across threads, each packing all of B; [64, 192] does not.)
        let kc = g.kernelWidth * c
        for ky in 0..<g.kernelHeight {
            let shift = ky * g.dilationY * wp
            sgemm(UnsafeMutableBufferPointer(start: packedGrad + ky * f * kc, count: f * kc), ldc: kc,
                  UnsafeBufferPointer(start: gradOut, count: s.outputCount), lda: q, transposeA: false,
                  UnsafeBufferPointer(start: shifted + shift, count: s.shiftedCount - shift), ldb: ldb, transposeB: true,
                  m: f, n: kc, k: q)
        }
        for fi in 0..<f {
            for ci in 0..<c {
                let dst = gradWeight + (fi * c + ci) * s.taps
                for tap in 0..<s.taps {
                    let ky = tap / g.kernelWidth, kx = tap % g.kernelWidth
                    dst[tap] += packedGrad[(ky * f + fi) * kc + kx * c + ci]
                }
            }
        }
        guard !gradInput.isEmpty, let gradInputBase = gradInput.baseAddress else { return }
        // dXpad[C, q + shift] += W_tapᵀ[C, F] · gOut'[F, Q]; the windows of different taps overlap,
        // which is fine because the GEMMs run one after another. Tap 0 (shift 0) overwrites
        // [0, Q) of every channel row, so only the rest of each row needs zeroing first.
        let tail = ldb - q
        for ci in 0..<c { (gradPadded + ci * ldb + q).update(repeating: 0, count: tail) }
        for tap in 0..<s.taps {
            let shift = s.shift(tap: tap)
            sgemm(UnsafeMutableBufferPointer(start: gradPadded + shift, count: s.paddedCount - shift), ldc: ldb,
                  UnsafeBufferPointer(start: packed + tap * f * c, count: f * c), lda: c, transposeA: true,
                  UnsafeBufferPointer(start: gradOut, count: s.outputCount), ldb: q, transposeB: false,
                  m: c, n: q, k: f, beta: tap == 0 ? 0 : 1)
        }
        s.accumulateInterior(gradInputBase, gradPadded)
    }

    /// The sum of `count` floats with 16 independent partial sums, so the loop vectorises
    /// (a single accumulator is a serial dependency chain, 4 cycles per element).
    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>()
        var j = 0
        while j + 16 <= count {
            acc += UnsafeRawPointer(x + j).loadUnaligned(as: SIMD16<Float>.self)
            j += 16
        }
        var total = acc.sum()
        while j < count { total += x[j]; j += 1 }
        return total
    }
}
