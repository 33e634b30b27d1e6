import Testing
import Randomness
@testable import Datasets

private let box = AugmentationFixtures.box
private let fill = augmentationFillColor

@Suite("Geometric augmentations: pixels and boxes")
struct GeometricTransformTests {
    @Test("window: pixels inside come from the image, the rest is the fill colour; paste clips")
    func window() {
        let image = AugmentationFixtures.coordinateImage(width: 3, height: 2)
        let shifted = image.window(PixelRegion(x: -1, y: 1, width: 3, height: 2), fill: fill)
        #expect(shifted[0, 0] == fill && shifted[1, 0] == image[0, 1] && shifted[2, 0] == image[1, 1])
        #expect(shifted[0, 1] == fill && shifted[1, 1] == fill && shifted[2, 1] == fill)
        #expect(image.window(PixelRegion(x: 0, y: 0, width: 3, height: 2), fill: fill) == image)
        var canvas = RGBImage(width: 2, height: 2)
        canvas.paste(image, x: -2, y: 1)  // only image column 2, row 0 lands, at (0, 1)
        #expect(canvas[0, 1] == image[2, 0] && canvas[0, 0] == .black && canvas[1, 1] == .black)
    }

    @Test("bilinear resize with half-pixel centres: hand values, and the same size is the identity")
    func resize() {
        let row = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 100, 100, 100])
        // Output x samples source s = (x + 0.5)/2 − 0.5, clamped: 0, 0.25, 0.75, 1 → 0, 25, 75, 100.
        #expect(row.resized(width: 4, height: 1).pixels == [0, 0, 0, 25, 25, 25, 75, 75, 75, 100, 100, 100])
        let four = RGBImage(width: 4, height: 1, pixels: [0, 0, 0, 100, 100, 100, 200, 200, 200, 40, 40, 40])
        // s = 0.5 → (0 + 100)/2 = 50; s = 2.5 → (200 + 40)/2 = 120.
        #expect(four.resized(width: 2, height: 1).pixels == [50, 50, 50, 120, 120, 120])
        let column = RGBImage(width: 1, height: 2, pixels: [0, 10, 20, 100, 110, 120])
        #expect(column.resized(width: 1, height: 4).pixels == [0, 10, 20, 25, 35, 45, 75, 85, 95, 100, 110, 120])
        let image = AugmentationFixtures.coordinateImage(width: 5, height: 3)
        #expect(image.resized(width: 5, height: 3) == image)
    }

    @Test("scale jitter up: boxes scale, then the half-area rule on the window drops, clips and shifts")
    func scaleUp() {
        let sample = AugmentedSample(AugmentationFixtures.sample(width: 10, height: 10, boxes: [
            box(2, 2, 6, 6),  // ×2 → (4, 4, 12, 12): 49 of 64 inside (5, 5, 15, 15) → kept, (0, 0, 7, 7)
            box(0, 0, 4, 4),  // → (0, 0, 8, 8): 9 of 64 inside → dropped
            box(5, 5, 9, 9),  // → (10, 10, 18, 18): 25 of 64 → dropped
        ]))
        let out = ScaleJitter.rescaled(sample, to: PixelSize(width: 20, height: 20), window: PixelRegion(x: 5, y: 5, width: 10, height: 10))
        #expect(out.sample.target.boxes == [box(0, 0, 7, 7)])
        #expect(out.sample.target.labels == [1])
        #expect(out.frame == .altered)
        #expect(out.sample.image.width == 10 && out.sample.image.height == 10)
        // Output (0, 0) is resized (5, 5): source s = 5.5/2 − 0.5 = 2.25 in both axes, so
        // red = x = 2.25 → 2 and blue = 10x + y = 24.75 → 25.
        #expect(out.sample.image[0, 0] == RGBColor(red: 2, green: 2, blue: 25))
    }

    @Test("scale jitter down: boxes scale, the image is padded at the bottom-right, sub-pixel boxes drop")
    func scaleDown() {
        let sample = AugmentedSample(AugmentationFixtures.sample(width: 10, height: 10, boxes: [box(2, 2, 6, 6), box(0, 0, 1, 1)]))
        let out = ScaleJitter.rescaled(sample, to: PixelSize(width: 5, height: 5), window: PixelRegion(x: 0, y: 0, width: 10, height: 10))
        #expect(out.sample.target.boxes == [box(1, 1, 3, 3)])  // (0, 0, 0.5, 0.5) is under 1 px: dropped
        #expect(out.sample.image[5, 5] == fill && out.sample.image[9, 0] == fill && out.sample.image[4, 4] != fill)
    }

    @Test("scale jitter with factor 1 leaves pixels, boxes and frame; the same seed gives the same pixels")
    func scaleSeeds() {
        let stored = AugmentationFixtures.sample(width: 12, height: 8, boxes: [box(1, 1, 5, 5), box(6, 2, 11, 7)])
        var generator = SplitMix64(seed: 1)
        var same = AugmentedSample(stored)
        ScaleJitter(scales: 1...1).apply(to: &same, sources: [], using: &generator)
        #expect(same == AugmentedSample(stored))
        func jittered(_ seed: UInt64) -> AugmentedSample {
            var g = SplitMix64(seed: seed)
            var s = AugmentedSample(stored)
            ScaleJitter(scales: 0.5...2).apply(to: &s, sources: [], using: &g)
            return s
        }
        #expect(jittered(7) == jittered(7))
        #expect(jittered(7).sample.image.width == 12 && jittered(7).sample.image.height == 8)
        #expect((0..<10).map { jittered($0).sample.image }.contains { $0 != jittered(7).sample.image })
    }

    @Test("random crop: the tile rule on the window, then boxes scale back to the tile size")
    func crop() {
        let sample = AugmentedSample(AugmentationFixtures.sample(width: 10, height: 10, boxes: [
            box(1, 1, 3, 3),  // inside → ×2 → (2, 2, 6, 6)
            box(4, 4, 8, 8),  // 1 of 16 inside → dropped
            box(3, 3, 6, 6),  // 4 of 9 inside → dropped
            box(2, 0, 6, 4),  // 12 of 16 inside → clipped (2, 0, 5, 4) → (4, 0, 10, 8)
        ]))
        let out = RandomCrop.cropped(sample, to: PixelRegion(x: 0, y: 0, width: 5, height: 5))
        #expect(out.sample.target.boxes == [box(2, 2, 6, 6), box(4, 0, 10, 8)])
        #expect(out.sample.target.labels == [1, 4])
        // Output (1, 1) samples crop s = 1.5/2 − 0.5 = 0.25: red 0.25 → 0, blue 2.75 → 3.
        #expect(out.sample.image[1, 1] == RGBColor(red: 0, green: 0, blue: 3))
        #expect(out.frame == .altered)
        #expect(RandomCrop.cropped(sample, to: PixelRegion(x: 0, y: 0, width: 10, height: 10)) == sample)
    }

    @Test("translation: pixels and boxes move by (dx, dy); boxes less than half inside drop")
    func translation() {
        let stored = AugmentationFixtures.sample(width: 10, height: 10, boxes: [
            box(1, 1, 4, 4),  // → (4, −1, 7, 2): 6 of 9 inside → kept, clipped (4, 0, 7, 2)
            box(8, 5, 10, 7),  // → (11, 3, 13, 5): outside → dropped
            box(6, 6, 9, 9),  // → (9, 4, 12, 7): 3 of 9 inside → dropped
        ])
        let out = Translation.shifted(AugmentedSample(stored), dx: 3, dy: -2)
        #expect(out.sample.target.boxes == [box(4, 0, 7, 2)])
        #expect(out.sample.target.labels == [1])
        #expect(out.sample.image[3, 0] == stored.image[0, 2] && out.sample.image[9, 7] == stored.image[6, 9])
        #expect(out.sample.image[2, 0] == fill && out.sample.image[5, 8] == fill)
        #expect(Translation.shifted(AugmentedSample(stored), dx: 0, dy: 0) == AugmentedSample(stored))
    }

    @Test("quarter turns: pixel (x, y) → (H − 1 − y, x) clockwise; boxes follow exactly; four turns are none")
    func quarterTurns() {
        // 3 × 2 image; the box (2, 1, 3, 2) encloses exactly pixel (2, 1).
        let stored = AugmentationFixtures.sample(width: 3, height: 2, boxes: [box(2, 1, 3, 2), box(0, 0, 1, 2)])
        let clockwise = QuarterTurn.turned(AugmentedSample(stored), quarterTurns: 1)
        #expect(clockwise.sample.image.width == 2 && clockwise.sample.image.height == 3)
        #expect(clockwise.sample.image[1, 0] == stored.image[0, 0] && clockwise.sample.image[0, 2] == stored.image[2, 1])
        // (H − y2, x1, H − y1, x2) with H = 2: the marked pixel's box encloses (0, 2).
        #expect(clockwise.sample.target.boxes == [box(0, 2, 1, 3), box(0, 0, 2, 1)])
        #expect(clockwise.frame == .altered)
        let counter = QuarterTurn.turned(AugmentedSample(stored), quarterTurns: 3)
        #expect(counter.sample.image[0, 2] == stored.image[0, 0])
        // (y1, W − x2, y2, W − x1) with W = 3.
        #expect(counter.sample.target.boxes == [box(1, 0, 2, 1), box(0, 2, 2, 3)])
        let half = QuarterTurn.turned(AugmentedSample(stored), quarterTurns: 2)
        #expect(half.sample == stored.flipped(.both) && half.frame == .source(.both))
        var turned = AugmentedSample(stored)
        for _ in 0..<4 { turned = QuarterTurn.turned(turned, quarterTurns: 1) }
        #expect(turned.sample == stored)
    }

    @Test("flip transform: draws as Flip.random, flips pixels and boxes, and records the flip in the frame")
    func flip() {
        let stored = AugmentationFixtures.sample(width: 4, height: 3, boxes: [box(0, 0, 1, 2)])
        for seed: UInt64 in 0..<8 {
            var a = SplitMix64(seed: seed), b = SplitMix64(seed: seed)
            var sample = AugmentedSample(stored)
            RandomFlip(probability: 0.5).apply(to: &sample, sources: [], using: &a)
            let expected = Flip.random(probability: 0.5, using: &b)
            #expect(sample.sample == stored.flipped(expected) && sample.frame == .source(expected) && a == b)
        }
        #expect(SampleFrame.source(.horizontalOnly).flipped(.both) == .source(.verticalOnly))
        #expect(SampleFrame.altered.flipped(.both) == .altered)
    }
}
