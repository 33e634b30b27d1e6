// Legend: input [N, C, H, W] feature map (cells); K RoIs [K, 5] as (batch index, x1, y1, x2, y2)
// in input-image pixels; output [K, C, PH, PW]; B = PH·PW bins per RoI.
//
// Why channels-last inside: torchvision loops channels outside and bilinear taps inside, so every
// tap is a scalar gather. Here the feature map is copied once to [N, H, W, C]; a tap then reads
// (forward) or scatter-adds (backward) C contiguous floats, a loop that vectorises, and each
// RoI's taps (cells and weights) are computed once and reused for all C channels.

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
        RoIAlignTaps.with(capacity: RoIAlignTaps.capacity(rois, g), bins: bins) { taps in
            for k in 0..<g.roiCount {
                taps.build(roi: k, rois, g)
                let image = cl + Int(rois[5 * k]) * planeSize * c
                var t = 0
                for bin in 0..<bins {
                    let sum = acc + bin * c
                    sum.update(repeating: 0, count: c)
                    let end = Int(taps.binEnd[bin])
                    while t < end {
                        let w = taps.weight[t], source = image + Int(taps.cell[t]) * c
                        for channel in 0..<c { sum[channel] += w * source[channel] }
                        t += 1
                    }
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
        RoIAlignTaps.with(capacity: RoIAlignTaps.capacity(rois, g), bins: bins) { taps in
            for k in 0..<g.roiCount {
                taps.build(roi: k, rois, g)
                // This RoI's [C, PH, PW] gradient block → [B, C] tile.
                let block = k * c * bins
                for channel in 0..<c {
                    for bin in 0..<bins { grad[bin * c + channel] = gradOutput[block + channel * bins + bin] }
                }
                let image = cl + Int(rois[5 * k]) * planeSize * c
                var t = 0
                for bin in 0..<bins {
                    let incoming = grad + bin * c
                    let end = Int(taps.binEnd[bin])
                    while t < end {
                        let w = taps.weight[t], target = image + Int(taps.cell[t]) * c
                        for channel in 0..<c { target[channel] += w * incoming[channel] }
                        t += 1
                    }
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
}
