// How well a set of anchors can match a dataset's boxes: for each ground-truth box, the best IoU
// any anchor of the image's grid reaches. The fraction at or above a threshold is the
// best-possible recall (BPR): a box no anchor reaches at the RPN's foreground IoU (0.7) can be
// a positive only through the matcher's low-quality rule.
// Legend: M ground-truth boxes, A anchors per location, stride s pixels, h×w grid (h = ⌈H/s⌉).
import Datasets
import Foundation

/// The best anchor IoU of every ground-truth box of a set of samples, for one anchor configuration.
///
/// Anchors are the generator's: A shapes centred at (x·s, y·s) for every cell of the
/// ⌈H/s⌉×⌈W/s⌉ grid of each image (torchvision's placement). Per box, the anchor centre that
/// maximises the overlap lies on the grid point nearest the box centre (less the anchor's own
/// rounding offset) in each axis, so the two nearest grid points per axis are tried: exact, in
/// O(4·A) per box rather than O(h·w·A).
/// Reference: YOLOv5 `check_anchors` (its "best possible recall", here at an IoU threshold
/// on the real grid rather than YOLOv5's width/height-ratio criterion); Ren et al.,
/// arXiv:1506.01497 (anchors, the 0.7 foreground threshold).
public struct AnchorCoverage: Sendable, Hashable {
    /// [M] the best IoU of each box with any anchor, in sample order then box order.
    public var bestIoUs: [Float]
    /// [M] the number of anchors of the grid that overlap each box at IoU ≥ `foregroundIoU`: the
    /// RPN's positives for the box before sampling (besides its low-quality match).
    public var foregroundCounts: [Int]
    /// The RPN matcher's foreground threshold, 0.7 (Ren et al., §3.1.2).
    public static let foregroundIoU: Float = 0.7

    /// Computes every box's best anchor IoU and its count of anchors at IoU ≥ `foregroundIoU`.
    /// - Parameters:
    ///   - samples: images (their sizes place the grid) and boxes.
    ///   - anchors: the anchor generator (sizes, ratios, stride).
    /// - Returns: the coverage; a box of zero area has best IoU 0.
    public init(samples: [DetectionSample], anchors: AnchorGenerator) {
        // The A anchor shapes at location (0, 0), as the generator rounds them.
        let base = anchors.anchors(featureHeight: 1, featureWidth: 1).scalars
        let a = anchors.anchorsPerLocation, stride = Float(anchors.stride)
        var best: [Float] = [], counts: [Int] = []
        for sample in samples {
            let cellsX = max(1, (sample.image.width + anchors.stride - 1) / anchors.stride)
            let cellsY = max(1, (sample.image.height + anchors.stride - 1) / anchors.stride)
            for box in sample.target.boxes {
                var top: Float = 0
                let boxArea = box.area
                for k in 0..<a where boxArea > 0 {
                    let ax1 = base[4 * k], ay1 = base[4 * k + 1], ax2 = base[4 * k + 2], ay2 = base[4 * k + 3]
                    let anchorArea = (ax2 - ax1) * (ay2 - ay1)
                    let offsetX = (ax1 + ax2) / 2, offsetY = (ay1 + ay2) / 2
                    for gx in Self.nearestCells((box.x1 + box.x2) / 2 - offsetX, stride: stride, count: cellsX) {
                        for gy in Self.nearestCells((box.y1 + box.y2) / 2 - offsetY, stride: stride, count: cellsY) {
                            let dx = Float(gx) * stride, dy = Float(gy) * stride
                            let iw = min(box.x2, ax2 + dx) - max(box.x1, ax1 + dx)
                            let ih = min(box.y2, ay2 + dy) - max(box.y1, ay1 + dy)
                            guard iw > 0, ih > 0 else { continue }
                            let intersection = iw * ih
                            top = max(top, intersection / (boxArea + anchorArea - intersection))
                        }
                    }
                }
                best.append(top)
                counts.append(Self.foregroundCount(box, base: base, stride: stride, cellsX: cellsX, cellsY: cellsY))
            }
        }
        bestIoUs = best
        foregroundCounts = counts
    }

    /// The anchors of the grid at IoU ≥ `foregroundIoU` with `box`: for each shape, the grid
    /// points whose anchor overlaps the box at all (centre offsets under the half-sums of the
    /// sides) are tried.
    /// - Parameters:
    ///   - box: a ground-truth box, pixels.
    ///   - base: [4A] the A anchor shapes at grid point (0, 0) as x1, y1, x2, y2, pixels.
    ///   - stride: s, pixels between grid points.
    ///   - cellsX: grid points across the whole image (⌈W/s⌉), not a tile.
    ///   - cellsY: grid points down the whole image (⌈H/s⌉).
    /// - Returns: the count; 0 for a box of zero area.
    static func foregroundCount(_ box: BoundingBox, base: [Float], stride: Float, cellsX: Int, cellsY: Int) -> Int {
        let boxArea = box.area
        guard boxArea > 0 else { return 0 }
        var count = 0
        for k in 0..<(base.count / 4) {
            let ax1 = base[4 * k], ay1 = base[4 * k + 1], ax2 = base[4 * k + 2], ay2 = base[4 * k + 3]
            let anchorArea = (ax2 - ax1) * (ay2 - ay1)
            // Grid points gx with ax1 + gx·s < box.x2 and ax2 + gx·s > box.x1 (the same in y).
            let x0 = max(0, Int(((box.x1 - ax2) / stride).rounded(.down))), x1 = min(cellsX - 1, Int(((box.x2 - ax1) / stride).rounded(.up)))
            let y0 = max(0, Int(((box.y1 - ay2) / stride).rounded(.down))), y1 = min(cellsY - 1, Int(((box.y2 - ay1) / stride).rounded(.up)))
            guard x0 <= x1, y0 <= y1 else { continue }
            for gy in y0...y1 {
                let dy = Float(gy) * stride
                let ih = min(box.y2, ay2 + dy) - max(box.y1, ay1 + dy)
                guard ih > 0 else { continue }
                for gx in x0...x1 {
                    let dx = Float(gx) * stride
                    let iw = min(box.x2, ax2 + dx) - max(box.x1, ax1 + dx)
                    guard iw > 0 else { continue }
                    let intersection = iw * ih
                    if intersection / (boxArea + anchorArea - intersection) >= foregroundIoU { count += 1 }
                }
            }
        }
        return count
    }

    /// The mean of `foregroundCounts` (0 when there is no box): how many anchors the RPN learns
    /// to score as one object.
    public var foregroundAnchorsPerBox: Double {
        foregroundCounts.isEmpty ? 0 : Double(foregroundCounts.reduce(0, +)) / Double(foregroundCounts.count)
    }

    /// The grid indices (at most two) nearest `position / stride`, clamped to 0 ..< count.
    static func nearestCells(_ position: Float, stride: Float, count: Int) -> [Int] {
        let cell = position / stride
        let low = min(max(Int(cell.rounded(.down)), 0), count - 1), high = min(max(Int(cell.rounded(.up)), 0), count - 1)
        return low == high ? [low] : [low, high]
    }

    /// The best-possible recall at `threshold`: the fraction of boxes whose best anchor IoU is
    /// at least `threshold`, in [0, 1]; 1 when there is no box.
    public func recall(atIoU threshold: Float) -> Double {
        guard !bestIoUs.isEmpty else { return 1 }
        return Double(bestIoUs.filter { $0 >= threshold }.count) / Double(bestIoUs.count)
    }
}
