// Exact mirroring of anchor indices and boxes through horizontal and vertical image flips.
//
// Legend: image W_img × H_img pixels; anchor grid H × W locations (feature cells), A anchors per
// location, strides s_x, s_y pixels per cell; anchor index i = (y·W + x)·A + a (torchvision's
// order: location-major, then the anchor's ratio and size).
// The hard-negative buffer stores what it mines in the un-flipped frame, so a tile revisited
// with other flips replays the same image regions. Every flip is an involution: mirroring twice
// gives back the input (anchor indices exactly; boxes exactly when W_img − x is representable,
// which Double arithmetic on Float coordinates guarantees — the buffer stores Double boxes).

import Datasets

/// Mirroring of the detector's own coordinates — boxes as SIMD4 or flat [N, 4] arrays, and anchor
/// indices — through the data layer's flips (horizontal x → W_img − x, vertical y → H_img − y).
extension Flip {
    /// Whether the flip changes nothing (neither horizontal nor vertical).
    public var isIdentity: Bool { !horizontal && !vertical }

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
        if horizontal { out.x = width - box.z; out.z = width - box.x }
        if vertical { out.y = height - box.w; out.w = height - box.y }
        return out
    }

    /// Mirrors [N, 4] boxes (x1, y1, x2, y2), flattened row-major, through the flips in place.
    /// - Parameters:
    ///   - boxes: [N, 4] boxes in pixels, replaced by their mirror images.
    ///   - width: W_img in pixels.
    ///   - height: H_img in pixels.
    /// - Precondition: `boxes.count` is a multiple of 4.
    public func mirror(_ boxes: inout [Float], width: Float, height: Float) {
        precondition(boxes.count % 4 == 0, "Flip.mirror: boxes [\(boxes.count)] is not [N, 4]")
        guard !isIdentity else { return }
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
                     "Flip.mirroredAnchorIndex: index \(index) outside 0..<\(layout.anchorCount) (\(layout.featureHeight)×\(layout.featureWidth)×\(layout.anchorsPerLocation))")
        guard !isIdentity else { return index }
        let a = index % layout.anchorsPerLocation, cell = index / layout.anchorsPerLocation
        var x = cell % layout.featureWidth, y = cell / layout.featureWidth
        if horizontal {
            guard let mx = layout.mirroredCoordinate(x, extent: width, stride: layout.strideWidth, cells: layout.featureWidth) else { return nil }
            x = mx
        }
        if vertical {
            guard let my = layout.mirroredCoordinate(y, extent: height, stride: layout.strideHeight, cells: layout.featureHeight) else { return nil }
            y = my
        }
        return (y * layout.featureWidth + x) * layout.anchorsPerLocation + a
    }
}
