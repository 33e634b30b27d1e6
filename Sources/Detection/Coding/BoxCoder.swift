// Legend: N boxes; C groups of 4 deltas per row (C = K + 1 for the RoI head's per-class deltas);
// boxes [N, 4] as (x1, y1, x2, y2) in input-image pixels; deltas (dx, dy, dw, dh).
import DetectionKernels
import Kernels
import TensorCore

/// A box coder: encodes boxes as deltas relative to reference boxes (anchors or proposals)
/// and decodes them back.
///
/// dx = wx·(gx − px)/pw, dy = wy·(gy − py)/ph, dw = ww·log(gw/pw), dh = wh·log(gh/ph); decoding
/// clamps dw/ww and dh/wh at log(1000/16) so no box explodes. The RPN uses weights (1, 1, 1, 1),
/// the RoI head (10, 10, 5, 5).
///
/// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497, eq. 2; torchvision `BoxCoder`.
public struct BoxCoder: Sendable, Equatable {
    /// The (wx, wy, ww, wh) weights.
    public var weights: BoxCodingWeights

    /// Creates a coder with the given weights.
    public init(weights: BoxCodingWeights) { self.weights = weights }

    /// The RPN's coder, weights (1, 1, 1, 1).
    public static let rpn = BoxCoder(weights: .unit)
    /// RetinaNet's coder, weights (1, 1, 1, 1), as torchvision's `RetinaNet` (the RPN's).
    public static let retinaNet = BoxCoder(weights: .unit)
    /// The RoI head's coder, weights (10, 10, 5, 5).
    public static let roiHead = BoxCoder(weights: .roiHead)

    /// Encodes target boxes as deltas relative to reference boxes.
    /// - Parameters:
    ///   - boxes: [N, 4] target (matched ground-truth) boxes, pixels.
    ///   - references: [N, 4] anchors or proposals, pixels.
    /// - Returns: [N, 4] deltas.
    /// - Precondition: both [N, 4]; every box has positive width and height.
    public func encode(_ boxes: Tensor, relativeTo references: Tensor) -> Tensor {
        let n = Boxes.count(boxes, "encode")
        precondition(references.shape == boxes.shape, "encode: boxes \(boxes.shape) and references \(references.shape) differ")
        var deltas = [Float](repeating: 0, count: 4 * n)
        boxes.scalars.withUnsafeBufferPointer { b in
            references.scalars.withUnsafeBufferPointer { r in
                deltas.withUnsafeMutableBufferPointer {
                    Kernels.encodeBoxes($0, b, relativeTo: r, count: n, weights: weights)
                }
            }
        }
        return Tensor(shape: [n, 4], scalars: deltas)
    }

    /// Decodes deltas into boxes, one box per group of 4 deltas (per-class decoding when C > 1).
    /// - Parameters:
    ///   - deltas: [N, 4·C] deltas.
    ///   - references: [N, 4] anchors or proposals, pixels.
    /// - Returns: [N, 4·C] boxes (x1, y1, x2, y2), pixels, not clipped to the image.
    /// - Precondition: shapes as above, C ≥ 1.
    public func decode(_ deltas: Tensor, relativeTo references: Tensor) -> Tensor {
        let n = Boxes.count(references, "decode")
        precondition(deltas.rank == 2 && deltas.shape[0] == n && deltas.shape[1] % 4 == 0 && deltas.shape[1] >= 4,
                     "decode: deltas \(deltas.shape) must be [\(n), 4·C]")
        let groups = deltas.shape[1] / 4
        var boxes = [Float](repeating: 0, count: deltas.count)
        deltas.scalars.withUnsafeBufferPointer { d in
            references.scalars.withUnsafeBufferPointer { r in
                boxes.withUnsafeMutableBufferPointer {
                    Kernels.decodeBoxes($0, d, relativeTo: r, count: n, groupCount: groups, weights: weights)
                }
            }
        }
        return Tensor(shape: deltas.shape, scalars: boxes)
    }
}
