import Foundation
import Testing
import Randomness
@testable import Datasets

@Suite("Pixel augmentations: colour, blur, noise")
struct PixelTransformTests {
    private func pixel(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> RGBImage {
        RGBImage(width: 1, height: 1, pixels: [r, g, b])
    }

    @Test("colour jitter: brightness scales and clamps, contrast blends with the mean grey, saturation with each grey")
    func colourFactors() {
        func adjusted(_ image: RGBImage, b: Double = 1, c: Double = 1, s: Double = 1, h: Double = 0) -> [UInt8] {
            ColorJitter.adjusted(image, brightness: b, contrast: c, saturation: s, hue: h).pixels
        }
        #expect(adjusted(pixel(100, 50, 20), b: 1.5) == [150, 75, 30])
        #expect(adjusted(pixel(100, 50, 20), b: 3) == [255, 150, 60])
        // Mean grey of black and (200, 200, 200) is 100: v ← 0.5 v + 50.
        let two = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 200, 200, 200])
        #expect(adjusted(two, c: 0.5) == [50, 50, 50, 150, 150, 150])
        // Grey of (100, 50, 20) = 0.299·100 + 0.587·50 + 0.114·20 = 61.53 → 62.
        #expect(adjusted(pixel(100, 50, 20), s: 0) == [62, 62, 62])
        // Half a turn negates the chroma: v ← 2·grey − v = (23.06, 73.06, 103.06).
        #expect(adjusted(pixel(100, 50, 20), h: 0.5) == [23, 73, 103])
        #expect(adjusted(pixel(80, 80, 80), h: 0.3) == [80, 80, 80])
        let image = AugmentationFixtures.coordinateImage(width: 7, height: 5)
        #expect(ColorJitter.adjusted(image, brightness: 1, contrast: 1, saturation: 1, hue: 0) == image)
    }

    @Test("colour jitter: the same seed gives the same pixels; probability 0 leaves the image but takes its draw")
    func colourSeeds() {
        let stored = AugmentedSample(AugmentationFixtures.sample(width: 6, height: 4, boxes: [AugmentationFixtures.box(0, 0, 2, 2)]))
        func run(_ seed: UInt64, _ jitter: ColorJitter) -> (AugmentedSample, SplitMix64) {
            var g = SplitMix64(seed: seed)
            var s = stored
            jitter.apply(to: &s, sources: [], using: &g)
            return (s, g)
        }
        let jitter = ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, probability: 1)
        #expect(run(3, jitter).0 == run(3, jitter).0)
        #expect(run(3, jitter).0.sample.image != stored.sample.image)
        #expect(run(3, jitter).0.sample.target == stored.sample.target && run(3, jitter).0.frame == stored.frame)
        var oneDraw = SplitMix64(seed: 3)
        _ = oneDraw.unit()
        let (kept, after) = run(3, ColorJitter(probability: 0))
        #expect(kept == stored && after == oneDraw)
    }

    @Test("Gaussian taps: exp(−k²/2σ²) normalised over k in −⌈3σ⌉...⌈3σ⌉")
    func taps() {
        let taps = GaussianBlur.taps(sigma: 0.5)
        // r = 2; sum = 1 + 2e^−2 + 2e^−8 = 1.2713414916.
        #expect(taps.count == 5)
        #expect(abs(taps[2] - 0.7865707) < 1e-6 && abs(taps[1] - 0.1064508) < 1e-6 && abs(taps[0] - 0.00026386) < 1e-7)
        #expect(taps[0] == taps[4] && taps[1] == taps[3])
        #expect(GaussianBlur.taps(sigma: 1).count == 7)
    }

    @Test("blur: an impulse spreads as the taps along rows and columns; a constant image stays constant")
    func blur() {
        var row = RGBImage(width: 5, height: 1)
        row[2, 0] = RGBColor(red: 255, green: 0, blue: 0)
        // 255 · (0.00026, 0.10645, 0.78657, …) = 0.07, 27.14, 200.58 → 0, 27, 201.
        let blurred = GaussianBlur.blurred(row, sigma: 0.5)
        #expect((0..<5).map { blurred[$0, 0].red } == [0, 27, 201, 27, 0])
        #expect((0..<5).allSatisfy { blurred[$0, 0].green == 0 && blurred[$0, 0].blue == 0 })
        var column = RGBImage(width: 1, height: 5)
        column[0, 2] = RGBColor(red: 0, green: 0, blue: 255)
        #expect((0..<5).map { GaussianBlur.blurred(column, sigma: 0.5)[0, $0].blue } == [0, 27, 201, 27, 0])
        let flat = RGBImage(width: 9, height: 4, filledWith: RGBColor(red: 10, green: 120, blue: 250))
        #expect(GaussianBlur.blurred(flat, sigma: 2) == flat)
        // Narrower than the filter: every tap is clamped, the mass still sums to 1.
        #expect(GaussianBlur.blurred(RGBImage(width: 2, height: 2, filledWith: .white), sigma: 3) == RGBImage(width: 2, height: 2, filledWith: .white))
    }

    @Test("noise: samples 2i and 2i + 1 use the halves of the i-th SplitMix64 output; σ 0 is the identity")
    func noiseValues() {
        let grey = RGBImage(width: 3, height: 1, filledWith: RGBColor(red: 128, green: 128, blue: 128))
        let noised = GaussianNoise.noised(grey, sigma: 4, seed: 99)
        var stream = SplitMix64(seed: 99)
        var expected: [Int] = []
        for _ in 0..<5 {
            let u = stream.next()
            for half in 0..<2 {
                let bytes = (0..<4).map { Double((u >> (32 * UInt64(half) + 8 * UInt64($0))) & 0xFF) + 0.5 }
                let z = (bytes.reduce(0, +) / 256 - 2) * 3.0.squareRoot()
                expected.append(Int((128 + 4 * z).rounded()))
            }
        }
        // 9 samples: the fifth output's high half is unused.
        #expect(noised.pixels.map(Int.init) == Array(expected.prefix(9)))
        #expect(GaussianNoise.noised(grey, sigma: 0, seed: 5) == grey)
    }

    @Test("noise: mean 0 and standard deviation σ over many samples; the same seed gives the same pixels")
    func noiseStatistics() {
        let grey = RGBImage(width: 100, height: 100, filledWith: RGBColor(red: 128, green: 128, blue: 128))
        let noised = GaussianNoise.noised(grey, sigma: 6, seed: 1)
        let values = noised.pixels.map { Double($0) - 128 }
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        // 30,000 samples: the mean's standard error is 0.035; rounding adds 1/12 to the variance
        // (the byte grid scales it by 1 − 1/256², negligible).
        #expect(abs(mean) < 0.15)
        #expect(abs(std - (36 + 1.0 / 12).squareRoot()) < 0.1)
        #expect(GaussianNoise.noised(grey, sigma: 6, seed: 1) == noised && GaussianNoise.noised(grey, sigma: 6, seed: 2) != noised)
    }
}
