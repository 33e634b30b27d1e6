// Legend: input [N, C, H, W] feature map (cells); K RoIs [K, 5] as (batch index, x1, y1, x2, y2)
// in input-image pixels; output [K, C, PH, PW]; per bin a gh×gw grid of sample points; a tap
// is one of the 4 feature cells a sample point interpolates from, with its bilinear weight.

/// The sizes and options shared by `roiAlignForward` and `roiAlignBackward`.
///
/// `spatialScale` is feature size over image size: 1/8 for TinyFasterRCNN's stride-8 map, so a
/// RoI x1 of 80 px lands on feature column 10 (torchvision's example: a 224-px image pooled from
/// a 14×14 map has scale 1/16).
public struct RoIAlignGeometry: Sendable, Equatable {
    /// N, the images in the feature batch.
    public var batchSize: Int
    /// C, the feature channels.
    public var channels: Int
    /// H, the feature-map height in cells.
    public var height: Int
    /// W, the feature-map width in cells.
    public var width: Int
    /// K, the RoIs.
    public var roiCount: Int
    /// PH, the output bins per column (7 in the RoI head).
    public var pooledHeight: Int
    /// PW, the output bins per row (7 in the RoI head).
    public var pooledWidth: Int
    /// Feature cells per image pixel (1/8 in the RoI head).
    public var spatialScale: Float
    /// Sample points per bin side; ≤ 0 means adaptive, ceil(RoI side / bins) per RoI.
    public var samplingRatio: Int
    /// Whether to shift RoIs by −0.5 cell so that pixel centres line up (Detectron2's fix).
    public var aligned: Bool

    /// Creates a geometry; see the properties for units.
    public init(
        batchSize: Int, channels: Int, height: Int, width: Int, roiCount: Int,
        pooledHeight: Int, pooledWidth: Int, spatialScale: Float, samplingRatio: Int, aligned: Bool
    ) {
        self.batchSize = batchSize
        self.channels = channels
        self.height = height
        self.width = width
        self.roiCount = roiCount
        self.pooledHeight = pooledHeight
        self.pooledWidth = pooledWidth
        self.spatialScale = spatialScale
        self.samplingRatio = samplingRatio
        self.aligned = aligned
    }

    /// The RoI's start corner and size in feature cells, with torchvision's offset and minimum.
    @inline(__always)
    func cellWindow(_ rois: UnsafeBufferPointer<Float>, _ k: Int)
        -> (startX: Float, startY: Float, width: Float, height: Float) {
        // Why −0.5 when aligned: a pixel's centre sits at +0.5, so without the shift a RoI is
        // sampled half a cell off (Wu et al., Detectron2; torchvision `aligned=True`).
        let offset: Float = aligned ? 0.5 : 0
        let startX = rois[5 * k + 1] * spatialScale - offset
        let startY = rois[5 * k + 2] * spatialScale - offset
        let endX = rois[5 * k + 3] * spatialScale - offset
        let endY = rois[5 * k + 4] * spatialScale - offset
        var width = endX - startX, height = endY - startY
        if !aligned {
            // The legacy, non-aligned op forces a RoI at least one cell wide.
            width = max(width, 1)
            height = max(height, 1)
        }
        return (startX, startY, width, height)
    }

    /// The sample grid (gh, gw) of a RoI whose size in cells is given; never negative.
    @inline(__always)
    func sampleGrid(width: Float, height: Float) -> (rows: Int, columns: Int) {
        if samplingRatio > 0 { return (samplingRatio, samplingRatio) }
        let rows = (height / Float(pooledHeight)).rounded(.up)
        let columns = (width / Float(pooledWidth)).rounded(.up)
        // A negative RoI (x2 < x1, aligned) gives an empty grid and a zero output, as in torchvision.
        return (rows > 0 ? Int(rows) : 0, columns > 0 ? Int(columns) : 0)
    }
}

