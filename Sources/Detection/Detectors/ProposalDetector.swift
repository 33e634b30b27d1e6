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
    /// The proposals of an image of any size, tile by tile on `detectTiled(image:)`'s grid, at
    /// several limits from one pass: for each limit, each tile's first `limit` proposals (by
    /// objectness), shifted to image pixels, concatenated without merging (every tile's
    /// proposals reach the second stage).
    /// - Parameters:
    ///   - image: [3, H, W] RGB pixels in 0...255.
    ///   - limits: proposals kept per tile (the RPN gives at most its inference post-NMS count).
    ///   - tileSize: T (nil: the configuration's `inferenceTileSize`).
    ///   - stride: S (nil: the configuration's `inferenceTileStride`).
    /// - Returns: per limit, [P, 4] proposals, pixels, tile by tile in row-major tile order.
    /// - Precondition: image is [3, H, W]; every limit ≥ 1.
    public func proposalsTiled(image: Tensor, limits: [Int], tileSize: Int? = nil, stride: Int? = nil) -> [Tensor] {
        precondition(limits.allSatisfy { $0 >= 1 }, "proposalsTiled: limits \(limits) must be at least 1")
        var boxes = limits.map { _ in [Tensor]() }
        Tiling(tileSize: tileSize ?? configuration.inferenceTileSize, stride: stride ?? configuration.inferenceTileStride)
            .forEachTile(of: image) { tile, x, y in
                let proposals = Boxes.shifted(self.proposals(images: tile)[0], dx: Float(x), dy: Float(y))
                for (index, limit) in limits.enumerated() {
                    boxes[index].append(proposals.slice(alongAxis: 0, 0..<min(limit, proposals.shape[0])))
                }
            }
        return boxes.map { Tensor.concatenate($0, alongAxis: 0) }
    }
}
