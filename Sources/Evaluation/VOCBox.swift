/// An axis-aligned box by its corners, in image pixels, x1 ≤ x2 and y1 ≤ y2.
///
/// Width is x2 − x1 with no +1 pixel (DESIGN.md: boxes as written, unlike the VOC devkit's +1).
public struct VOCBox: Sendable, Equatable {
    /// Left edge, in pixels.
    public var x1: Double
    /// Top edge, in pixels.
    public var y1: Double
    /// Right edge, in pixels.
    public var x2: Double
    /// Bottom edge, in pixels.
    public var y2: Double

    /// Creates a box from its corners, in pixels.
    public init(x1: Double, y1: Double, x2: Double, y2: Double) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    /// The area (x2 − x1)(y2 − y1), in square pixels.
    public var area: Double { (x2 - x1) * (y2 - y1) }

    /// Returns intersection over union with `other`; 0 when the union is empty.
    public func iou(with other: VOCBox) -> Double {
        let width = max(min(x2, other.x2) - max(x1, other.x1), 0)
        let height = max(min(y2, other.y2) - max(y1, other.y1), 0)
        let intersection = width * height
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }
}
