// Cutting large images into fixed-size tiles for training and for tiled inference.
// W×H image, T tile side, S stride, all in pixels.

/// The tile grid and the half-area rule of DESIGN.md ("Data", "Precise choices").
public struct Tiling: Sendable, Equatable {
    /// The tile side T, in pixels (400 for the reference detector).
    public var tileSize: Int
    /// The step between tile origins S, in pixels (300: neighbouring tiles overlap by 100).
    public var stride: Int
    /// The fraction of a box's area that must fall inside a tile for the box to be kept (0.5).
    public var minimumVisibleFraction: Float

    /// Creates a tiling.
    /// - Precondition: `tileSize ≥ 1`, `1 ≤ stride`, `minimumVisibleFraction` in (0, 1].
    public init(tileSize: Int = 400, stride: Int = 300, minimumVisibleFraction: Float = 0.5) {
        precondition(tileSize >= 1 && stride >= 1, "Tiling: tileSize \(tileSize) and stride \(stride) must be ≥ 1")
        precondition(minimumVisibleFraction > 0 && minimumVisibleFraction <= 1,
                     "Tiling: minimumVisibleFraction \(minimumVisibleFraction) outside (0, 1]")
        self.tileSize = tileSize
        self.stride = stride
        self.minimumVisibleFraction = minimumVisibleFraction
    }

    /// The reference tiling: 400 × 400 tiles, stride 300, boxes kept when half their area is inside.
    public static let reference = Tiling()

    /// The tile origins along one axis: 0, S, 2S, … while a whole tile fits, plus one tile
    /// flush with the far edge (`length − T`) when the grid does not reach it.
    ///
    /// 2299 px → 0, 300, …, 1800, 1899 (8 tiles); 400 px → 0; a side shorter than T gives the
    /// single origin 0 (that tile is then only `length` wide).
    /// - Precondition: `length ≥ 1`.
    public func origins(length: Int) -> [Int] {
        precondition(length >= 1, "Tiling.origins: length \(length) must be ≥ 1")
        guard length > tileSize else { return [0] }
        var origins = Array(Swift.stride(from: 0, through: length - tileSize, by: stride))
        if let last = origins.last, last + tileSize < length { origins.append(length - tileSize) }
        return origins
    }

    /// The tiles of a `width × height` image, row by row (y outer, x inner).
    /// Each tile is `min(T, width) × min(T, height)` pixels.
    public func regions(width: Int, height: Int) -> [PixelRegion] {
        let tileWidth = min(tileSize, width)
        let tileHeight = min(tileSize, height)
        return origins(length: height).flatMap { y in
            origins(length: width).map { x in PixelRegion(x: x, y: y, width: tileWidth, height: tileHeight) }
        }
    }

    /// Cuts a sample into tiles. A box is kept in a tile when at least `minimumVisibleFraction`
    /// of its area lies inside the tile; kept boxes are clipped to the tile and expressed in
    /// tile pixels. Tiles without boxes are kept. Tile names are `name@x,y` (the origin).
    public func tiles(of sample: DetectionSample) -> [DetectionSample] {
        regions(width: sample.image.width, height: sample.image.height).map { region in
            DetectionSample(name: "\(sample.name)@\(region.x),\(region.y)",
                            image: sample.image.cropped(to: region),
                            target: sample.target.cropped(to: region, minimumVisibleFraction: minimumVisibleFraction))
        }
    }
}

extension DetectionTarget {
    /// The objects of a region: boxes with at least `minimumVisibleFraction` of their area
    /// inside it, clipped to it and shifted so the region's origin is (0, 0).
    /// - Parameters:
    ///   - region: the region, in pixels of the image the boxes belong to.
    ///   - minimumVisibleFraction: in (0, 1]; 0.5 is the reference rule.
    public func cropped(to region: PixelRegion, minimumVisibleFraction: Float) -> DetectionTarget {
        let frame = region.box
        var boxes: [BoundingBox] = []
        var labels: [Int] = []
        var difficult: [Bool] = []
        for index in 0..<count {
            let box = self.boxes[index]
            guard let inside = box.intersection(frame), inside.area >= minimumVisibleFraction * box.area else { continue }
            boxes.append(inside.offsetBy(dx: -frame.x1, dy: -frame.y1))
            labels.append(self.labels[index])
            difficult.append(isDifficult[index])
        }
        return DetectionTarget(boxes: boxes, labels: labels, isDifficult: difficult)
    }
}
