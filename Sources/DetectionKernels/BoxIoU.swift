// Legend: N boxes, M boxes; [N, 4] as (x1, y1, x2, y2) in input-image pixels.
// IoU = intersection / union.
import Kernels

/// The five per-box columns a pairwise loop reads: corners and area, each contiguous.
///
/// Structure-of-arrays so that the inner loop over boxes loads with unit stride and vectorises.
/// The memory is owned by the caller of `withBoxColumns` and lives only for that call.
struct BoxColumns {
    let x1: UnsafeMutableBufferPointer<Float>
    let y1: UnsafeMutableBufferPointer<Float>
    let x2: UnsafeMutableBufferPointer<Float>
    let y2: UnsafeMutableBufferPointer<Float>
    let area: UnsafeMutableBufferPointer<Float>
}

extension Kernels {
    /// The larger of two values, as a select the vectoriser turns into `maxps` (`Swift.max`
    /// compiles to branches here). Same result as `std::max` for non-NaN inputs.
    @inline(__always)
    static func larger(_ a: Float, _ b: Float) -> Float { a > b ? a : b }

    /// The smaller of two values, as a select (see `larger`).
    @inline(__always)
    static func smaller(_ a: Float, _ b: Float) -> Float { a < b ? a : b }

    /// Computes the IoU of two boxes from their corners and areas, 0 when the union is not positive.
    ///
    /// The operation order is torchvision's `_box_inter_union`: `lt = max(a, b)`, `rb = min(a, b)`,
    /// `wh = clamp(rb - lt, min: 0)`, `union = areaA + areaB - inter`. Every IoU in Quarry goes
    /// through here (pairwise matrix and fused matcher alike) so that equal pairs give
    /// bit-identical values, which the matcher's tie rule relies on. Branch-free, so that loops
    /// over it vectorise: the quotient is always computed and discarded when the union is not
    /// positive.
    @inline(__always)
    static func iou(
        _ ax1: Float, _ ay1: Float, _ ax2: Float, _ ay2: Float, _ areaA: Float,
        _ bx1: Float, _ by1: Float, _ bx2: Float, _ by2: Float, _ areaB: Float
    ) -> Float {
        let w = larger(smaller(ax2, bx2) - larger(ax1, bx1), 0)
        let h = larger(smaller(ay2, by2) - larger(ay1, by1), 0)
        let intersection = w * h
        let union = areaA + areaB - intersection
        let quotient = intersection / union
        // torchvision gives 0/0 = NaN for two empty boxes; Quarry defines the IoU as 0.
        return union > 0 ? quotient : 0
    }

    /// Copies [N, 4] boxes into five contiguous columns (x1, y1, x2, y2, area) for the body's use.
    static func withBoxColumns<R>(
        _ boxes: UnsafeBufferPointer<Float>, count: Int,
        _ body: (BoxColumns) throws -> R
    ) rethrows -> R {
        let storage = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, 5 * count))
        defer { storage.deallocate() }
        func column(_ k: Int) -> UnsafeMutableBufferPointer<Float> {
            UnsafeMutableBufferPointer(rebasing: storage[(k * count)..<((k + 1) * count)])
        }
        let columns = BoxColumns(x1: column(0), y1: column(1), x2: column(2), y2: column(3), area: column(4))
        for i in 0..<count {
            let x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3]
            columns.x1[i] = x1
            columns.y1[i] = y1
            columns.x2[i] = x2
            columns.y2[i] = y2
            columns.area[i] = (x2 - x1) * (y2 - y1)
        }
        return try body(columns)
    }

    /// Computes the IoU of every pair of boxes from two sets.
    ///
    /// Pairs whose union is zero (two empty boxes) or negative (malformed boxes) get IoU 0, never
    /// NaN; disjoint pairs get 0. Otherwise equal to torchvision's `box_iou` in Float32.
    /// - Parameters:
    ///   - iou: [N, M] output, row-major; `iou[i·M + j]` is IoU(boxes1[i], boxes2[j]) in [0, 1].
    ///   - boxes1: [N, 4] boxes (x1, y1, x2, y2), pixels.
    ///   - count1: N.
    ///   - boxes2: [M, 4] boxes (x1, y1, x2, y2), pixels.
    ///   - count2: M.
    /// - Precondition: the buffers hold ≥ N·M, 4·N and 4·M elements.
    ///
    /// Reference: torchvision.ops.box_iou.
    public static func pairwiseIoU(
        _ iou: UnsafeMutableBufferPointer<Float>,
        _ boxes1: UnsafeBufferPointer<Float>, count1: Int,
        _ boxes2: UnsafeBufferPointer<Float>, count2: Int
    ) {
        let n = count1, m = count2
        checkPairwiseShapes("pairwiseIoU", output: iou.count, boxes1, n, boxes2, m)
        if n == 0 || m == 0 { return }
        withBoxColumns(boxes2, count: m) { b in
            for i in 0..<n {
                let ax1 = boxes1[4 * i], ay1 = boxes1[4 * i + 1], ax2 = boxes1[4 * i + 2], ay2 = boxes1[4 * i + 3]
                let areaA = (ax2 - ax1) * (ay2 - ay1)
                let row = i * m
                for j in 0..<m {
                    iou[row + j] = Kernels.iou(ax1, ay1, ax2, ay2, areaA,
                                               b.x1[j], b.y1[j], b.x2[j], b.y2[j], b.area[j])
                }
            }
        }
    }

    /// Traps unless N, M ≥ 0 and the buffers hold [N, 4] boxes, [M, 4] boxes and an [N, M]
    /// output; the message names the kernel and the sizes.
    @inline(__always)
    static func checkPairwiseShapes(_ kernel: StaticString, output: Int, _ boxes1: UnsafeBufferPointer<Float>, _ n: Int,
                                    _ boxes2: UnsafeBufferPointer<Float>, _ m: Int) {
        precondition(n >= 0 && m >= 0, "\(kernel): negative box count \(n) or \(m)")
        precondition(boxes1.count >= 4 * n, "\(kernel): boxes1 hold \(boxes1.count) < 4·\(n) elements")
        precondition(boxes2.count >= 4 * m, "\(kernel): boxes2 hold \(boxes2.count) < 4·\(m) elements")
        precondition(output >= n * m, "\(kernel): output holds \(output) < \(n)·\(m) elements")
    }
}
