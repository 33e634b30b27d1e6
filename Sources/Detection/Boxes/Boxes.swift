// Legend: N, M boxes; boxes [N, 4] as (x1, y1, x2, y2) in input-image pixels; H×W image, pixels.
//
// Tensor-level wrappers over the box kernels: each checks shapes, allocates the result and
// calls one kernel. Non-differentiable by design (matching, NMS and proposal filtering take
// and return `Tensor`, never `Variable`).
import DetectionKernels
import Kernels
import TensorCore

/// Operations on sets of boxes held as [N, 4] tensors of (x1, y1, x2, y2) pixel corners.
public enum Boxes {
    /// Checks that `boxes` is [N, 4] and returns N.
    @inline(__always)
    static func count(_ boxes: Tensor, _ name: String) -> Int {
        precondition(boxes.rank == 2 && boxes.shape[1] == 4, "\(name): boxes \(boxes.shape) must be [N, 4]")
        return boxes.shape[0]
    }

    /// Computes the IoU of every pair of boxes from two sets.
    ///
    /// Empty or malformed pairs give 0, never NaN (see `Kernels.pairwiseIoU`).
    /// - Parameters:
    ///   - boxes1: [N, 4] boxes, pixels.
    ///   - boxes2: [M, 4] boxes, pixels.
    /// - Returns: [N, M] IoU in [0, 1].
    /// - Precondition: both are [·, 4].
    ///
    /// Reference: torchvision.ops.box_iou.
    public static func pairwiseIoU(_ boxes1: Tensor, _ boxes2: Tensor) -> Tensor {
        let n = count(boxes1, "pairwiseIoU"), m = count(boxes2, "pairwiseIoU")
        var iou = [Float](repeating: 0, count: n * m)
        boxes1.scalars.withUnsafeBufferPointer { a in
            boxes2.scalars.withUnsafeBufferPointer { b in
                iou.withUnsafeMutableBufferPointer { Kernels.pairwiseIoU($0, a, count1: n, b, count2: m) }
            }
        }
        return Tensor(shape: [n, m], scalars: iou)
    }

    /// Computes the area of each box, (x2 − x1)·(y2 − y1), square pixels (no +1).
    /// - Parameter boxes: [N, 4] boxes, pixels.
    /// - Returns: [N] areas; a box with x2 < x1 or y2 < y1 gets a non-positive area.
    public static func areas(_ boxes: Tensor) -> [Float] {
        let n = count(boxes, "areas")
        var result = [Float](repeating: 0, count: n)
        boxes.scalars.withUnsafeBufferPointer { b in
            result.withUnsafeMutableBufferPointer { Kernels.boxAreas($0, b, count: n) }
        }
        return result
    }

    /// Clamps every box to the image: x into [0, W], y into [0, H].
    ///
    /// A box entirely outside collapses to a zero-width or zero-height box on the border; drop
    /// it with `indicesWithMinimumSide`. Reference: torchvision `clip_boxes_to_image`.
    /// - Parameters:
    ///   - boxes: [N, 4] boxes, pixels.
    ///   - imageHeight: H, pixels.
    ///   - imageWidth: W, pixels.
    /// - Returns: [N, 4] clipped boxes.
    /// - Precondition: boxes are [N, 4]; H, W ≥ 0.
    public static func clipped(_ boxes: Tensor, imageHeight: Int, imageWidth: Int) -> Tensor {
        let n = count(boxes, "clipped")
        var result = boxes
        result.scalars.withUnsafeMutableBufferPointer {
            Kernels.clipBoxes($0, count: n, imageHeight: Float(imageHeight), imageWidth: Float(imageWidth))
        }
        return result
    }

    /// Returns the indices (increasing) of the boxes whose width and height are both at least
    /// `minimumSide` pixels; boxes with a NaN side are dropped.
    ///
    /// Reference: torchvision `remove_small_boxes`.
    /// - Parameters:
    ///   - boxes: [N, 4] boxes, pixels.
    ///   - minimumSide: pixels (1e-3 for proposals, 1e-2 for detections).
    public static func indicesWithMinimumSide(_ boxes: Tensor, _ minimumSide: Float) -> [Int] {
        let n = count(boxes, "indicesWithMinimumSide")
        var kept = [Int](repeating: 0, count: n)
        let keptCount = boxes.scalars.withUnsafeBufferPointer { b in
            kept.withUnsafeMutableBufferPointer { Kernels.removeSmallBoxes($0, b, count: n, minimumSize: minimumSide) }
        }
        return Array(kept.prefix(keptCount))
    }

    /// Whether every box has x1 < x2 and y1 < y2 (positive width and height).
    /// - Parameter boxes: [N, 4] boxes, pixels.
    public static func haveValidCorners(_ boxes: Tensor) -> Bool {
        let n = count(boxes, "haveValidCorners")
        let s = boxes.scalars
        for i in 0..<n where !(s[4 * i] < s[4 * i + 2] && s[4 * i + 1] < s[4 * i + 3]) { return false }
        return true
    }

    /// Translates every box by (dx, dy) pixels.
    /// - Parameters:
    ///   - boxes: [N, 4] boxes, pixels.
    ///   - dx: added to x1 and x2, pixels.
    ///   - dy: added to y1 and y2, pixels.
    /// - Returns: [N, 4] shifted boxes.
    public static func shifted(_ boxes: Tensor, dx: Float, dy: Float) -> Tensor {
        _ = count(boxes, "shifted")
        var result = boxes
        result.scalars.withUnsafeMutableBufferPointer { b in
            for i in stride(from: 0, to: b.count, by: 4) {
                b[i] += dx; b[i + 1] += dy; b[i + 2] += dx; b[i + 3] += dy
            }
        }
        return result
    }

    /// The rows `indices` of an [N, 4] box tensor, in that order.
    /// - Precondition: every index is in 0..<N.
    public static func gathered(_ boxes: Tensor, _ indices: [Int]) -> Tensor {
        let n = count(boxes, "gathered")
        let s = boxes.scalars
        var out = [Float](repeating: 0, count: 4 * indices.count)
        for (j, i) in indices.enumerated() {
            precondition(i >= 0 && i < n, "gathered: index \(i) outside 0..<\(n)")
            out[4 * j] = s[4 * i]; out[4 * j + 1] = s[4 * i + 1]
            out[4 * j + 2] = s[4 * i + 2]; out[4 * j + 3] = s[4 * i + 3]
        }
        return Tensor(shape: [indices.count, 4], scalars: out)
    }
}
