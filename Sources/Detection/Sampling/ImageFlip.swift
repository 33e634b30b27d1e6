// Exact mirroring of anchor indices and boxes through horizontal and vertical image flips.
//
// Legend: image W_img × H_img pixels; anchor grid H × W locations (feature cells), A anchors per
// location, strides s_x, s_y pixels per cell; anchor index i = (y·W + x)·A + a (torchvision's
// order: location-major, then the anchor's ratio and size).
// The hard-negative buffer stores what it mines in the un-flipped frame, so a tile revisited
// with other flips replays the same image regions. Every flip is an involution: mirroring twice
// gives back the input (anchor indices exactly; boxes exactly when W_img − x is representable,
// which Double arithmetic on Float coordinates guarantees — the buffer stores Double boxes).

/// The flips applied to an image: horizontal (x → W_img − x), vertical (y → H_img − y), both or none.
public struct ImageFlip: OptionSet, Sendable, Hashable {
    /// The raw bit set.
    public let rawValue: UInt8
    /// Creates the set from its raw bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Creates the set from two flags (e.g. the data layer's `Flip`).
    public init(horizontal: Bool, vertical: Bool) {
        self = []
        if horizontal { insert(.horizontal) }
        if vertical { insert(.vertical) }
    }

    /// Mirror left–right: x → W_img − x.
    public static let horizontal = ImageFlip(rawValue: 1 << 0)
    /// Mirror top–bottom: y → H_img − y.
    public static let vertical = ImageFlip(rawValue: 1 << 1)

    /// Mirrors a box (x1, y1, x2, y2) through the flips of an image `width` × `height` pixels.
    ///
    /// Horizontal: (x1, x2) → (W_img − x2, W_img − x1); vertical: (y1, y2) → (H_img − y2,
    /// H_img − y1). Corners stay ordered (x1 ≤ x2, y1 ≤ y2), areas and IoUs are preserved, and
    /// the map is its own inverse up to the rounding of `W_img − x` (none in Double for Float
    /// coordinates at tile scale).
    /// - Parameters:
    ///   - box: (x1, y1, x2, y2) in pixels.
    ///   - width: W_img in pixels.
    ///   - height: H_img in pixels.
    /// - Returns: the box in the other frame.
    @inlinable
    public func mirrored<Scalar: BinaryFloatingPoint & SIMDScalar>(
        _ box: SIMD4<Scalar>, width: Scalar, height: Scalar
    ) -> SIMD4<Scalar> {
        var out = box
        if contains(.horizontal) { out.x = width - box.z; out.z = width - box.x }
        if contains(.vertical) { out.y = height - box.w; out.w = height - box.y }
        return out
    }

    /// Mirrors [N, 4] boxes (x1, y1, x2, y2), flattened row-major, through the flips in place.
    /// - Parameters:
    ///   - boxes: [N, 4] boxes in pixels, replaced by their mirror images.
    ///   - width: W_img in pixels.
    ///   - height: H_img in pixels.
    /// - Precondition: `boxes.count` is a multiple of 4.
    public func mirror(_ boxes: inout [Float], width: Float, height: Float) {
        precondition(boxes.count % 4 == 0, "ImageFlip.mirror: boxes [\(boxes.count)] is not [N, 4]")
        guard !isEmpty else { return }
        for i in stride(from: 0, to: boxes.count, by: 4) {
            let m = mirrored(SIMD4(boxes[i], boxes[i + 1], boxes[i + 2], boxes[i + 3]), width: width, height: height)
            boxes[i] = m.x; boxes[i + 1] = m.y; boxes[i + 2] = m.z; boxes[i + 3] = m.w
        }
    }

