// Legend: H×W image (pixels), T tile side (pixels), S stride between tile origins (pixels).
// The tile grid is the data layer's (`Tiling`, DESIGN.md "Precise choices"), the one used to cut
// the training tiles.
import Datasets
import TensorCore

extension Detector {
    /// Detects objects in an image of any size by running `detect` on overlapping tiles and
    /// merging the results with class-aware NMS.
    ///
    /// Tiles are T×T (or the whole side when shorter) at the origins of `Tiling.origins(length:)`; each
    /// tile keeps its top 100 detections; boxes are shifted back to image pixels and merged by
    /// per-class NMS at `mergeThreshold`, keeping every survivor.
    /// - Parameters:
    ///   - image: [3, H, W] RGB pixels in 0...255.
    ///   - tileSize: T (nil: the configuration's `inferenceTileSize`, 400 by default).
    ///   - stride: S (nil: the configuration's `inferenceTileStride`, 300 by default).
    ///   - mergeThreshold: NMS IoU of the merge (0.5).
    /// - Returns: the image's detections by decreasing score.
    /// - Precondition: image is [3, H, W].
    public func detectTiled(image: Tensor, tileSize: Int? = nil, stride: Int? = nil, mergeThreshold: Float = 0.5) -> Detections {
        let tileSize = tileSize ?? configuration.inferenceTileSize, stride = stride ?? configuration.inferenceTileStride
        var boxes: [Tensor] = [], labels: [Int] = [], scores: [Float] = []
        Tiling(tileSize: tileSize, stride: stride).forEachTile(of: image) { tile, x, y in
            let found = detect(images: tile)[0]
            boxes.append(Boxes.shifted(found.boxes, dx: Float(x), dy: Float(y)))
            labels += found.labels
            scores += found.scores
        }
        let all = Tensor.concatenate(boxes, alongAxis: 0)
        let kept = Boxes.batchedNMS(all, scores: scores, classes: labels, iouThreshold: mergeThreshold)
        return Detections(boxes: Boxes.gathered(all, kept), labels: kept.map { labels[$0] }, scores: kept.map { scores[$0] })
    }
}

extension Tiling {
    /// Calls `body` with each tile of an image and the tile's origin, row by row: tiles are T×T
    /// (or the whole side when shorter) at the origins of `origins(length:)`.
    /// - Parameters:
    ///   - image: [3, H, W] pixels.
    ///   - body: receives the tile as [1, 3, h, w] and its origin x, y in image pixels.
    /// - Precondition: image is [3, H, W].
    func forEachTile(of image: Tensor, _ body: (_ tile: Tensor, _ x: Int, _ y: Int) -> Void) {
        precondition(image.rank == 3 && image.shape[0] == 3, "Tiling: image \(image.shape) must be [3, H, W]")
        let height = image.shape[1], width = image.shape[2]
        let tileHeight = min(tileSize, height), tileWidth = min(tileSize, width)
        for y in origins(length: height) {
            let band = image.slice(alongAxis: 1, y..<(y + tileHeight))
            for x in origins(length: width) {
                body(band.slice(alongAxis: 2, x..<(x + tileWidth)).reshaped(to: [1, 3, tileHeight, tileWidth]), x, y)
            }
        }
    }
}
