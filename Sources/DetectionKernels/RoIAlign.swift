// Legend: input [N, C, H, W] feature map (cells); K RoIs [K, 5] as (batch index, x1, y1, x2, y2)
// in input-image pixels; output [K, C, PH, PW]; B = PH·PW bins per RoI.
//
// Why channels-last inside: torchvision loops channels outside and bilinear taps inside, so every
// tap is a scalar gather. Here the feature map is copied once to [N, H, W, C]; a tap then reads
// (forward) or scatter-adds (backward) C contiguous floats, a loop that vectorises, and each
// RoI's taps (cells and weights) are computed once and reused for all C channels.
import Kernels

extension Kernels {
    /// Checks the sizes shared by the RoI Align pair, and that every batch index is valid.
    static func checkRoIAlign(
        _ name: StaticString, _ g: RoIAlignGeometry,
        features: Int, rois: UnsafeBufferPointer<Float>, pooled: Int
    ) {
        precondition(g.batchSize >= 0 && g.channels >= 0 && g.height >= 0 && g.width >= 0 && g.roiCount >= 0,
                     "\(name): negative size N=\(g.batchSize) C=\(g.channels) H=\(g.height) W=\(g.width) K=\(g.roiCount)")
        precondition(g.pooledHeight >= 1 && g.pooledWidth >= 1,
                     "\(name): output size \(g.pooledHeight)×\(g.pooledWidth) must be at least 1×1")
        precondition(g.spatialScale > 0, "\(name): spatial scale \(g.spatialScale) must be positive")
        let n = g.batchSize, c = g.channels, h = g.height, w = g.width, k = g.roiCount
        precondition(features >= n * c * h * w,
                     "\(name): feature buffer holds \(features) < \(n)·\(c)·\(h)·\(w) elements")
        precondition(rois.count >= 5 * k, "\(name): RoI buffer holds \(rois.count) < 5·\(k) elements")
        precondition(pooled >= k * c * g.pooledHeight * g.pooledWidth,
                     "\(name): pooled buffer holds \(pooled) < \(k)·\(c)·\(g.pooledHeight)·\(g.pooledWidth) elements")
        if k > 0 && c > 0 {
            precondition(h >= 1 && w >= 1, "\(name): empty feature map \(h)×\(w) with \(k) RoIs")
            precondition(h * w <= Int(Int32.max), "\(name): feature map \(h)×\(w) exceeds 2³¹ − 1 cells")
        }
        for r in 0..<k {
            let b = rois[5 * r]
            precondition(b >= 0 && b < Float(n) && b == b.rounded(.towardZero),
                         "\(name): RoI \(r) has batch index \(b), expected an integer in 0..<\(n)")
        }
    }