/// The bilinear taps of one RoI: for each bin, the feature cells read and their weights
/// (already divided by the bin's sample count). Built once per RoI, reused for every channel
/// and by both the forward and the backward pass.
struct RoIAlignTaps {
    /// Cell index y·W + x within one feature plane, per tap.
    let cell: UnsafeMutableBufferPointer<Int32>
    /// Bilinear weight / sample count, per tap.
    let weight: UnsafeMutableBufferPointer<Float>
    /// One past the last tap of each bin, [PH·PW].
    let binEnd: UnsafeMutableBufferPointer<Int32>

    /// The largest tap count any RoI of the call needs.
    static func capacity(_ rois: UnsafeBufferPointer<Float>, _ g: RoIAlignGeometry) -> Int {
        var most = 0
        for k in 0..<g.roiCount {
            let window = g.cellWindow(rois, k)
            let grid = g.sampleGrid(width: window.width, height: window.height)
            most = max(most, 4 * grid.rows * grid.columns)
        }
        return most * g.pooledHeight * g.pooledWidth
    }

    /// Allocates room for `capacity` taps and PH·PW bins, runs `body`, frees them.
    static func with<R>(capacity: Int, bins: Int, _ body: (RoIAlignTaps) -> R) -> R {
        let cell = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, capacity))
        let weight = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, capacity))
        let binEnd = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, bins))
        defer { cell.deallocate(); weight.deallocate(); binEnd.deallocate() }
        return body(RoIAlignTaps(cell: cell, weight: weight, binEnd: binEnd))
    }

    /// Fills the taps of RoI `k`, following torchvision's `pre_calc_for_bilinear_interpolate`:
    /// sample points outside [−1, H] × [−1, W] contribute nothing; others are clamped to the map.
    func build(roi k: Int, _ rois: UnsafeBufferPointer<Float>, _ g: RoIAlignGeometry) {
        let window = g.cellWindow(rois, k)
        let binHeight = window.height / Float(g.pooledHeight)
        let binWidth = window.width / Float(g.pooledWidth)
        let grid = g.sampleGrid(width: window.width, height: window.height)
        let inverseCount = 1 / Float(max(grid.rows * grid.columns, 1))
        let height = g.height, width = g.width
        var t = 0
        for ph in 0..<g.pooledHeight {
            for pw in 0..<g.pooledWidth {
                for iy in 0..<grid.rows {
                    let y = window.startY + Float(ph) * binHeight
                        + (Float(iy) + 0.5) * binHeight / Float(grid.rows)
                    for ix in 0..<grid.columns {
                        let x = window.startX + Float(pw) * binWidth
                            + (Float(ix) + 0.5) * binWidth / Float(grid.columns)
                        if y < -1 || y > Float(height) || x < -1 || x > Float(width) { continue }
                        var sy = max(y, 0), yLow = Int(sy), yHigh = yLow + 1
                        if yLow >= height - 1 { yLow = height - 1; yHigh = yLow; sy = Float(yLow) }
                        var sx = max(x, 0), xLow = Int(sx), xHigh = xLow + 1
                        if xLow >= width - 1 { xLow = width - 1; xHigh = xLow; sx = Float(xLow) }
                        let ly = sy - Float(yLow), lx = sx - Float(xLow)
                        let hy = 1 - ly, hx = 1 - lx
                        cell[t] = Int32(truncatingIfNeeded: yLow * width + xLow); weight[t] = hy * hx * inverseCount
                        cell[t + 1] = Int32(truncatingIfNeeded: yLow * width + xHigh); weight[t + 1] = hy * lx * inverseCount
                        cell[t + 2] = Int32(truncatingIfNeeded: yHigh * width + xLow); weight[t + 2] = ly * hx * inverseCount
                        cell[t + 3] = Int32(truncatingIfNeeded: yHigh * width + xHigh); weight[t + 3] = ly * lx * inverseCount
                        t += 4
                    }
                }
                binEnd[ph * g.pooledWidth + pw] = Int32(truncatingIfNeeded: t)
            }
        }
    }
}
