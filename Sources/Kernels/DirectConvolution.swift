// Legend: N images, C input channels, F filters, H×W input, KH×KW kernel (T = KH·KW taps),
// sy×sx stride (P = sy·sx phases), d dilation, p padding; Hp×Wp = (H+2p)×(W+2p) padded image;
// OH×OW output; J = C·T (channel, tap) pairs.
//
// Direct convolution: every FLOP in the register tiles of DirectConvolutionTiles.swift, no GEMM.
// The input is split into stride phases (phase (py, px) = the padded pixels with y ≡ py, x ≡ px
// mod the stride; stride 1 has one phase, the zero-padded image), all images of a (channel,
// phase) plane back to back in one row of the plane buffer, each image taking Lq = Hq·Wq + max qx
// floats. Tap (ky, kx) with ky·d = qy·sy + py, kx·d = qx·sx + px reads plane (c, py·sx + px)
// at the relative offset qy·Wq + qx, so in "padded-width" layout (output (oy, ox) of image i at
// column q = i·Lq + oy·Wq + ox; columns with ox ≥ OW and the gaps between images are computed
// and discarded) every (channel, tap) pair j is one source row shifted by a constant:
//     forward          out'[f, q]   = Σ_j W[f, j] · planes[offset_j + q]
//     weight gradient  dW[f, j]     = Σ_q gOut'[f, q] · planes[offset_j + q]
//     input gradient   dPlanes[c, phase][p] = Σ_{f, tap in phase} W[f, c, tap] · gOut'[f, p − rel(tap)]
// (the last is the adjoint of the first, gathered per phase so that every output is written
// once). gOut' is the output gradient in padded-width layout with a zero margin in front.
//
// Why not GEMM: a GEMM per tap (ShiftedConvolution.swift) reads and writes its [F, Q] result 9
// times and a weight-gradient GEMM with K = Q splits poorly across threads; here each 4 × 96
// output tile stays in registers over all J (forward, input gradient), and the weight gradient
// keeps a filter-vector × 6-row tile in registers over a chunk of columns, on a transposed chunk
// of gOut'. Measured on K9a's shapes (2 cores, AVX-512): forward 270–285 GFLOP/s against 243 for
// the 9 GEMMs alone; weight gradient 260 against 173.
// The tiles need 32 vector registers of 16 floats, so this path is taken only when Kernels is
// built for an AVX-512 CPU (QUARRY_AVX512); otherwise the GEMM paths run (Convolution.swift).

/// The phase-split, batched layout of the direct convolution (see the file legend).
struct DirectConvolutionLayout {
    let geometry: ConvolutionGeometry
    let batch: Int
    let filters: Int
    /// Phase plane height Hq and width Wq.
    let phaseHeight: Int, phaseWidth: Int
    /// Lq: floats per image in a phase plane, with the tail that only feeds discarded columns.
    let plane: Int
    /// Row stride of the plane buffer: N·Lq plus one tile, so a tile that runs past the last
    /// image still reads inside the buffer.
    let planeStride: Int
    /// Q: output columns in padded-width layout, and the forward's tiles over them.
    let columns: Int, tiles: Int
    /// Input-gradient tiles over the N·Lq columns of a plane row, and the row stride they fill.
    let inputTiles: Int, inputStride: Int
    /// R: the largest relative offset of a tap, and the zero margin in front of each gOut' row.
    let margin: Int
    /// Row stride of gOut': the margin plus the input-gradient tiles' reach, plus one vector for
    /// the weight gradient's 16-column transposes.
    let gradientStride: Int
    /// F rounded up to the tile's 4 rows, C likewise, and F rounded up to a vector of 16.
    let paddedFilters: Int, paddedChannels: Int, vectorFilters: Int
    /// J rounded up to a multiple of the weight-gradient tiles' 6 and 12 source rows.
    let paddedPairs: Int

    /// Columns of the weight gradient's transposed gOut' chunks.
    static let gradientChunk = 128
    /// Source rows (j) per block of the product tiles: about 8 channels of a 3×3 kernel, so a
    /// block's source rows stay in the L1 cache across the filter blocks (measured best on K9a).
    static let pairBlock = 72
    /// Tiles per block of columns.
    static let tileBlock = 8

