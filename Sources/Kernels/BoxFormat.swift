// Legend: N boxes; every box is 4 consecutive Floats in input-image pixels.
//   xyxy   = (x1, y1, x2, y2): top-left and bottom-right corners (torchvision's default)
//   xywh   = (x1, y1, w, h):  top-left corner, width and height (COCO's format)
//   cxcywh = (cx, cy, w, h):  centre, width and height

/// A layout of the four numbers that describe an axis-aligned box, in input-image pixels.
///
/// Widths are `x2 - x1` with no `+1` (torchvision's convention, not the old VOC one).
/// Reference: torchvision.ops.box_convert.
public enum BoxFormat: Sendable, Equatable, CaseIterable {
    /// Corners: (x1, y1, x2, y2).
    case xyxy
    /// Top-left corner and size: (x1, y1, w, h).
    case xywh
    /// Centre and size: (cx, cy, w, h).
    case cxcywh
}

extension Kernels {
    /// Converts boxes from one format to another.
    ///
    /// Every conversion goes through corners, exactly as torchvision's `box_convert`:
    /// `cx = (x1 + x2) / 2`, `w = x2 - x1`, `x1 = cx - 0.5·w`, `x2 = x1 + w` (from xywh).
    /// `output` may be the same memory as `boxes` (each box is read before it is written).
    /// - Parameters:
    ///   - output: [N, 4] boxes in `target` format.
    ///   - boxes: [N, 4] boxes in `source` format, pixels.
    ///   - count: N, the number of boxes (0 is allowed: nothing is written).
    /// - Precondition: both buffers hold at least `4 · count` elements.
    public static func convertBoxes(
        _ output: UnsafeMutableBufferPointer<Float>,
        _ boxes: UnsafeBufferPointer<Float>,
        count: Int,
        from source: BoxFormat,
        to target: BoxFormat
    ) {
        precondition(count >= 0, "convertBoxes: negative box count \(count)")
        precondition(boxes.count >= 4 * count, "convertBoxes: boxes hold \(boxes.count) < 4·\(count) elements")
        precondition(output.count >= 4 * count, "convertBoxes: output holds \(output.count) < 4·\(count) elements")
        if source == target {
            // A round trip through corners could change the last bit; copy instead.
            if UnsafePointer(output.baseAddress) != boxes.baseAddress {
                for k in 0..<(4 * count) { output[k] = boxes[k] }
            }
            return
        }
        for i in 0..<count {
            let b = 4 * i
            var x1 = boxes[b], y1 = boxes[b + 1], x2 = boxes[b + 2], y2 = boxes[b + 3]
            switch source {
            case .xyxy:
                break
            case .xywh:
                x2 = x1 + x2
                y2 = y1 + y2
            case .cxcywh:
                let cx = x1, cy = y1, w = x2, h = y2
                x1 = cx - 0.5 * w
                y1 = cy - 0.5 * h
                x2 = cx + 0.5 * w
                y2 = cy + 0.5 * h
            }
            switch target {
            case .xyxy:
                output[b] = x1; output[b + 1] = y1; output[b + 2] = x2; output[b + 3] = y2
            case .xywh:
                output[b] = x1; output[b + 1] = y1; output[b + 2] = x2 - x1; output[b + 3] = y2 - y1
            case .cxcywh:
                output[b] = (x1 + x2) / 2
                output[b + 1] = (y1 + y2) / 2
                output[b + 2] = x2 - x1
                output[b + 3] = y2 - y1
            }
        }
    }
}