    /// Maps an anchor index to the index of the anchor at the mirror-image position, or `nil`
    /// when that position is not on the grid.
    ///
    /// Anchors are symmetric about their centre (torchvision rounds `±w/2` half to even, so
    /// `round(−v) = −round(v)`), so a flip keeps `a` and moves only the location. With
    /// torchvision's corner-aligned grid (anchor centre x·s_x, ``AnchorLayout/Alignment/cornerAligned``)
    /// the mirror of column x is W_img/s_x − x: on a 400-pixel tile at stride 8 that is 50 − x, so
    /// column 0 has no mirror (its image, x = 400, lies past the last anchor column 49). With
    /// cell-centred anchors (centre (x + ½)·s_x) it is W_img/s_x − 1 − x, a bijection of the grid.
    /// Rows map the same way. The mirror is exact: the returned anchor's box is the mirror image
    /// of the input anchor's box. It is `nil` when the mirrored centre is not a grid position
    /// (W_img not a multiple of s_x, or outside the grid).
    /// - Parameters:
    ///   - index: the anchor index (y·W + x)·A + a in 0 ..< H·W·A.
    ///   - layout: the anchor grid.
    ///   - width: W_img in pixels.
    ///   - height: H_img in pixels.
    /// - Returns: the mirrored index, or nil if the mirror image is not an anchor.
    /// - Precondition: `0 <= index < layout.anchorCount`.
    public func mirroredAnchorIndex(_ index: Int, layout: AnchorLayout, width: Int, height: Int) -> Int? {
        precondition(index >= 0 && index < layout.anchorCount,
                     "ImageFlip.mirroredAnchorIndex: index \(index) outside 0..<\(layout.anchorCount) (\(layout.featureHeight)×\(layout.featureWidth)×\(layout.anchorsPerLocation))")
        guard !isEmpty else { return index }
        let a = index % layout.anchorsPerLocation, cell = index / layout.anchorsPerLocation
        var x = cell % layout.featureWidth, y = cell / layout.featureWidth
        if contains(.horizontal) {
            guard let mx = layout.mirroredCoordinate(x, extent: width, stride: layout.strideWidth, cells: layout.featureWidth) else { return nil }
            x = mx
        }
        if contains(.vertical) {
            guard let my = layout.mirroredCoordinate(y, extent: height, stride: layout.strideHeight, cells: layout.featureHeight) else { return nil }
            y = my
        }
        return (y * layout.featureWidth + x) * layout.anchorsPerLocation + a
    }
}

/// The anchor grid of one feature map: H × W locations, A anchors each, in torchvision's order.
///
/// Anchor index i = (y·W + x)·A + a. DESIGN.md's detector: 50 × 50 locations, A = 9, stride 8 on
/// a 400 × 400 tile, corner-aligned (22,500 anchors).
/// Reference: torchvision `AnchorGenerator.grid_anchors` (shifts `arange(W) · stride`).
public struct AnchorLayout: Sendable, Hashable {
    /// Where a location's anchors are centred.
    public enum Alignment: Sendable, Hashable {
        /// Centre at (x·s_x, y·s_y): the cell's top-left corner (torchvision, detectron2).
        case cornerAligned
        /// Centre at ((x + ½)·s_x, (y + ½)·s_y): the cell's centre (e.g. mmdetection's `center_offset=0.5`).
        case cellCentred
    }

    /// H, locations per column (feature-map rows).
    public var featureHeight: Int
    /// W, locations per row (feature-map columns).
    public var featureWidth: Int
    /// A, anchors per location (9 = 3 ratios × 3 sizes).
    public var anchorsPerLocation: Int
    /// Pixels per feature cell vertically (8).
    public var strideHeight: Int
    /// Pixels per feature cell horizontally (8).
    public var strideWidth: Int
    /// Where anchors are centred (torchvision: corner-aligned).
    public var alignment: Alignment

    /// The number of anchors H·W·A.
    public var anchorCount: Int { featureHeight * featureWidth * anchorsPerLocation }

    /// Creates a layout.
    /// - Precondition: H, W ≥ 0; A, strides ≥ 1.
    public init(featureHeight: Int, featureWidth: Int, anchorsPerLocation: Int,
                strideHeight: Int, strideWidth: Int, alignment: Alignment = .cornerAligned) {
        precondition(featureHeight >= 0 && featureWidth >= 0 && anchorsPerLocation >= 1 && strideHeight >= 1 && strideWidth >= 1,
                     "AnchorLayout: need H, W >= 0 and A, strides >= 1, got \(featureHeight)×\(featureWidth)×\(anchorsPerLocation), strides \(strideHeight)×\(strideWidth)")
        self.featureHeight = featureHeight
        self.featureWidth = featureWidth
        self.anchorsPerLocation = anchorsPerLocation
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.alignment = alignment
    }

    /// The grid coordinate whose anchor centre is the mirror image of coordinate `c`'s, or nil.
    ///
    /// Centre (c + o)·s with o = 0 or ½ mirrors to extent − (c + o)·s = (c' + o)·s, so
    /// c' = (extent − 2o·s) / s − c, an integer only when s divides extent − 2o·s.
    func mirroredCoordinate(_ c: Int, extent: Int, stride s: Int, cells: Int) -> Int? {
        let span = extent - (alignment == .cellCentred ? s : 0)
        guard span % s == 0 else { return nil }
        let mirrored = span / s - c
        return mirrored >= 0 && mirrored < cells ? mirrored : nil
    }
}
