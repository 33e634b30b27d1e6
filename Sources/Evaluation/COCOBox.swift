/// A COCO bounding box: top-left corner, width and height in image pixels, stored in JSON as
/// `[x, y, w, h]`.
///
/// Widths are plain differences (no +1 pixel), as in pycocotools.
public struct COCOBox: Sendable, Equatable, Codable {
    /// The left edge, in pixels.
    public var x: Double
    /// The top edge, in pixels.
    public var y: Double
    /// The width, in pixels (≥ 0 in a valid file).
    public var width: Double
    /// The height, in pixels (≥ 0 in a valid file).
    public var height: Double

    /// Creates a box from its top-left corner and size, in pixels.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Creates a box from its corners (x1, y1, x2, y2), in pixels.
    public init(x1: Double, y1: Double, x2: Double, y2: Double) {
        self.init(x: x1, y: y1, width: x2 - x1, height: y2 - y1)
    }

    /// The box area `width * height`, in square pixels: what pycocotools' `loadRes` stores as a
    /// detection's area and what its IoU uses for every box.
    public var area: Double { width * height }

    /// Whether all four numbers are finite.
    public var isFinite: Bool { x.isFinite && y.isFinite && width.isFinite && height.isFinite }

    /// Returns the overlap of this detection box with a ground-truth box, as pycocotools' `bbIou`.
    ///
    /// For a regular ground truth this is the IoU, intersection / union; for a crowd region it is
    /// intersection / detection area, so a detection wholly inside a crowd scores 1. Boxes that
    /// touch without overlapping score 0.
    /// - Parameters:
    ///   - groundTruth: The ground-truth box.
    ///   - isCrowd: Whether the ground truth is a crowd region (`iscrowd` = 1).
    /// - Returns: The overlap in [0, 1].
    /// Reference: pycocotools `maskApi.c`, `bbIou`.
    public func overlap(withGroundTruth groundTruth: COCOBox, isCrowd: Bool) -> Double {
        // Same operation order as bbIou so that IoUs on a threshold compare identically.
        let intersectionWidth = min(width + x, groundTruth.width + groundTruth.x) - max(x, groundTruth.x)
        if intersectionWidth <= 0 { return 0 }
        let intersectionHeight = min(height + y, groundTruth.height + groundTruth.y) - max(y, groundTruth.y)
        if intersectionHeight <= 0 { return 0 }
        let intersection = intersectionWidth * intersectionHeight
        let union = isCrowd ? area : area + groundTruth.area - intersection
        return intersection / union
    }

    // MARK: - Codable as [x, y, w, h]

    /// Decodes `[x, y, w, h]`.
    /// - Throws: `DecodingError.dataCorrupted` when the array does not hold exactly 4 numbers.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.singleValueContainer().decode([Double].self)
        guard values.count == 4 else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a bbox holds 4 numbers [x, y, w, h], found \(values.count)"))
        }
        self.init(x: values[0], y: values[1], width: values[2], height: values[3])
    }

    /// Encodes `[x, y, w, h]`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode([x, y, width, height])
    }
}
