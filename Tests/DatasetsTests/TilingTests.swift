import Testing
@testable import Datasets

@Suite("Tiling and flips")
struct TilingTests {
    @Test("origins: a 300 px grid of whole tiles plus one flush with the far edge")
    func origins() {
        let tiling = Tiling.reference
        #expect(tiling.origins(length: 2299) == [0, 300, 600, 900, 1200, 1500, 1800, 1899])
        #expect(tiling.origins(length: 2472) == [0, 300, 600, 900, 1200, 1500, 1800, 2072])
        #expect(tiling.origins(length: 400) == [0])
        #expect(tiling.origins(length: 250) == [0])
        #expect(tiling.origins(length: 700) == [0, 300])
        #expect(tiling.origins(length: 701) == [0, 300, 301])
        #expect(tiling.regions(width: 2299, height: 2472).count == 64)
        #expect(tiling.regions(width: 250, height: 120) == [PixelRegion(x: 0, y: 0, width: 250, height: 120)])
    }

    @Test("half-area rule on a hand-checked case")
    func halfArea() {
        // 16 × 10 image, 10 px tiles, stride 6: tiles x ∈ [0, 10) and [6, 16), one row.
        let tiling = Tiling(tileSize: 10, stride: 6)
        let target = DetectionTarget(boxes: [
            BoundingBox(x1: 4, y1: 2, x2: 12, y2: 6),  // area 32: 24 inside each tile → kept in both
            BoundingBox(x1: 8, y1: 0, x2: 12, y2: 2),  // area 8: exactly 4 inside tile 0 → kept (≥ half)
            BoundingBox(x1: 9, y1: 5, x2: 13, y2: 9),  // area 16: 4 inside tile 0 → dropped there
        ], labels: [1, 2, 3])
        let sample = DetectionSample(name: "s", image: RGBImage(width: 16, height: 10), target: target)
        let tiles = tiling.tiles(of: sample)
        #expect(tiles.map(\.name) == ["s@0,0", "s@6,0"])
        #expect(tiles[0].target.boxes == [BoundingBox(x1: 4, y1: 2, x2: 10, y2: 6), BoundingBox(x1: 8, y1: 0, x2: 10, y2: 2)])
        #expect(tiles[0].target.labels == [1, 2])
        #expect(tiles[1].target.boxes == [BoundingBox(x1: 0, y1: 2, x2: 6, y2: 6), BoundingBox(x1: 2, y1: 0, x2: 6, y2: 2),
                                          BoundingBox(x1: 3, y1: 5, x2: 7, y2: 9)])
        #expect(tiles[1].target.labels == [1, 2, 3])
    }

    @Test("a tile's pixels are the crop of the image at its origin")
    func tilePixels() {
        var image = RGBImage(width: 16, height: 10)
        for index in image.pixels.indices { image.pixels[index] = UInt8(index % 251) }
        let tiles = Tiling(tileSize: 10, stride: 6).tiles(of: DetectionSample(name: "s", image: image, target: .empty))
        #expect(tiles[1].image[0, 0] == image[6, 0])
        #expect(tiles[1].image[9, 9] == image[15, 9])
    }

    @Test("flips move boxes exactly: x1' = W − x2, y1' = H − y2")
    func flipBoxes() {
        let size = PixelSize(width: 400, height: 300)
        let box = BoundingBox(x1: 10, y1: 20, x2: 50, y2: 80)
        #expect(box.flipped(Flip(horizontal: true, vertical: false), in: size) == BoundingBox(x1: 350, y1: 20, x2: 390, y2: 80))
        #expect(box.flipped(Flip(horizontal: false, vertical: true), in: size) == BoundingBox(x1: 10, y1: 220, x2: 50, y2: 280))
        #expect(box.flipped(Flip(horizontal: true, vertical: true), in: size) == BoundingBox(x1: 350, y1: 220, x2: 390, y2: 280))
    }

    @Test("a flipped sample's box still covers its pixels, and flipping twice restores it", arguments: [
        Flip(horizontal: true, vertical: false), Flip(horizontal: false, vertical: true), Flip(horizontal: true, vertical: true),
    ])
    func flipRoundTrip(flip: Flip) {
        var image = RGBImage(width: 7, height: 5)
        image[1, 3] = .white  // the only lit pixel, inside box (1, 3, 2, 4)
        let sample = DetectionSample(name: "s", image: image,
                                     target: DetectionTarget(boxes: [BoundingBox(x1: 1, y1: 3, x2: 2, y2: 4)], labels: [1]))
        let flipped = sample.flipped(flip)
        let box = flipped.target.boxes[0]
        #expect(flipped.image[Int(box.x1), Int(box.y1)] == .white)
        #expect(box.width == 1 && box.height == 1)
        #expect(flipped.flipped(flip) == sample)
        #expect(sample.flipped(.none) == sample)
    }
}
