import Foundation
import Testing
import TestSupport
@testable import Datasets

@Suite("Digits detection generator")
struct DigitsDetectionTests {
    static let glyphs: DigitGlyphs = {
        do { return try DigitGlyphs.load(datasetsFolder: BundledData.folder) } catch { fatalError("\(error)") }
    }()

    @Test("the UCI digits load: 1,797 samples, the first a 0 with the known top row")
    func glyphs() throws {
        let glyphs = Self.glyphs
        #expect(glyphs.count == 1797)
        #expect(glyphs.digits[0] == 0 && glyphs.digits[1] == 1)
        #expect(Array(glyphs.intensities[0].prefix(8)) == [0, 0, 5, 13, 9, 1, 0, 0])
        #expect((0...9).allSatisfy { digit in glyphs.digits.filter { $0 == digit }.count >= 170 })
    }

    @Test("a malformed digits file names the line")
    func malformed() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("digits.csv")
        let good = Array(repeating: "0", count: 64).joined(separator: ",") + ",3"
        try (good + "\n" + good.replacingOccurrences(of: ",3", with: ",12") + "\n").write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: AnnotationError.malformed(file: url.path, at: .line(2),
                                                  reason: "expected 64 integers in 0...16 and a label in 0...9")) {
            try DigitGlyphs.load(from: url)
        }
    }

    @Test("canvases respect the constraints: 3–8 digits, 16–40 px, IoU < 0.1, the split's samples",
          arguments: DatasetSplit.allCases)
    func constraints(split: DatasetSplit) {
        let generator = DigitsDetection(glyphs: Self.glyphs)
        let pool = split == .train ? DigitsDetection.trainingSamples : DigitsDetection.testSamples
        for index in 0..<40 {
            let canvas = generator.canvas(index, split: split, seed: 7)
            let sample = canvas.sample
            #expect(sample.image.width == 128 && sample.image.height == 128)
            #expect((3...8).contains(sample.target.count), "\(sample.name): \(sample.target.count) digits")
            #expect(canvas.placements.map(\.box) == sample.target.boxes)
            for placement in canvas.placements {
                #expect((16...40).contains(placement.region.width) && placement.region.width == placement.region.height)
                #expect(pool.contains(placement.sampleIndex))
                #expect(placement.digit == Self.glyphs.digits[placement.sampleIndex])
                let square = placement.region.box
                #expect(placement.box.intersection(square) == placement.box, "box inside its pasted square")
                #expect(square.x1 >= 0 && square.y1 >= 0 && square.x2 <= 128 && square.y2 <= 128)
            }
            #expect(sample.target.labels == canvas.placements.map { $0.digit + 1 })
            let boxes = sample.target.boxes
            for i in boxes.indices {
                for j in boxes.indices where j > i {
                    #expect(boxes[i].iou(with: boxes[j]) < 0.1, "\(sample.name): boxes \(i), \(j)")
                }
            }
        }
    }

    @Test("generation is deterministic: same seed, same canvas; other seed or split, another")
    func determinism() {
        let generator = DigitsDetection(glyphs: Self.glyphs)
        let first = generator.canvas(3, split: .train, seed: 42)
        #expect(generator.canvas(3, split: .train, seed: 42) == first)
        #expect(generator.canvas(3, split: .train, seed: 43).sample.image != first.sample.image)
        #expect(generator.canvas(3, split: .test, seed: 42).sample.image != first.sample.image)
        let dataset = generator.dataset(.train, count: 5, seed: 42)
        #expect(dataset.samples[3] == first.sample)
        #expect(dataset.classNames == ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
    }

    @Test("canvas 0 of seed 0 is pinned (any change to the generator shows here)")
    func pinned() {
        let canvas = DigitsDetection(glyphs: Self.glyphs).canvas(0, split: .train, seed: 0)
        // FNV-1a over the pixels; the value was recorded from this implementation.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in canvas.sample.image.pixels { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        #expect(hash == Self.pinnedHash)
        #expect(canvas.placements.map(\.sampleIndex) == Self.pinnedSamples)
        #expect(canvas.sample.target.boxes == Self.pinnedBoxes)
    }

    @Test("digit pixels are ink-coloured where the glyph is full, the background stays dark")
    func rendering() {
        let canvas = DigitsDetection(glyphs: Self.glyphs).canvas(1, split: .test, seed: 5)
        let image = canvas.sample.image
        // Background: grey level < 48 plus noise < 32, so every channel < 80 away from strokes.
        let darkCorners = [(0, 0), (127, 0), (0, 127), (127, 127)].filter { x, y in
            let pixel = image[x, y]
            return max(pixel.red, pixel.green, pixel.blue) < 80
        }
        #expect(darkCorners.count >= 2)
        // The box of each digit contains a pixel whose channels are all ≥ 150 (ink ≥ 170 at alpha ≥ 0.9).
        for placement in canvas.placements {
            let box = placement.box
            var bright = false
            for y in Int(box.y1)..<Int(box.y2) {
                for x in Int(box.x1)..<Int(box.x2) where min(image[x, y].red, image[x, y].green, image[x, y].blue) >= 150 {
                    bright = true
                }
            }
            #expect(bright)
        }
    }
}
