import Foundation
import Kernels

// Legend: N boxes, C box groups per row (K + 1 classes for per-class deltas, else 1);
// boxes [N, 4] as (x1, y1, x2, y2) in input-image pixels; deltas [N, 4·C] as (dx, dy, dw, dh).
// Widths are x2 − x1 (no +1), centres x1 + 0.5·w, as torchvision's BoxCoder.

/// The weights (wx, wy, ww, wh) that scale box deltas, so that the regression targets have
/// roughly unit variance.
///
/// Reference: Girshick, "Fast R-CNN", arXiv:1504.08083 (target normalisation); torchvision's
/// `BoxCoder(weights=…)`.
public struct BoxCodingWeights: Sendable, Equatable {
    /// Scale of the centre-x delta, dx = wx · (gx − px) / pw.
    public var x: Float
    /// Scale of the centre-y delta, dy = wy · (gy − py) / ph.
    public var y: Float
    /// Scale of the log-width delta, dw = ww · log(gw / pw).
    public var width: Float
    /// Scale of the log-height delta, dh = wh · log(gh / ph).
    public var height: Float

    /// Creates weights (wx, wy, ww, wh).
    public init(x: Float, y: Float, width: Float, height: Float) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// (1, 1, 1, 1): the RPN's weights.
    public static let unit = BoxCodingWeights(x: 1, y: 1, width: 1, height: 1)
    /// (10, 10, 5, 5): the RoI head's weights in Faster R-CNN.
    public static let roiHead = BoxCodingWeights(x: 10, y: 10, width: 5, height: 5)
}

extension Kernels {
    /// The largest log-scale a decoded dw or dh may take: log(1000 / 16), torchvision's
    /// `bbox_xform_clip`, so that `exp` cannot overflow on a wild prediction.
    public static let boxDecodingScaleClip = Float(log(1000.0 / 16.0))

    /// Encodes target boxes as deltas relative to reference boxes (anchors or proposals).
    ///
    /// dx = wx·(gx − px)/pw, dy = wy·(gy − py)/ph, dw = ww·log(gw/pw), dh = wh·log(gh/ph), with
    /// centres and sizes from (x1, y1, x2, y2), evaluated in torchvision's operation order.
    /// - Parameters:
    ///   - deltas: [N, 4] output (dx, dy, dw, dh).
    ///   - boxes: [N, 4] target (matched ground-truth) boxes, pixels.
    ///   - references: [N, 4] anchors or proposals, pixels.
    ///   - count: N.
    ///   - weights: (wx, wy, ww, wh).
    /// - Precondition: buffers hold ≥ 4·N elements; every box has positive width and height
    ///   (a log of 0 would give −∞; drop degenerate boxes before encoding).
    ///
    /// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497, eq. 2; torchvision `encode_boxes`.
    public static func encodeBoxes(
        _ deltas: UnsafeMutableBufferPointer<Float>,
        _ boxes: UnsafeBufferPointer<Float>,
        relativeTo references: UnsafeBufferPointer<Float>,
        count: Int,
        weights: BoxCodingWeights
    ) {
        precondition(count >= 0, "encodeBoxes: negative box count \(count)")
        precondition(boxes.count >= 4 * count, "encodeBoxes: boxes hold \(boxes.count) < 4·\(count) elements")
        precondition(references.count >= 4 * count,
                     "encodeBoxes: references hold \(references.count) < 4·\(count) elements")
        precondition(deltas.count >= 4 * count, "encodeBoxes: deltas hold \(deltas.count) < 4·\(count) elements")
        for i in 0..<count {
            let b = 4 * i
            let pw = references[b + 2] - references[b], ph = references[b + 3] - references[b + 1]
            let gw = boxes[b + 2] - boxes[b], gh = boxes[b + 3] - boxes[b + 1]
            precondition(pw > 0 && ph > 0, "encodeBoxes: reference box \(i) has size \(pw)×\(ph)")
            precondition(gw > 0 && gh > 0, "encodeBoxes: target box \(i) has size \(gw)×\(gh)")
            let px = references[b] + 0.5 * pw, py = references[b + 1] + 0.5 * ph
            let gx = boxes[b] + 0.5 * gw, gy = boxes[b + 1] + 0.5 * gh
            deltas[b] = weights.x * (gx - px) / pw
            deltas[b + 1] = weights.y * (gy - py) / ph
            deltas[b + 2] = weights.width * logf(gw / pw)
            deltas[b + 3] = weights.height * logf(gh / ph)
        }
    }

    /// Decodes deltas into boxes relative to reference boxes, for one or several classes per row.
    ///
    /// Per group k of row i: cx = dx/wx·pw + px, w = exp(min(dw/ww, clip))·pw, and the box is
    /// (cx − w/2, cy − h/2, cx + w/2, cy + h/2); `clip` is `boxDecodingScaleClip`. With C = K + 1
    /// this is the RoI head's per-class decode of [N, 4·(K+1)] deltas. `boxes` may be the same
    /// memory as `deltas`. Boxes are not clipped to the image (use `clipBoxes`).
    /// - Parameters:
    ///   - boxes: [N, 4·C] output boxes (x1, y1, x2, y2), pixels.
    ///   - deltas: [N, 4·C] deltas (dx, dy, dw, dh) per group.
    ///   - references: [N, 4] anchors or proposals, pixels.
    ///   - count: N.
    ///   - groupCount: C, the number of 4-delta groups per row (1 for class-agnostic deltas).
    ///   - weights: (wx, wy, ww, wh).
    /// - Precondition: `boxes` and `deltas` hold ≥ 4·N·C elements, `references` ≥ 4·N; C ≥ 1.
    ///
    /// Reference: torchvision `BoxCoder.decode_single`.
    public static func decodeBoxes(
        _ boxes: UnsafeMutableBufferPointer<Float>,
        _ deltas: UnsafeBufferPointer<Float>,
        relativeTo references: UnsafeBufferPointer<Float>,
        count: Int,
        groupCount: Int = 1,
        weights: BoxCodingWeights
    ) {
        let n = count, c = groupCount
        precondition(n >= 0, "decodeBoxes: negative box count \(n)")
        precondition(c >= 1, "decodeBoxes: group count \(c) must be at least 1")
        precondition(references.count >= 4 * n,
                     "decodeBoxes: references hold \(references.count) < 4·\(n) elements")
        precondition(deltas.count >= 4 * n * c, "decodeBoxes: deltas hold \(deltas.count) < 4·\(n)·\(c) elements")
        precondition(boxes.count >= 4 * n * c, "decodeBoxes: boxes hold \(boxes.count) < 4·\(n)·\(c) elements")
        let clip = boxDecodingScaleClip
        for i in 0..<n {
            let r = 4 * i
            let pw = references[r + 2] - references[r], ph = references[r + 3] - references[r + 1]
            let px = references[r] + 0.5 * pw, py = references[r + 1] + 0.5 * ph
            for k in 0..<c {
                let d = 4 * (i * c + k)
                let dx = deltas[d] / weights.x, dy = deltas[d + 1] / weights.y
                let dw = min(deltas[d + 2] / weights.width, clip)
                let dh = min(deltas[d + 3] / weights.height, clip)
                let cx = dx * pw + px, cy = dy * ph + py
                let halfW = 0.5 * (expf(dw) * pw), halfH = 0.5 * (expf(dh) * ph)
                boxes[d] = cx - halfW
                boxes[d + 1] = cy - halfH
                boxes[d + 2] = cx + halfW
                boxes[d + 3] = cy + halfH
            }
        }
    }
}