    /// Pools a PH×PW feature grid from each RoI by averaging bilinearly interpolated samples.
    ///
    /// Equal to torchvision's `roi_align` (its CPU kernel) to Float32 rounding: bin size =
    /// RoI size / (PH, PW); gh×gw sample points per bin at the centres of a regular grid;
    /// each sample bilinearly interpolated, zero when it lies beyond [−1, H] × [−1, W], clamped
    /// to the map otherwise; the bin value is the mean over the grid.
    /// - Parameters:
    ///   - output: [K, C, PH, PW] output, fully overwritten.
    ///   - input: [N, C, H, W] feature map, NCHW.
    ///   - rois: [K, 5] RoIs (batch index, x1, y1, x2, y2), image pixels.
    ///   - geometry: sizes, `spatialScale`, `samplingRatio` and `aligned` (see `RoIAlignGeometry`).
    /// - Precondition: buffer sizes as given; PH, PW ≥ 1; scale > 0; each batch index an integer
    ///   in 0..<N; H, W ≥ 1 when there are RoIs and channels.
    ///
    /// Reference: He et al., "Mask R-CNN", arXiv:1703.06870; torchvision.ops.roi_align.
    public static func roiAlignForward(
        _ output: UnsafeMutableBufferPointer<Float>,
        _ input: UnsafeBufferPointer<Float>,
        rois: UnsafeBufferPointer<Float>,
        geometry g: RoIAlignGeometry
    ) {
        checkRoIAlign("roiAlignForward", g, features: input.count, rois: rois, pooled: output.count)
        let c = g.channels, planeSize = g.height * g.width, bins = g.pooledHeight * g.pooledWidth
        if g.roiCount == 0 || c == 0 { return }
        let channelsLast = UnsafeMutableBufferPointer<Float>.allocate(capacity: g.batchSize * planeSize * c)
        let tile = UnsafeMutableBufferPointer<Float>.allocate(capacity: bins * c)
        defer { channelsLast.deallocate(); tile.deallocate() }
        for image in 0..<g.batchSize {
            for channel in 0..<c {
                let source = (image * c + channel) * planeSize, target = image * planeSize * c + channel
                for p in 0..<planeSize { channelsLast[target + p * c] = input[source + p] }
            }
        }
        let cl = channelsLast.baseAddress!, acc = tile.baseAddress!
        RoIAlignTaps.with(rois, g) { taps in
            for k in 0..<g.roiCount {
                taps.build(roi: k, rois, g)
                let image = cl + Int(rois[5 * k]) * planeSize * c
                var start = 0
                for bin in 0..<bins {
                    let end = Int(taps.binEnd[bin])
                    gatherBin(acc + bin * c, image: image, channels: c, taps: taps, range: start..<end)
                    start = end
                }
                // [B, C] tile → this RoI's [C, PH, PW] block.
                let block = k * c * bins
                for channel in 0..<c {
                    for bin in 0..<bins { output[block + channel * bins + bin] = acc[bin * c + channel] }
                }
            }
        }
    }

    /// Adds the gradient of `roiAlignForward` with respect to its input into `gradInput`.
    ///
    /// Accumulates: `gradInput += ∂(Σ gradOutput·output)/∂input`; zero `gradInput` first for a
    /// plain gradient. Each bin's incoming gradient is scattered to the cells its samples read,
    /// with the same bilinear weights over the sample count, as torchvision's backward kernel.
    /// The RoIs receive no gradient (they are not differentiable in torchvision either).
    /// - Parameters:
    ///   - gradInput: [N, C, H, W] gradient of the feature map, accumulated into.
    ///   - gradOutput: [K, C, PH, PW] gradient of the pooled output.
    ///   - rois: [K, 5] RoIs (batch index, x1, y1, x2, y2), image pixels, as in the forward.
    ///   - geometry: the forward's geometry.
    /// - Precondition: as `roiAlignForward`.
    ///
    /// Reference: He et al., "Mask R-CNN", arXiv:1703.06870; torchvision.ops.roi_align (backward).
    public static func roiAlignBackward(
        _ gradInput: UnsafeMutableBufferPointer<Float>,
        _ gradOutput: UnsafeBufferPointer<Float>,
        rois: UnsafeBufferPointer<Float>,
        geometry g: RoIAlignGeometry
    ) {
        checkRoIAlign("roiAlignBackward", g, features: gradInput.count, rois: rois, pooled: gradOutput.count)
        let c = g.channels, planeSize = g.height * g.width, bins = g.pooledHeight * g.pooledWidth
        if g.roiCount == 0 || c == 0 { return }
        let channelsLast = UnsafeMutableBufferPointer<Float>.allocate(capacity: g.batchSize * planeSize * c)
        let tile = UnsafeMutableBufferPointer<Float>.allocate(capacity: bins * c)
        defer { channelsLast.deallocate(); tile.deallocate() }
        channelsLast.initialize(repeating: 0)
        let cl = channelsLast.baseAddress!, grad = tile.baseAddress!
        RoIAlignTaps.with(rois, g) { taps in
            for k in 0..<g.roiCount {
                taps.build(roi: k, rois, g)
                // This RoI's [C, PH, PW] gradient block → [B, C] tile.
                let block = k * c * bins
                for channel in 0..<c {
                    for bin in 0..<bins { grad[bin * c + channel] = gradOutput[block + channel * bins + bin] }
                }
                let image = cl + Int(rois[5 * k]) * planeSize * c
                var start = 0
                for bin in 0..<bins {
                    let end = Int(taps.binEnd[bin])
                    scatterBin(grad + bin * c, image: image, channels: c, taps: taps, range: start..<end)
                    start = end
                }
            }
        }
        for image in 0..<g.batchSize {
            for channel in 0..<c {
                let target = (image * c + channel) * planeSize, source = image * planeSize * c + channel
                for p in 0..<planeSize { gradInput[target + p] += channelsLast[source + p * c] }
            }
        }
    }

