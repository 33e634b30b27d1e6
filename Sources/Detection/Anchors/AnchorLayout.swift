// Legend: anchor grid H × W locations (feature cells), A anchors per location, strides s_x, s_y
// pixels per cell; anchor index i = (y·W + x)·A + a (torchvision's order: location-major, then
// the anchor's ratio and size).

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
