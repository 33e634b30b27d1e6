// Hand-computed checks of the Tensor-level box helpers, the coder, matcher, anchors and tiling.
import Datasets
import Detection
import Kernels
import TensorCore
import Testing
import TestSupport

@Suite struct BoxesTests {
    let boxes = Tensor(shape: [3, 4], scalars: [0, 0, 10, 10,   5, 0, 15, 10,   20, 20, 20, 30])

    @Test func pairwiseIoUOfHandBoxes() {
        let iou = Boxes.pairwiseIoU(boxes, boxes)
        #expect(iou.shape == [3, 3])
        // Overlap 5×10 = 50, union 150: IoU 1/3. The zero-width box overlaps nothing (IoU 0, not NaN).
        expectClose(iou.scalars, [1, 1.0 / 3, 0,   1.0 / 3, 1, 0,   0, 0, 0])
        #expect(Boxes.pairwiseIoU(boxes, Tensor(shape: [0, 4], scalars: [])).shape == [3, 0])
    }

    @Test func clippingAndTinyBoxes() {
        let clipped = Boxes.clipped(Tensor(shape: [2, 4], scalars: [-5, 2, 30, 8,   50, 50, 60, 60]),
                                    imageHeight: 20, imageWidth: 25)
        #expect(clipped.scalars == [0, 2, 25, 8,   25, 20, 25, 20])
        #expect(Boxes.indicesWithMinimumSide(clipped, 1e-3) == [0])
        #expect(Boxes.indicesWithMinimumSide(boxes, 1e-2) == [0, 1])
        #expect(Boxes.areas(boxes) == [100, 100, 0])
        #expect(!Boxes.haveValidCorners(boxes) && Boxes.haveValidCorners(clipped.slice(alongAxis: 0, 0..<1)))
    }

    @Test func nmsKeepsTheBestOfEachCluster() {
        let scores: [Float] = [0.9, 0.8, 0.7]
        // IoU(0, 1) = 1/3: kept at threshold 0.5, suppressed at 0.3.
        #expect(Boxes.nms(boxes, scores: scores, iouThreshold: 0.5) == [0, 1, 2])
        #expect(Boxes.nms(boxes, scores: scores, iouThreshold: 0.3) == [0, 2])
        #expect(Boxes.batchedNMS(boxes, scores: scores, classes: [1, 2, 1], iouThreshold: 0.3) == [0, 1, 2])
        #expect(Boxes.nms(Tensor(shape: [0, 4], scalars: []), scores: [], iouThreshold: 0.5).isEmpty)
    }

    @Test func coderRoundTripAndHandDeltas() {
        let anchors = Tensor(shape: [1, 4], scalars: [0, 0, 10, 20])
        let target = Tensor(shape: [1, 4], scalars: [5, 0, 15, 40])
        // Centres (5, 10) → (10, 20); sizes 10×20 → 10×40: dx = 0.5, dy = 0.5, dw = 0, dh = log 2.
        let deltas = BoxCoder.rpn.encode(target, relativeTo: anchors)
        expectClose(deltas.scalars, [0.5, 0.5, 0, Float(0.6931472)])
        let weighted = BoxCoder.roiHead.encode(target, relativeTo: anchors)
        expectClose(weighted.scalars, [5, 5, 0, 5 * Float(0.6931472)])
        expectClose(BoxCoder.roiHead.decode(weighted, relativeTo: anchors).scalars, target.scalars, absoluteTolerance: 1e-4)
    }

    @Test func anchorsFollowTorchvisionOrder() {
        let generator = AnchorGenerator(sizes: [16, 32, 64], aspectRatios: [0.5, 1, 2], stride: 8)
        let anchors = generator.anchors(featureHeight: 2, featureWidth: 3)
        #expect(anchors.shape == [2 * 3 * 9, 4])
        // Ratio 0.5, size 16: w = 16·√2 = 22.6, h = 11.3 → round(±11.3, ±5.7) = (−11, −6, 11, 6).
        #expect(Array(anchors.scalars[0..<4]) == [-11, -6, 11, 6])
        // Ratio 1, size 32 is anchor 4; location (y 1, x 2) shifts by (16, 8).
        let row = ((1 * 3 + 2) * 9 + 4) * 4
        #expect(Array(anchors.scalars[row..<(row + 4)]) == [0, -8, 32, 24])
        #expect(generator.anchors(featureHeight: 2, featureWidth: 3) == anchors)
        #expect(generator.anchors(featureHeight: 0, featureWidth: 3).shape == [0, 4])
    }

    @Test func tileOriginsReachTheFarEdge() {
        #expect(Tiling(tileSize: 400, stride: 300).origins(length: 400) == [0])
        #expect(Tiling(tileSize: 400, stride: 300).origins(length: 128) == [0])
        #expect(Tiling(tileSize: 400, stride: 300).origins(length: 1000) == [0, 300, 600])
        #expect(Tiling(tileSize: 400, stride: 300).origins(length: 1035) == [0, 300, 600, 635])
        // The large NEON training image (2299 × 2472) gives 8 × 8 tiles.
        #expect(Tiling(tileSize: 400, stride: 300).origins(length: 2299).count == 8)
        #expect(Tiling(tileSize: 400, stride: 300).origins(length: 2472).count == 8)
    }
}