    // MARK: - Per-bin loops

    /// Writes one bin's C values: the weighted sum of its taps' channel vectors (channels-last).
    ///
    /// Channels go in chunks of 16 held in four SIMD4 accumulators across all taps, so each tap
    /// costs 4 loads and 8 arithmetic operations per chunk, with no accumulator traffic.
    @inline(__always)
    static func gatherBin(
        _ sum: UnsafeMutablePointer<Float>, image: UnsafeMutablePointer<Float>, channels c: Int,
        taps: RoIAlignTaps, range: Range<Int>
    ) {
        var c0 = 0
        while c0 + 16 <= c {
            var a0 = FloatLanes(), a1 = FloatLanes(), a2 = FloatLanes(), a3 = FloatLanes()
            for t in range {
                let w = FloatLanes(repeating: taps.weight[t])
                let p = UnsafeRawPointer(image + Int(taps.cell[t]) * c + c0)
                a0 += w * p.loadUnaligned(as: FloatLanes.self)
                a1 += w * p.loadUnaligned(fromByteOffset: 16, as: FloatLanes.self)
                a2 += w * p.loadUnaligned(fromByteOffset: 32, as: FloatLanes.self)
                a3 += w * p.loadUnaligned(fromByteOffset: 48, as: FloatLanes.self)
            }
            let out = UnsafeMutableRawPointer(sum + c0)
            out.storeBytes(of: a0, as: FloatLanes.self)
            out.storeBytes(of: a1, toByteOffset: 16, as: FloatLanes.self)
            out.storeBytes(of: a2, toByteOffset: 32, as: FloatLanes.self)
            out.storeBytes(of: a3, toByteOffset: 48, as: FloatLanes.self)
            c0 += 16
        }
        for channel in c0..<c {
            var total: Float = 0
            for t in range { total += taps.weight[t] * image[Int(taps.cell[t]) * c + channel] }
            sum[channel] = total
        }
    }

    /// Adds one bin's incoming C-vector gradient, times each tap's weight, into the tap's cell.
    ///
    /// The incoming chunk of 16 channels stays in registers across the taps.
    @inline(__always)
    static func scatterBin(
        _ incoming: UnsafeMutablePointer<Float>, image: UnsafeMutablePointer<Float>, channels c: Int,
        taps: RoIAlignTaps, range: Range<Int>
    ) {
        var c0 = 0
        while c0 + 16 <= c {
            let source = UnsafeRawPointer(incoming + c0)
            let g0 = source.loadUnaligned(as: FloatLanes.self)
            let g1 = source.loadUnaligned(fromByteOffset: 16, as: FloatLanes.self)
            let g2 = source.loadUnaligned(fromByteOffset: 32, as: FloatLanes.self)
            let g3 = source.loadUnaligned(fromByteOffset: 48, as: FloatLanes.self)
            for t in range {
                let w = FloatLanes(repeating: taps.weight[t])
                let p = UnsafeMutableRawPointer(image + Int(taps.cell[t]) * c + c0)
                p.storeBytes(of: p.loadUnaligned(as: FloatLanes.self) + w * g0, as: FloatLanes.self)
                p.storeBytes(of: p.loadUnaligned(fromByteOffset: 16, as: FloatLanes.self) + w * g1,
                             toByteOffset: 16, as: FloatLanes.self)
                p.storeBytes(of: p.loadUnaligned(fromByteOffset: 32, as: FloatLanes.self) + w * g2,
                             toByteOffset: 32, as: FloatLanes.self)
                p.storeBytes(of: p.loadUnaligned(fromByteOffset: 48, as: FloatLanes.self) + w * g3,
                             toByteOffset: 48, as: FloatLanes.self)
            }
            c0 += 16
        }
        for channel in c0..<c {
            let g = incoming[channel]
            for t in range { image[Int(taps.cell[t]) * c + channel] += taps.weight[t] * g }
        }
    }
}