    init(_ g: ConvolutionGeometry, batch: Int, filters: Int) {
        geometry = g
        self.batch = batch
        self.filters = filters
        let hp = g.height + 2 * g.paddingY, wp = g.width + 2 * g.paddingX
        phaseHeight = (hp + g.strideY - 1) / g.strideY
        phaseWidth = (wp + g.strideX - 1) / g.strideX
        let maxQx = (g.kernelWidth - 1) * g.dilationX / g.strideX, maxQy = (g.kernelHeight - 1) * g.dilationY / g.strideY
        plane = phaseHeight * phaseWidth + maxQx
        let tileColumns = Kernels.productTileColumns
        planeStride = batch * plane + tileColumns
        columns = batch == 0 ? 0 : (batch - 1) * plane + g.outputHeight * phaseWidth
        tiles = (columns + tileColumns - 1) / tileColumns
        inputTiles = (batch * plane + tileColumns - 1) / tileColumns
        inputStride = inputTiles * tileColumns
        margin = maxQy * phaseWidth + maxQx
        gradientStride = margin + inputStride + 16
        paddedFilters = (filters + 3) / 4 * 4
        paddedChannels = (g.channels + 3) / 4 * 4
        vectorFilters = (filters + 15) / 16 * 16
        paddedPairs = (g.channels * g.kernelHeight * g.kernelWidth + 11) / 12 * 12
    }

    var phases: Int { geometry.strideY * geometry.strideX }
    var taps: Int { geometry.kernelHeight * geometry.kernelWidth }
    /// J: (channel, tap) pairs.
    var pairs: Int { geometry.channels * taps }

    /// The phase plane of tap t = ky·KW + kx and its offset in that plane.
    func phaseAndOffset(tap t: Int) -> (phase: Int, offset: Int) {
        let g = geometry, ay = t / g.kernelWidth * g.dilationY, ax = t % g.kernelWidth * g.dilationX
        return ((ay % g.strideY) * g.strideX + ax % g.strideX, (ay / g.strideY) * phaseWidth + ax / g.strideX)
    }

    /// offset_j of every (channel, tap) pair j = c·T + t in the plane buffer, padded to
    /// `paddedPairs` with copies of offset_0 (whose products the weight gradient discards).
    func pairOffsets() -> [Int] {
        var offsets = [Int](repeating: 0, count: paddedPairs)
        for c in 0..<geometry.channels {
            for t in 0..<taps {
                let (phase, offset) = phaseAndOffset(tap: t)
                offsets[c * taps + t] = (c * phases + phase) * planeStride + offset
            }
        }
        for j in pairs..<paddedPairs { offsets[j] = offsets[0] }
        return offsets
    }

    // Scratch floats of each buffer.
    var planeCount: Int { geometry.channels * phases * planeStride }
    var outputCount: Int { paddedFilters * tiles * Kernels.productTileColumns }
    /// gOut' has F' = `vectorFilters` rows, those past F zero, for the 16-row transposes.
    var gradientCount: Int { vectorFilters * gradientStride }
    var inputGradientCount: Int { paddedChannels * phases * inputStride }
    /// Per part: a transposed gOut' chunk and a weight-gradient accumulator [J', F'].
    var partCount: Int { Self.gradientChunk * vectorFilters + paddedPairs * vectorFilters }
    var forwardScratchCount: Int { planeCount + outputCount + pairs * paddedFilters }
    var backwardScratchCount: Int {
        planeCount + gradientCount + inputGradientCount + filters * taps * paddedChannels + Kernels.loopWorkerCount * partCount
    }

