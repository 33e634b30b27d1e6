// Legend: N boxes, [N, 4] as (x1, y1, x2, y2) in input-image pixels; H×W image in pixels.
import Kernels

extension Kernels {
    /// Computes the area of each box, `(x2 - x1) · (y2 - y1)` (no `+1`).
    ///
    /// A box with x2 < x1 or y2 < y1 gets a negative or zero area, as in torchvision's
    /// `box_area`; callers that need a clean value should drop such boxes first
    /// (`removeSmallBoxes`).
    /// - Parameters:
    ///   - areas: [N] output, square pixels.
    ///   - boxes: [N, 4] boxes (x1, y1, x2, y2), pixels.
    ///   - count: N (0 writes nothing).
    /// - Precondition: `areas` holds ≥ N elements and `boxes` ≥ 4·N.
    public static func boxAreas(
        _ areas: UnsafeMutableBufferPointer<Float>,
        _ boxes: UnsafeBufferPointer<Float>,
        count: Int
    ) {
        precondition(count >= 0, "boxAreas: negative box count \(count)")
        precondition(boxes.count >= 4 * count, "boxAreas: boxes hold \(boxes.count) < 4·\(count) elements")
        precondition(areas.count >= count, "boxAreas: areas hold \(areas.count) < \(count) elements")
        for i in 0..<count {
            areas[i] = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1])
        }
    }

    /// Clamps every box to the image: x into [0, W], y into [0, H], in place.
    ///
    /// Matches torchvision's `clip_boxes_to_image`. A box entirely outside the image collapses
    /// to a zero-width or zero-height box on the border (remove it with `removeSmallBoxes`).
    /// - Parameters:
    ///   - boxes: [N, 4] boxes (x1, y1, x2, y2), pixels; clipped in place.
    ///   - count: N.
    ///   - imageHeight: H, pixels.
    ///   - imageWidth: W, pixels.
    /// - Precondition: `boxes` holds ≥ 4·N elements; H ≥ 0 and W ≥ 0.
    public static func clipBoxes(
        _ boxes: UnsafeMutableBufferPointer<Float>,
        count: Int,
        imageHeight: Float,
        imageWidth: Float
    ) {
        precondition(count >= 0, "clipBoxes: negative box count \(count)")
        precondition(boxes.count >= 4 * count, "clipBoxes: boxes hold \(boxes.count) < 4·\(count) elements")
        precondition(imageHeight >= 0 && imageWidth >= 0,
                     "clipBoxes: image size \(imageHeight)×\(imageWidth) must not be negative")
        for i in 0..<count {
            // min(max(v, 0), limit), the order of torch.clamp(min=0, max=limit).
            boxes[4 * i] = min(max(boxes[4 * i], 0), imageWidth)
            boxes[4 * i + 1] = min(max(boxes[4 * i + 1], 0), imageHeight)
            boxes[4 * i + 2] = min(max(boxes[4 * i + 2], 0), imageWidth)
            boxes[4 * i + 3] = min(max(boxes[4 * i + 3], 0), imageHeight)
        }
    }

    /// Writes the indices of the boxes whose width and height are both at least `minimumSize`.
    ///
    /// Matches torchvision's `remove_small_boxes`: kept when `w >= minimumSize && h >= minimumSize`
    /// (a box with a NaN side is dropped). Indices come out in increasing order.
    /// - Parameters:
    ///   - kept: output, room for N indices; the first (returned count) are written.
    ///   - boxes: [N, 4] boxes (x1, y1, x2, y2), pixels.
    ///   - count: N.
    ///   - minimumSize: the smallest allowed side, pixels (DESIGN.md uses 1e-3 for proposals).
    /// - Returns: the number of boxes kept.
    /// - Precondition: `boxes` holds ≥ 4·N elements and `kept` ≥ N.
    public static func removeSmallBoxes(
        _ kept: UnsafeMutableBufferPointer<Int>,
        _ boxes: UnsafeBufferPointer<Float>,
        count: Int,
        minimumSize: Float
    ) -> Int {
        precondition(count >= 0, "removeSmallBoxes: negative box count \(count)")
        precondition(boxes.count >= 4 * count, "removeSmallBoxes: boxes hold \(boxes.count) < 4·\(count) elements")
        precondition(kept.count >= count, "removeSmallBoxes: kept holds \(kept.count) < \(count) elements")
        var keptCount = 0
        for i in 0..<count {
            let w = boxes[4 * i + 2] - boxes[4 * i]
            let h = boxes[4 * i + 3] - boxes[4 * i + 1]
            if w >= minimumSize && h >= minimumSize {
                kept[keptCount] = i
                keptCount += 1
            }
        }
        return keptCount
    }
}
