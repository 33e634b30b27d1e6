// Integer pixel sizes and rectangles, for image sizes, crops and tiles.

/// A width and height in pixels.
public struct PixelSize: Sendable, Hashable, CustomStringConvertible {
    /// The number of columns.
    public var width: Int
    /// The number of rows.
    public var height: Int

    /// Creates a size from its width and height, in pixels.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The size as `WxH`.
    public var description: String { "\(width)x\(height)" }
}

/// An axis-aligned rectangle of whole pixels: columns `x..<x+width`, rows `y..<y+height`.
public struct PixelRegion: Sendable, Hashable, CustomStringConvertible {
    /// The first column, in pixels.
    public var x: Int
    /// The first row, in pixels.
    public var y: Int
    /// The number of columns.
    public var width: Int
    /// The number of rows.
    public var height: Int

    /// Creates a region from its origin and size, in pixels.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The region as a box `(x, y, x + width, y + height)`, in pixels.
    public var box: BoundingBox {
        BoundingBox(x1: Float(x), y1: Float(y), x2: Float(x + width), y2: Float(y + height))
    }

    /// The region as `x,y widthxheight`.
    public var description: String { "(\(x), \(y)) \(width)x\(height)" }
}
