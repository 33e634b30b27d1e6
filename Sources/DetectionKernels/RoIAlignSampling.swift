// Legend: input [N, C, H, W] feature map (cells); K RoIs [K, 5] as (batch index, x1, y1, x2, y2)
// in input-image pixels; output [K, C, PH, PW]; per bin a gh×gw grid of sample points; a tap
// is one of the 4 feature cells a sample point interpolates from, with its bilinear weight.
import Kernels

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
///
/// Why separable: a sample's four bilinear weights are products of a row weight (from y) and a
/// column weight (from x), and torchvision drops a sample exactly when its y or its x is out of
/// range. So a bin's sum over samples and taps equals a sum over (row, column) pairs of
/// rowWeight · columnWeight, where a row's weight adds up the contributions of every sample row
/// that touches it (likewise columns). Building the per-bin row and column lists once and
/// taking their product merges the taps that neighbouring samples share (9 instead of 16 for a
/// typical 2×2 grid), so the channel loops do less work; results differ from torchvision only
/// by Float32 rounding.
struct RoIAlignTaps {
    /// Cell index y·W + x within one feature plane, per tap.
    let cell: UnsafeMutableBufferPointer<Int32>
    /// Bilinear weight / sample count, per tap.
    let weight: UnsafeMutableBufferPointer<Float>
    /// One past the last tap of each bin, [PH·PW].
    let binEnd: UnsafeMutableBufferPointer<Int32>
    /// Scratch for one bin row's (row, weight) list and one bin column's (column, weight) lists.
    let rows: UnsafeMutableBufferPointer<(Int, Float)>
    let columns: UnsafeMutableBufferPointer<(Int, Float)>
    /// Entries used in `columns` per output column pw, each list starting at pw · columnStride.
    let columnCounts: UnsafeMutableBufferPointer<Int>
    let columnStride: Int

    /// The largest sample grid (rows, columns) any RoI of the call uses.
    static func largestGrid(_ rois: UnsafeBufferPointer<Float>, _ g: RoIAlignGeometry) -> (rows: Int, columns: Int) {
        var rows = 0, columns = 0
        for k in 0..<g.roiCount {
            let window = g.cellWindow(rois, k)
            let grid = g.sampleGrid(width: window.width, height: window.height)
            rows = max(rows, grid.rows)
            columns = max(columns, grid.columns)
        }
        return (rows, columns)
    }

    /// Allocates room for the taps of any RoI of the call, runs `body`, frees the memory.
    static func with<R>(_ rois: UnsafeBufferPointer<Float>, _ g: RoIAlignGeometry, _ body: (RoIAlignTaps) -> R) -> R {
        let grid = largestGrid(rois, g)
        let bins = g.pooledHeight * g.pooledWidth
        let capacity = max(1, bins * 4 * grid.rows * grid.columns)
        let columnStride = max(1, 2 * grid.columns)
        let cell = UnsafeMutableBufferPointer<Int32>.allocate(capacity: capacity)
        let weight = UnsafeMutableBufferPointer<Float>.allocate(capacity: capacity)
        let binEnd = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, bins))
        let rows = UnsafeMutableBufferPointer<(Int, Float)>.allocate(capacity: max(1, 2 * grid.rows))
        let columns = UnsafeMutableBufferPointer<(Int, Float)>.allocate(capacity: g.pooledWidth * columnStride)
        let columnCounts = UnsafeMutableBufferPointer<Int>.allocate(capacity: g.pooledWidth)
        defer {
            cell.deallocate(); weight.deallocate(); binEnd.deallocate()
            rows.deallocate(); columns.deallocate(); columnCounts.deallocate()
        }
        return body(RoIAlignTaps(cell: cell, weight: weight, binEnd: binEnd, rows: rows, columns: columns,
                                 columnCounts: columnCounts, columnStride: columnStride))
    }

    /// Adds `weight` to `index`'s entry of a (index, weight) list, appending it if new.
    @inline(__always)
    static func accumulate(_ list: UnsafeMutableBufferPointer<(Int, Float)>, base: Int, count: inout Int,
                           index: Int, weight: Float) {
        for e in base..<(base + count) where list[e].0 == index {
            list[e].1 += weight
            return
        }
        list[base + count] = (index, weight)
        count += 1
    }

    /// Writes the merged (cell, weight) list of one sample axis: the interpolation cells of the
    /// samples `start + (i + 0.5)·step`, i in 0..<samples, with torchvision's boundary rules
    /// (beyond [−1, size]: dropped; below 0: 0; at or past the last cell: clamped to it).
    @inline(__always)
    static func axisTaps(_ list: UnsafeMutableBufferPointer<(Int, Float)>, base: Int,
                         binStart: Float, binSize: Float, samples: Int, size: Int) -> Int {
        var count = 0
        for i in 0..<samples {
            // torchvision's expression and evaluation order, in Float32.
            let v = binStart + (Float(i) + 0.5) * binSize / Float(samples)
            if v < -1 || v > Float(size) { continue }
            var clamped = max(v, 0), low = Int(clamped), high = low + 1
            if low >= size - 1 { low = size - 1; high = low; clamped = Float(low) }
            let fraction = clamped - Float(low)
            accumulate(list, base: base, count: &count, index: low, weight: 1 - fraction)
            accumulate(list, base: base, count: &count, index: high, weight: fraction)
        }
        return count
    }

    /// Fills the taps of RoI `k`, following torchvision's `pre_calc_for_bilinear_interpolate`
    /// (sample positions, boundary rules and weights), merged per bin as explained above.
    func build(roi k: Int, _ rois: UnsafeBufferPointer<Float>, _ g: RoIAlignGeometry) {
        let window = g.cellWindow(rois, k)
        let binHeight = window.height / Float(g.pooledHeight)
        let binWidth = window.width / Float(g.pooledWidth)
        let grid = g.sampleGrid(width: window.width, height: window.height)
        let inverseCount = 1 / Float(max(grid.rows * grid.columns, 1))
        for pw in 0..<g.pooledWidth {
            columnCounts[pw] = Self.axisTaps(columns, base: pw * columnStride,
                                             binStart: window.startX + Float(pw) * binWidth, binSize: binWidth,
                                             samples: grid.columns, size: g.width)
        }
        var t = 0
        for ph in 0..<g.pooledHeight {
            let rowCount = Self.axisTaps(rows, base: 0, binStart: window.startY + Float(ph) * binHeight,
                                         binSize: binHeight, samples: grid.rows, size: g.height)
            for pw in 0..<g.pooledWidth {
                let base = pw * columnStride
                for r in 0..<rowCount {
                    let (row, rowWeight) = rows[r]
                    let scaled = rowWeight * inverseCount
                    for e in base..<(base + columnCounts[pw]) {
                        let (column, columnWeight) = columns[e]
                        cell[t] = Int32(truncatingIfNeeded: row * g.width + column)
                        weight[t] = scaled * columnWeight
                        t += 1
                    }
                }
                binEnd[ph * g.pooledWidth + pw] = Int32(truncatingIfNeeded: t)
            }
        }
    }
}
