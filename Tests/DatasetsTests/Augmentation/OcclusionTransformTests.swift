import Testing
import Randomness
@testable import Datasets

private let box = AugmentationFixtures.box
private let fill = augmentationFillColor

@Suite("Occluding augmentations: cutout, copy-paste, mosaic")
struct OcclusionTransformTests {
    @Test("union area counts overlaps once; a box stays when at least half of it is visible")
    func occlusion() {
        #expect(DetectionTarget.unionArea(of: [box(0, 0, 4, 10), box(2, 0, 6, 10)]) == 60)
        #expect(DetectionTarget.unionArea(of: [box(0, 0, 3, 10), box(7, 0, 10, 10), box(1, 1, 2, 2)]) == 60)
        let target = DetectionTarget(boxes: [box(0, 0, 10, 10)], labels: [1])
        #expect(target.occluded(by: [box(0, 0, 5, 10)], minimumVisibleFraction: 0.5).count == 1)  // 50 visible: kept
        #expect(target.occluded(by: [box(0, 0, 6, 10)], minimumVisibleFraction: 0.5).count == 0)  // 40: dropped
        // Two rectangles overlapping by 20: union 60 → 40 visible → dropped (summing would say 20).
        #expect(target.occluded(by: [box(0, 0, 4, 10), box(2, 0, 6, 10)], minimumVisibleFraction: 0.5).count == 0)
        #expect(target.occluded(by: [box(-5, -5, 2, 15)], minimumVisibleFraction: 0.5) == target)  // 20 covered
        #expect(target.occluded(by: [], minimumVisibleFraction: 1) == target)
    }

    @Test("cutout: erased pixels take the fill colour; mostly covered boxes drop, the others stay unchanged")
    func cutout() {
        let stored = AugmentationFixtures.sample(width: 10, height: 10, boxes: [box(0, 0, 10, 10), box(6, 0, 10, 4), box(0, 0, 4, 5)])
        let out = Cutout.erased(stored, regions: [PixelRegion(x: 0, y: 0, width: 6, height: 10)], minimumVisibleFraction: 0.5)
        #expect(out.target.boxes == [box(6, 0, 10, 4)] && out.target.labels == [2])
        #expect(out.image[5, 9] == fill && out.image[0, 0] == fill && out.image[6, 0] == stored.image[6, 0])
        // With a lower threshold the big box (40% visible) stays.
        #expect(Cutout.erased(stored, regions: [PixelRegion(x: 0, y: 0, width: 6, height: 10)], minimumVisibleFraction: 0.4).target.labels == [1, 2])
    }

    @Test("cutout: seeded rectangles inside the image; the same seed gives the same pixels")
    func cutoutSeeds() {
        let stored = AugmentedSample(AugmentationFixtures.sample(width: 20, height: 10, boxes: [box(1, 1, 5, 5)]))
        func run(_ seed: UInt64) -> AugmentedSample {
            var g = SplitMix64(seed: seed)
            var s = stored
            Cutout(count: 3, sizes: 0.2...0.4, probability: 1).apply(to: &s, sources: [], using: &g)
            return s
        }
        #expect(run(4) == run(4))
        let erased = run(4).sample.image.pixels.enumerated().filter { $0.element != stored.sample.image.pixels[$0.offset] }.count
        // Three rectangles of 4–8 × 2–4 pixels: at most 96 pixels of 3 bytes (overlaps count once).
        #expect(erased > 0 && erased <= 96 * 3)
        #expect(run(4).frame == stored.frame)
    }

    @Test("copy-paste: the source object's pixels land at its box; occluded boxes drop; pasted boxes are appended")
    func copyPaste() {
        var sourceImage = RGBImage(width: 10, height: 10, filledWith: .white)
        for y in 1..<3 { for x in 1..<3 { sourceImage[x, y] = .red } }
        let source = DetectionSample(name: "src", image: sourceImage,
                                     target: DetectionTarget(boxes: [box(1.5, 1.5, 2.5, 2.5), box(6, 6, 9, 9)], labels: [2, 3]))
        let stored = AugmentationFixtures.sample(width: 10, height: 10, boxes: [
            box(0, 0, 4, 4),  // 4 of 16 covered → kept
            box(1, 1, 3, 4),  // 4 of 6 covered → dropped
        ])
        let out = CopyPaste.pasted(objects: [0], of: source, into: stored)
        // The fractional box is pasted as its whole-pixel rectangle (1, 1, 3, 3).
        #expect(out.image[1, 1] == .red && out.image[2, 2] == .red && out.image[3, 3] == stored.image[3, 3])
        #expect(out.image[0, 0] == stored.image[0, 0])
        #expect(out.target.boxes == [box(0, 0, 4, 4), box(1.5, 1.5, 2.5, 2.5)])
        #expect(out.target.labels == [1, 2])
        // A source larger than the image: a pasted box is clipped to the image.
        let wide = DetectionSample(name: "w", image: RGBImage(width: 20, height: 10),
                                   target: DetectionTarget(boxes: [box(8, 2, 14, 4)], labels: [5]))
        #expect(CopyPaste.pasted(objects: [0], of: wide, into: stored).target.boxes.last == box(8, 2, 10, 4))
    }