    /// Writes the zero-padded phase planes of the batch [N, C, H, W] into `planes` (every float
    /// of the buffer: zeros outside the images, written once), the channels split across the parts.
    func split(_ planes: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>) {
        let g = geometry, sy = g.strideY, sx = g.strideX
        Kernels.forEachPart { part in
            for c in Kernels.share(of: g.channels, part: part, parts: Kernels.loopWorkerCount) {
                for py in 0..<sy {
                    for px in 0..<sx {
                        let row = planes + (c * phases + py * sx + px) * planeStride
                        // Input columns x with (x + padX) % sx == px land at column (x + padX) / sx.
                        let first = ((px - g.paddingX) % sx + sx) % sx, column = (first + g.paddingX) / sx
                        let count = first < g.width ? (g.width - first + sx - 1) / sx : 0
                        var cursor = 0
                        for i in 0..<batch {
                            for yq in 0..<phaseHeight {
                                let y = yq * sy + py - g.paddingY
                                guard count > 0, y >= 0, y < g.height else { continue }
                                let start = i * plane + yq * phaseWidth + column
                                (row + cursor).update(repeating: 0, count: start - cursor)
                                Self.copyEvery(sx, to: row + start, from: input + ((i * g.channels + c) * g.height + y) * g.width + first,
                                               count: count)
                                cursor = start + count
                            }
                        }
                        (row + cursor).update(repeating: 0, count: planeStride - cursor)
                    }
                }
            }
        }
    }

    /// d[j] = s[j·stride] for j in 0..<count, vectorised for strides 1 and 2 (the detector's).
    @inline(__always)
    static func copyEvery(_ stride: Int, to d: UnsafeMutablePointer<Float>, from s: UnsafePointer<Float>, count: Int) {
        if stride == 1 { d.update(from: s, count: count); return }
        var j = 0
        if stride == 2 {
            // Two vectors in, their even lanes out; stops one vector early so that it never
            // reads past s[2·(count − 1)].
            while j + 17 <= count {
                let a = Kernels.loadVector(s + 2 * j), b = Kernels.loadVector(s + 2 * j + 16)
                Kernels.storeVector(d + j, FloatVector(lowHalf: a.evenHalf, highHalf: b.evenHalf))
                j += 16
            }
        }
        while j < count { d[j] = s[j * stride]; j += 1 }
    }

    /// Adds (or, `overwriting`, writes) the image pixels of phase-plane gradients (row stride
    /// `inputStride`, rows c·P + phase) into `gradInput` [N, C, H, W]: the adjoint of `split`.
    /// Every pixel comes from exactly one (phase, column), so an overwrite writes all of them.
    func accumulateSplit(_ gradInput: UnsafeMutablePointer<Float>, _ gradPlanes: UnsafePointer<Float>, overwriting: Bool) {
        let g = geometry, stride = inputStride
        Kernels.forEachPart { part in
            for c in Kernels.share(of: g.channels, part: part, parts: Kernels.loopWorkerCount) {
                if g.strideX == 2 {
                    // Even and odd image columns come from two phase rows: one interleaving add
                    // per 16 pixels instead of two strided passes.
                    for i in 0..<batch {
                        for y in 0..<g.height {
                            let yp = y + g.paddingY, py = yp % g.strideY
                            let row = (c * phases + py * 2) * stride + i * plane + (yp / g.strideY) * phaseWidth
                            // x = 2k reads phase px0 at column e0 + k, x = 2k + 1 phase 1 − px0 at e1 + k.
                            let px0 = g.paddingX % 2, e0 = g.paddingX / 2, e1 = (g.paddingX + 1) / 2
                            Self.addInterleaved(gradInput + ((i * g.channels + c) * g.height + y) * g.width,
                                                even: gradPlanes + row + px0 * stride + e0,
                                                odd: gradPlanes + row + (1 - px0) * stride + e1, count: g.width,
                                                overwriting: overwriting)
                        }
                    }
                    continue
                }
                forEachRun(channel: c, rowStride: stride) { image, plane, count, sx in
                    let d = gradInput + image, s = gradPlanes + plane
                    switch (sx, overwriting) {
                    case (1, true): d.update(from: s, count: count)
                    case (1, false): for j in 0..<count { d[j] += s[j] }
                    case (_, true): for j in 0..<count { d[j * sx] = s[j] }
                    case (_, false): for j in 0..<count { d[j * sx] += s[j] }
                    }
                }
            }
        }
    }

