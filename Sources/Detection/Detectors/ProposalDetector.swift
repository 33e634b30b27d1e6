// Legend: N images, H×W image (pixels), P proposals per image.
import Datasets
import TensorCore

/// A two-stage detector: a first stage proposes regions (RoIs) that a second stage classifies.
///
/// The proposals alone are what `ProposalRecall` measures: how many objects the second stage
/// can still find, whatever it learns (Ren et al., arXiv:1506.01497, §4.1, recall against IoU;
/// Hosang et al., TPAMI 2016, "What makes for effective detection proposals?").
public protocol ProposalDetector: Detector {
    /// The inference proposals of a batch of images (no graph is recorded): the same ones
    /// `detect(images:)` classifies.
    /// - Parameter images: [N, 3, H, W] RGB pixels in 0...255.
    /// - Returns: per image, [P, 4] proposals as x1, y1, x2, y2 in pixels inside the image, by
    ///   decreasing objectness; P ≤ the inference filter's post-NMS count (300 for TinyFasterRCNN).
    /// - Precondition: images are [N, 3, H, W].
    func proposals(images: Tensor) -> [Tensor]
}

extension ProposalDetector {
    /// The proposals of an image of any size, tile by tile on `detectTiled(image:)`'s grid: each
    /// tile's first `limit` proposals (by objectness), shifted to image pixels, concatenated
    /// without merging (every tile's proposals reach the second stage).
    /// - Parameters:
    ///   - image: [3, H, W] RGB pixels in 0...255.
    ///   - limit: proposals kept per tile (at most the inference filter's post-NMS count).
    ///   - tileSize: T (nil: the configuration's `inferenceTileSize`).
    ///   - stride: S (nil: the configuration's `inferenceTileStride`).
    /// - Returns: [P, 4] proposals, pixels, tile by tile in row-major tile order.
    /// - Precondition: image is [3, H, W]; limit ≥ 1.
    public func proposalsTiled(image: Tensor, limit: Int, tileSize: Int? = nil, stride: Int? = nil) -> Tensor {
        precondition(limit >= 1, "proposalsTiled: limit \(limit) must be at least 1")
        var boxes: [Tensor] = []
        Tiling(tileSize: tileSize ?? configuration.inferenceTileSize, stride: stride ?? configuration.inferenceTileStride)
            .forEachTile(of: image) { tile, x, y in
                let proposals = self.proposals(images: tile)[0]
                let kept = proposals.slice(alongAxis: 0, 0..<min(limit, proposals.shape[0]))
                boxes.append(Boxes.shifted(kept, dx: Float(x), dy: Float(y)))
            }
        return Tensor.concatenate(boxes, alongAxis: 0)
    }
}
