// Legend: N boxes [N, 4] as (x1, y1, x2, y2) in input-image pixels; [N] scores; [N] classes.
import DetectionKernels
import Kernels
import TensorCore

extension Boxes {
    /// Performs greedy non-maximum suppression and returns the kept indices by decreasing score.
    ///
    /// A box is suppressed when its IoU with a higher-scoring kept box exceeds `iouThreshold`
    /// (strictly); equal scores keep the lower index first. Empty input keeps nothing.
    /// - Parameters:
    ///   - boxes: [N, 4] boxes, pixels.
    ///   - scores: [N] scores.
    ///   - iouThreshold: in [0, 1] (0.7 for RPN proposals, 0.5 for detections).
    ///   - maximumKept: stop after this many (the same prefix as a full run).
    /// - Returns: kept indices into `boxes`, highest score first.
    /// - Precondition: `scores.count == N`.
    ///
    /// Reference: torchvision.ops.nms.
    public static func nms(_ boxes: Tensor, scores: [Float], iouThreshold: Float, maximumKept: Int = .max) -> [Int] {
        let n = count(boxes, "nms")
        precondition(scores.count == n, "nms: \(scores.count) scores for \(n) boxes")
        var kept = [Int](repeating: 0, count: n)
        let keptCount = boxes.scalars.withUnsafeBufferPointer { b in
            scores.withUnsafeBufferPointer { s in
                kept.withUnsafeMutableBufferPointer {
                    Kernels.nms($0, b, scores: s, count: n, iouThreshold: iouThreshold, maximumKept: maximumKept)
                }
            }
        }
        return Array(kept.prefix(keptCount))
    }

    /// Performs NMS within each class (boxes of different classes never suppress each other) and
    /// returns the kept indices by decreasing score.
    /// - Parameters:
    ///   - boxes: [N, 4] boxes, pixels.
    ///   - scores: [N] scores.
    ///   - classes: [N] class labels.
    ///   - iouThreshold: in [0, 1].
    /// - Returns: kept indices into `boxes`, highest score first.
    /// - Precondition: `scores` and `classes` hold N elements.
    ///
    /// Reference: torchvision.ops.batched_nms.
    public static func batchedNMS(_ boxes: Tensor, scores: [Float], classes: [Int], iouThreshold: Float) -> [Int] {
        let n = count(boxes, "batchedNMS")
        precondition(scores.count == n && classes.count == n,
                     "batchedNMS: \(scores.count) scores and \(classes.count) classes for \(n) boxes")
        var kept = [Int](repeating: 0, count: n)
        let keptCount = boxes.scalars.withUnsafeBufferPointer { b in
            scores.withUnsafeBufferPointer { s in
                classes.withUnsafeBufferPointer { c in
                    kept.withUnsafeMutableBufferPointer {
                        Kernels.batchedNMS($0, b, scores: s, classes: c, count: n, iouThreshold: iouThreshold)
                    }
                }
            }
        }
        return Array(kept.prefix(keptCount))
    }
}