    /// d[2k] += even[k] and d[2k + 1] += odd[k] (or `=`, `overwriting`) for the `count`
    /// elements of d, 16 at a time.
    @inline(__always)
    static func addInterleaved(_ d: UnsafeMutablePointer<Float>, even: UnsafePointer<Float>, odd: UnsafePointer<Float>,
                               count: Int, overwriting: Bool) {
        var k = 0
        while 2 * k + 16 <= count {
            let a = UnsafeRawPointer(even + k).loadUnaligned(as: SIMD8<Float>.self)
            let b = UnsafeRawPointer(odd + k).loadUnaligned(as: SIMD8<Float>.self)
            // Compiles to one two-source permute.
            let zipped = FloatVector(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
            Kernels.storeVector(d + 2 * k, overwriting ? zipped : Kernels.loadVector(d + 2 * k) + zipped)
            k += 8
        }
        while 2 * k < count {
            d[2 * k] = overwriting ? even[k] : d[2 * k] + even[k]
            if 2 * k + 1 < count { d[2 * k + 1] = overwriting ? odd[k] : d[2 * k + 1] + odd[k] }
            k += 1
        }
    }

    /// Calls `body(imageOffset, planeOffset, count, sx)` for every run of channel `c`'s pixels
    /// that lands in one phase-plane row: image elements imageOffset + j·sx (in [N, C, H, W]) go
    /// to planeOffset + j (rows (c·P + phase) of `rowStride` floats, default `planeStride`).
    @inline(__always)
    func forEachRun(channel c: Int, rowStride: Int? = nil, _ body: (Int, Int, Int, Int) -> Void) {
        let g = geometry, sy = g.strideY, sx = g.strideX, stride = rowStride ?? planeStride
        for i in 0..<batch {
            for y in 0..<g.height {
                let yp = y + g.paddingY, source = ((i * g.channels + c) * g.height + y) * g.width
                let base = (c * phases + (yp % sy) * sx) * stride + i * plane + (yp / sy) * phaseWidth
                for px in 0..<sx {
                    // Input columns x with (x + padX) % sx == px land at (x + padX) / sx.
                    let first = ((px - g.paddingX) % sx + sx) % sx
                    guard first < g.width else { continue }
                    body(source + first, base + px * stride + (first + g.paddingX) / sx, (g.width - first + sx - 1) / sx, sx)
                }
            }
        }
    }
}

extension Kernels {
    /// Runs the product tiles for rows 0..<`rows` (a multiple of 4, row stride `ldo`) over the
    /// tiles `tileRange` of 96 columns: out[r][q] = Σ_j w[j·ldw + r] · src[offsets[j] + q].
    static func productTiles(
        _ out: UnsafeMutablePointer<Float>, ldo: Int, rows: Int, tiles tileRange: Range<Int>,
        _ src: UnsafePointer<Float>, offsets: UnsafePointer<Int>, _ w: UnsafePointer<Float>, ldw: Int, count: Int
    ) {
        let width = productTileColumns, tileBlock = DirectConvolutionLayout.tileBlock, pairBlock = DirectConvolutionLayout.pairBlock
        for first in stride(from: tileRange.lowerBound, to: tileRange.upperBound, by: tileBlock) {
            let last = min(tileRange.upperBound, first + tileBlock)
            for j in stride(from: 0, to: count, by: pairBlock) {
                let n = min(pairBlock, count - j)
                for r in stride(from: 0, to: rows, by: productTileRows) {
                    for t in first..<last {
                        productTile(out + r * ldo + t * width, ldo: ldo, accumulate: j > 0, src + t * width,
                                    offsets: offsets + j, w + j * ldw + r, ldw: ldw, count: n)
                    }
                }
            }
        }
    }

