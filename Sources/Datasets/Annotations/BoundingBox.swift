// Boxes are (x1, y1, x2, y2) in pixels of the image they belong to; corners are pixel edges,
// so a box's width is x2 − x1 (no +1, as torchvision and DESIGN.md "Precise choices").

/// An axis-aligned box `(x1, y1, x2, y2)` in pixels, x1 < x2 and y1 < y2 once validated.
public struct BoundingBox: Sendable, Hashable, CustomStringConvertible {
    /// The left edge, in pixels.
    public var x1: Float
    /// The top edge, in pixels.
    public var y1: Float
    /// The right edge, in pixels.
    public var x2: Float
    /// The bottom edge, in pixels.
    public var y2: Float

    /// Creates a box from its corners, in pixels.
    public init(x1: Float, y1: Float, x2: Float, y2: Float) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    /// `x2 − x1`, in pixels.
    public var width: Float { x2 - x1 }
    /// `y2 − y1`, in pixels.
    public var height: Float { y2 - y1 }
    /// `width × height` in square pixels; 0 for an empty or inverted box.
    public var area: Float { max(width, 0) * max(height, 0) }
    /// The four coordinates in the order x1, y1, x2, y2.
    public var coordinates: [Float] { [x1, y1, x2, y2] }

    /// The overlap of two boxes, or `nil` when they do not overlap with positive area.
    public func intersection(_ other: BoundingBox) -> BoundingBox? {
        let box = BoundingBox(x1: max(x1, other.x1), y1: max(y1, other.y1),
                              x2: min(x2, other.x2), y2: min(y2, other.y2))
        return box.x1 < box.x2 && box.y1 < box.y2 ? box : nil
    }

    /// Intersection over union with another box, in [0, 1]; 0 when the union is empty.
    public func iou(with other: BoundingBox) -> Float {
        let overlap = intersection(other)?.area ?? 0
        let union = area + other.area - overlap
        return union > 0 ? overlap / union : 0
    }

    /// The box moved by `(dx, dy)` pixels.
    public func offsetBy(dx: Float, dy: Float) -> BoundingBox {
        BoundingBox(x1: x1 + dx, y1: y1 + dy, x2: x2 + dx, y2: y2 + dy)
    }

    /// The box mirrored left–right inside an image `imageWidth` pixels wide:
    /// `x1' = W − x2`, `x2' = W − x1` (exact; flipping twice gives the box back).
    public func flippedHorizontally(imageWidth: Float) -> BoundingBox {
        BoundingBox(x1: imageWidth - x2, y1: y1, x2: imageWidth - x1, y2: y2)
    }

    /// The box mirrored top–bottom inside an image `imageHeight` pixels high:
    /// `y1' = H − y2`, `y2' = H − y1`.
    public func flippedVertically(imageHeight: Float) -> BoundingBox {
        BoundingBox(x1: x1, y1: imageHeight - y2, x2: x2, y2: imageHeight - y1)
    }

    /// The box as `[x1, y1, x2, y2]`.
    public var description: String { "[\(x1), \(y1), \(x2), \(y2)]" }
}
