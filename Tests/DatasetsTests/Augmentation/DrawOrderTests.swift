import Testing
import Randomness
@testable import Datasets

private let box = AugmentationFixtures.box

/// Each transform's `apply` against its documented draws, replayed by hand on a second
/// generator and fed to the transform's deterministic form.
@Suite("Augmentation draw order, as documented")
struct DrawOrderTests {
    private let stored = AugmentationFixtures.sample(width: 16, height: 12, boxes: [box(1, 1, 6, 5), box(8, 3, 15, 11), box(4, 6, 9, 12)])
    private var sources: [DetectionSample] {
        (0..<4).map { i in AugmentationFixtures.sample(width: 16, height: 12, boxes: [box(Float(i), 0, 7, 6), box(9, 5, 14, 10)]) }
    }

    /// Runs `transform` with seed `seed` and returns the result and the generator after it.
    private func applied(_ transform: some SampleTransform, seed: UInt64) -> (AugmentedSample, SplitMix64) {
        var generator = SplitMix64(seed: seed)
        var sample = AugmentedSample(stored)
        transform.apply(to: &sample, sources: sources, using: &generator)
        return (sample, generator)
    }

    @Test("scale jitter: p, factor, then the window origin when the resized image is larger", arguments: 0..<6)
    func scaleJitter(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let applies = g.bool(probability: 1)
        #expect(applies)
        let f = g.double(in: 0.5..<2.0)
        let w = Int((16 * f).rounded()), h = Int((12 * f).rounded())
        let x = w > 16 ? g.int(in: 0...(w - 16)) : 0
        let y = h > 12 ? g.int(in: 0...(h - 12)) : 0
        let expected = ScaleJitter.rescaled(AugmentedSample(stored), to: PixelSize(width: w, height: h),
                                            window: PixelRegion(x: x, y: y, width: 16, height: 12))
        let (sample, after) = applied(ScaleJitter(scales: 0.5...2.0), seed: seed)
        #expect(sample == expected && after == g)
    }

    @Test("crop: p, side fraction, x, y", arguments: 0..<6)
    func crop(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        guard g.bool(probability: 0.5) else {
            #expect(applied(RandomCrop(), seed: seed).0 == AugmentedSample(stored))
            return
        }
        let s = g.double(in: 0.5..<1.0)
        let w = Int((16 * s).rounded()), h = Int((12 * s).rounded())
        let region = PixelRegion(x: g.int(in: 0...(16 - w)), y: g.int(in: 0...(12 - h)), width: w, height: h)
        let (sample, after) = applied(RandomCrop(), seed: seed)
        #expect(sample == RandomCrop.cropped(AugmentedSample(stored), to: region) && after == g)
    }

    @Test("translate: p, dx, dy", arguments: 0..<6)
    func translate(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        _ = g.unit()
        let dx = g.int(in: -4...4), dy = g.int(in: -3...3)  // ⌊0.25 · 16⌋, ⌊0.25 · 12⌋
        let (sample, after) = applied(Translation(fraction: 0.25, probability: 1), seed: seed)
        #expect(sample == Translation.shifted(AugmentedSample(stored), dx: dx, dy: dy) && after == g)
    }

    @Test("quarter turn: p, then k = 1 + int(below: 3)", arguments: 0..<6)
    func quarterTurn(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        _ = g.unit()
        let k = 1 + g.int(below: 3)
        let (sample, after) = applied(QuarterTurn(probability: 1), seed: seed)
        #expect(sample == QuarterTurn.turned(AugmentedSample(stored), quarterTurns: k) && after == g)
    }

    @Test("cutout: p, then per rectangle width and height fractions, x, y", arguments: 0..<6)
    func cutout(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        _ = g.unit()
        var regions: [PixelRegion] = []
        for _ in 0..<2 {
            let w = Int((16 * g.double(in: 0.2..<0.5)).rounded()), h = Int((12 * g.double(in: 0.2..<0.5)).rounded())
            regions.append(PixelRegion(x: g.int(in: 0...(16 - w)), y: g.int(in: 0...(12 - h)), width: w, height: h))
        }
        let (sample, after) = applied(Cutout(count: 2, sizes: 0.2...0.5, probability: 1), seed: seed)
        #expect(sample.sample == Cutout.erased(stored, regions: regions, minimumVisibleFraction: 0.5) && after == g)
    }

    @Test("copy-paste: p, the source, one unit() per source object", arguments: 0..<6)
    func copyPaste(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        _ = g.unit()
        let source = sources[g.int(below: 4)]
        let chosen = (0..<source.target.count).filter { _ in g.bool(probability: 0.5) }
        let (sample, after) = applied(CopyPaste(objectFraction: 0.5, probability: 1), seed: seed)
        #expect(sample.sample == CopyPaste.pasted(objects: chosen, of: source, into: stored) && after == g)
    }

    @Test("mosaic: p, three sources, the centre, then each quadrant's window origin", arguments: 0..<6)
    func mosaic(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        _ = g.unit()
        let parts = [stored] + (0..<3).map { _ in sources[g.int(below: 4)] }
        let cx = g.int(in: 4...12), cy = g.int(in: 3...9)
        let windows = Mosaic.quadrants(width: 16, height: 12, centerX: cx, centerY: cy).enumerated().map { q, quadrant in
            PixelRegion(x: g.int(in: 0...(parts[q].image.width - quadrant.width)), y: g.int(in: 0...(parts[q].image.height - quadrant.height)),
                        width: quadrant.width, height: quadrant.height)
        }
        let (sample, after) = applied(Mosaic(probability: 1), seed: seed)
        let expected = Mosaic.assembled(parts, windows: windows, size: PixelSize(width: 16, height: 12), name: "s", centerX: cx, centerY: cy)
        #expect(sample.sample == expected && sample.frame == .altered && after == g)
    }
}