    /// Direct convolution forward (file legend): phase split, product tiles, then the valid
    /// columns plus the bias into `output` [N, F, OH, OW].
    /// Scratch: `layout.forwardScratchCount` floats.
    static func directConvolutionForward(
        _ output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        _ input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafeBufferPointer<Float>,
        layout s: DirectConvolutionLayout
    ) {
        let g = s.geometry, f = s.filters, fp = s.paddedFilters, pairs = s.pairs
        let planes = scratch, out = planes + s.planeCount, packed = out + s.outputCount
        s.split(planes, input)
        // W [F, J] → [J, F'], zero rows past F.
        for j in 0..<pairs {
            for fi in 0..<fp { packed[j * fp + fi] = fi < f ? weight[fi * pairs + j] : 0 }
        }
        let offsets = s.pairOffsets()
        let ldo = s.tiles * productTileColumns
        offsets.withUnsafeBufferPointer { o in
            forEachPart { part in
                productTiles(out, ldo: ldo, rows: fp, tiles: share(of: s.tiles, part: part, parts: loopWorkerCount),
                             planes, offsets: o.baseAddress!, packed, ldw: fp, count: pairs)
            }
        }
        // Gather the valid columns, adding the bias.
        let oh = g.outputHeight, ow = g.outputWidth, wq = s.phaseWidth
        forEachPart { part in
            for fi in share(of: f, part: part, parts: loopWorkerCount) {
                let b: Float = bias.isEmpty ? 0 : bias[fi]
                for i in 0..<s.batch {
                    let src = out + fi * ldo + i * s.plane, dst = output + (i * f + fi) * oh * ow
                    for oy in 0..<oh {
                        let d = dst + oy * ow, r = src + oy * wq
                        for ox in 0..<ow { d[ox] = r[ox] + b }
                    }
                }
            }
        }
    }

    /// Direct convolution backward (file legend): rebuilds the phase planes from `input`, then
    /// the weight gradient from transposed chunks of gOut' and, if `gradInput` is non-empty, the
    /// phase-plane gradients gathered per phase and folded back into the image. Accumulates
    /// (`+=`) into `gradWeight`, `gradBias` (if non-empty) and `gradInput` (if non-empty; written
    /// instead when `overwritingGradInput`).
    /// Scratch: `layout.backwardScratchCount` floats.
    static func directConvolutionBackward(
        gradInput: UnsafeMutableBufferPointer<Float>, gradWeight: UnsafeMutablePointer<Float>,
        gradBias: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutablePointer<Float>,
        gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        layout s: DirectConvolutionLayout, overwritingGradInput: Bool
    ) {
        let g = s.geometry, f = s.filters, parts = loopWorkerCount
        let planes = scratch, gradOut = planes + s.planeCount, gradPlanes = gradOut + s.gradientCount
        let packed = gradPlanes + s.inputGradientCount, partScratch = packed + f * s.taps * s.paddedChannels
        s.split(planes, input)
        // gOut' rows: zero margin, the gradient in padded-width layout (zero in the discarded
        // columns, so they add nothing), zeros after; the bias gradient on the way.
        let oh = g.outputHeight, ow = g.outputWidth, wq = s.phaseWidth, m = s.margin
        forEachPart { part in
            for fi in share(of: f, part: part, parts: parts) {
                let row = gradOut + fi * s.gradientStride
                var cursor = 0
                for i in 0..<s.batch {
                    let src = gradOutput + (i * f + fi) * oh * ow
                    for oy in 0..<oh {
                        let start = m + i * s.plane + oy * wq
                        (row + cursor).update(repeating: 0, count: start - cursor)
                        (row + start).update(from: src + oy * ow, count: ow)
                        cursor = start + ow
                    }
                    if !gradBias.isEmpty { gradBias[fi] += sum(src, count: oh * ow) }
                }
                (row + cursor).update(repeating: 0, count: s.gradientStride - cursor)
            }
        }
        (gradOut + f * s.gradientStride).update(repeating: 0, count: (s.vectorFilters - f) * s.gradientStride)
        directWeightGradient(gradWeight, partScratch: partScratch, gradOut: gradOut, planes: planes, layout: s)
        guard !gradInput.isEmpty, let gradInputBase = gradInput.baseAddress else { return }
        // Per phase: rows = channels (4 per tile), j = (filter, tap of this phase).
        let cp = s.paddedChannels, taps = s.taps, phases = s.phases
        for phase in 0..<phases {
            let phaseTaps = (0..<taps).filter { s.phaseAndOffset(tap: $0).phase == phase }
            let rows = gradPlanes + phase * s.inputStride, ldo = phases * s.inputStride
            if phaseTaps.isEmpty {
                // No tap reads this phase (stride larger than the dilated kernel): no gradient.
                for c in 0..<g.channels { (rows + c * ldo).update(repeating: 0, count: s.inputStride) }
                continue
            }
            var offsets = [Int](repeating: 0, count: f * phaseTaps.count)
            for fi in 0..<f {
                for (k, t) in phaseTaps.enumerated() {
                    let j = fi * phaseTaps.count + k
                    offsets[j] = fi * s.gradientStride + m - s.phaseAndOffset(tap: t).offset
                    for c in 0..<cp { packed[j * cp + c] = c < g.channels ? weight[(fi * g.channels + c) * taps + t] : 0 }
                }
            }
            offsets.withUnsafeBufferPointer { o in
                forEachPart { part in
                    productTiles(rows, ldo: ldo, rows: cp, tiles: share(of: s.inputTiles, part: part, parts: parts),
                                 gradOut, offsets: o.baseAddress!, packed, ldw: cp, count: offsets.count)
                }
            }
        }
        s.accumulateSplit(gradInputBase, gradPlanes, overwriting: overwritingGradInput)
    }