    @Test("copy-paste draws a source and a subset of its objects; the same seed gives the same sample")
    func copyPasteSeeds() {
        let sources = (0..<4).map { AugmentationFixtures.sample(width: 8, height: 8, boxes: [box(0, 0, 2, 2), box(4, 4, 7, 7), box(2, 5, 4, 7)]).with(name: "\($0)") }
        func run(_ seed: UInt64) -> AugmentedSample {
            var g = SplitMix64(seed: seed)
            var s = AugmentedSample(AugmentationFixtures.sample(width: 8, height: 8, boxes: []))
            CopyPaste(objectFraction: 1, probability: 1).apply(to: &s, sources: sources, using: &g)
            return s
        }
        #expect(run(2) == run(2))
        #expect(run(2).sample.target.count == 3)  // every object pasted at fraction 1
        #expect(run(2).frame == .source(.none))
    }

    @Test("mosaic: each quadrant shows its window of its sample; boxes follow the tile rule, then move")
    func mosaic() {
        let colours: [RGBColor] = [.red, .green, .yellow, .white]
        let parts = (0..<4).map { i in
            DetectionSample(name: "\(i)", image: RGBImage(width: 4, height: 4, filledWith: colours[i]),
                            target: DetectionTarget(boxes: [[box(0, 0, 2, 2)], [box(1, 1, 3, 3)], [], [box(0, 0, 1, 2)]][i],
                                                    labels: [[1], [2], [], [4]][i]))
        }
        let windows = Array(repeating: PixelRegion(x: 0, y: 0, width: 2, height: 2), count: 4)
        let out = Mosaic.assembled(parts, windows: windows, size: PixelSize(width: 4, height: 4), name: "m", centerX: 2, centerY: 2)
        #expect(out.image[0, 0] == .red && out.image[3, 0] == .green && out.image[0, 3] == .yellow && out.image[3, 3] == .white)
        // Part 1's box has 1 of 4 inside its window → dropped; part 3's box moves by (2, 2).
        #expect(out.target.boxes == [box(0, 0, 2, 2), box(2, 2, 3, 4)] && out.target.labels == [1, 4])
        #expect(Mosaic.quadrants(width: 10, height: 6, centerX: 3, centerY: 4)
                == [PixelRegion(x: 0, y: 0, width: 3, height: 4), PixelRegion(x: 3, y: 0, width: 7, height: 4),
                    PixelRegion(x: 0, y: 4, width: 3, height: 2), PixelRegion(x: 3, y: 4, width: 7, height: 2)])
    }

    @Test("mosaic: the same seed gives the same pixels, the tile keeps its size, the frame is altered")
    func mosaicSeeds() {
        let sources = (0..<5).map { AugmentationFixtures.sample(width: 12, height: 8, boxes: [box(leftEdge($0), 1, 6, 5)]) }
        func run(_ seed: UInt64) -> AugmentedSample {
            var g = SplitMix64(seed: seed)
            var s = AugmentedSample(sources[0])
            Mosaic(probability: 1).apply(to: &s, sources: sources, using: &g)
            return s
        }
        #expect(run(8) == run(8))
        #expect(run(8).sample.image.width == 12 && run(8).sample.image.height == 8 && run(8).frame == .altered)
    }
}

/// A Float from a small sample index (the box's left edge in the mosaic sources).
private func leftEdge(_ i: Int) -> Float { Float(i) }

extension DetectionSample {
    /// The sample under another name.
    func with(name: String) -> DetectionSample { DetectionSample(name: name, image: image, target: target) }
}
