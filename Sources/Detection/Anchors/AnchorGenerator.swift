// Legend: h×w feature map (cells), A = R·S anchors per location (R aspect ratios, S sizes);
// anchors [h·w·A, 4] as (x1, y1, x2, y2) in input-image pixels, location-major (row, column),
// then ratio, then size: anchor (y, x, a) at row (y·w + x)·A + a.
import DetectionKernels
import Kernels
import TensorCore

/// An anchor generator for one feature map: a fixed grid of reference boxes, cached per
/// feature-map size.
///
/// Anchors are centred on each cell's top-left corner in image pixels (cell (y, x) → (x·stride,
/// y·stride)), with torchvision's rounding of the base anchors. TinyFasterRCNN uses stride 8,
/// sizes (16, 32, 64) and ratios (0.5, 1, 2): a 400×400 image gives 50×50×9 = 22,500 anchors.
/// A class (not a struct) so the cache is shared by every user of the model; not thread-safe.
///
/// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497, §3.1.1; torchvision `AnchorGenerator`.
public final class AnchorGenerator {
    /// Anchor sizes (square root of the area), pixels.
    public let sizes: [Float]
    /// Height/width ratios.
    public let aspectRatios: [Float]
    /// Image pixels per feature cell.
    public let stride: Int
    private var cache: [FeatureSize: Tensor] = [:]

    private struct FeatureSize: Hashable { var height: Int; var width: Int }

    /// Creates a generator.
    /// - Precondition: sizes and ratios are non-empty and positive; stride ≥ 1.
    public init(sizes: [Float], aspectRatios: [Float], stride: Int) {
        precondition(!sizes.isEmpty && !aspectRatios.isEmpty && sizes.allSatisfy { $0 > 0 } && aspectRatios.allSatisfy { $0 > 0 },
                     "AnchorGenerator: sizes \(sizes) and ratios \(aspectRatios) must be non-empty and positive")
        precondition(stride >= 1, "AnchorGenerator: stride \(stride) must be at least 1")
        self.sizes = sizes
        self.aspectRatios = aspectRatios
        self.stride = stride
    }

    /// The number of anchors per location, A = R·S.
    public var anchorsPerLocation: Int { sizes.count * aspectRatios.count }

    /// Returns the anchors of an h×w feature map (computed once per size, then cached).
    /// - Parameters:
    ///   - featureHeight: h, cells.
    ///   - featureWidth: w, cells.
    /// - Returns: [h·w·A, 4] anchors, pixels, in the order of the legend.
    /// - Precondition: h, w ≥ 0.
    public func anchors(featureHeight: Int, featureWidth: Int) -> Tensor {
        precondition(featureHeight >= 0 && featureWidth >= 0,
                     "AnchorGenerator: negative feature size \(featureHeight)×\(featureWidth)")
        let key = FeatureSize(height: featureHeight, width: featureWidth)
        if let cached = cache[key] { return cached }
        let count = featureHeight * featureWidth * anchorsPerLocation
        var scalars = [Float](repeating: 0, count: 4 * count)
        scalars.withUnsafeMutableBufferPointer {
            Kernels.gridAnchors($0, featureHeight: featureHeight, featureWidth: featureWidth,
                                strideHeight: stride, strideWidth: stride, sizes: sizes, aspectRatios: aspectRatios)
        }
        let anchors = Tensor(shape: [count, 4], scalars: scalars)
        cache[key] = anchors
        return anchors
    }
}