    /// dW[f, j] += Σ_q gOut'[f, q] · planes[offset_j + q], the columns split across the parts,
    /// each transposing its chunks of gOut' to [q, F'] and keeping its own accumulator [J', F'].
    static func directWeightGradient(
        _ gradWeight: UnsafeMutablePointer<Float>, partScratch: UnsafeMutablePointer<Float>,
        gradOut: UnsafePointer<Float>, planes: UnsafePointer<Float>, layout s: DirectConvolutionLayout
    ) {
        let f = s.filters, fv = s.vectorFilters, pairs = s.pairs, padded = s.paddedPairs, parts = loopWorkerCount
        let chunk = DirectConvolutionLayout.gradientChunk, chunks = (s.columns + chunk - 1) / chunk
        let offsets = s.pairOffsets()
        offsets.withUnsafeBufferPointer { o in
            let offsetBase = o.baseAddress!
            forEachPart { part in
                let transposed = partScratch + part * s.partCount, acc = transposed + chunk * fv
                acc.update(repeating: 0, count: padded * fv)
                for c in share(of: chunks, part: part, parts: parts) {
                    let q0 = c * chunk, q1 = min(s.columns, q0 + chunk)
                    // gT[q − q0][f] = gOut'[f][margin + q], in 16 × 16 blocks (rows past F and
                    // columns past q1 are zeros or unused).
                    for fb in stride(from: 0, to: fv, by: 16) {
                        for qb in stride(from: 0, to: q1 - q0, by: 16) {
                            transpose16(transposed + qb * fv + fb, ldd: fv, gradOut + fb * s.gradientStride + s.margin + q0 + qb,
                                        lds: s.gradientStride)
                        }
                    }
                    // The source rows are read at q0..<q1; the tiles index them from q0.
                    let gT = UnsafePointer(transposed) - q0 * fv
                    var fb = 0
                    while fb < fv {
                        let width = fv - fb >= 64 ? 64 : (fv - fb >= 32 ? 32 : 16)
                        let rowsPerTile = width == 64 ? 6 : 12
                        for k in stride(from: 0, to: padded, by: rowsPerTile) {
                            let a = acc + k * fv + fb, src = offsetBase + k
                            switch width {
                            case 64: weightGradientTile4x6(a, lda: fv, gT + fb, ldg: fv, planes, offsets: src, from: q0, to: q1)
                            case 32: weightGradientTile2x12(a, lda: fv, gT + fb, ldg: fv, planes, offsets: src, from: q0, to: q1)
                            default: weightGradientTile1x12(a, lda: fv, gT + fb, ldg: fv, planes, offsets: src, from: q0, to: q1)
                            }
                        }
                        fb += width
                    }
                }
            }
        }
        // dW[f, j] += Σ_parts acc[j][f].
        for j in 0..<pairs {
            for fi in 0..<f {
                var total: Float = 0
                for part in 0..<parts { total += partScratch[part * s.partCount + chunk * fv + j * fv + fi] }
                gradWeight[fi * pairs + j] += total
            }
        }
    }
}
