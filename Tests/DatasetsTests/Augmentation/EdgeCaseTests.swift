import Testing
import Randomness
@testable import Datasets

private let box = AugmentationFixtures.box

@Suite("Augmentations on tiny images, empty targets and mixed sizes")
struct EdgeCaseTests {
    private let everything = """
        flip(1), scale-jitter(0.1-3.0, p=1), crop(0.1-1.0, p=1), translate(1, p=1), rotate90(1), \
        color(brightness=1, contrast=1, saturation=1, hue=0.5, p=1), blur(0.1-5, p=1), noise(0-50, p=1), \
        cutout(0.1-1.0, count=3, p=1), copy-paste(p=1, objects=1), mosaic(1)
        """

    @Test("every transform at p = 1 on 1×1 to 7×3 images: no trap, boxes stay inside the image with positive area",
          arguments: [(1, 1), (1, 5), (2, 3), (7, 3)])
    func tinyImages(width: Int, height: Int) throws {
        let list = try AugmentationList(parsing: everything)
        let sources = [
            AugmentationFixtures.sample(width: width, height: height, boxes: [box(0, 0, Float(width), Float(height))]),
            AugmentationFixtures.sample(width: 3, height: 2, boxes: []),
            AugmentationFixtures.sample(width: 9, height: 9, boxes: [box(2, 2, 8, 8), box(0.5, 0.5, 1.5, 1.5)]),
        ]
        for seed: UInt64 in 0..<20 {
            var generator = SplitMix64(seed: seed)
            let out = list.apply(to: sources[0], sources: sources, using: &generator)
            let image = out.sample.image
            #expect(image.pixels.count == image.width * image.height * 3)
            for b in out.sample.target.boxes {
                #expect(b.x1 >= 0 && b.y1 >= 0 && b.x2 <= Float(image.width) && b.y2 <= Float(image.height) && b.area > 0,
                        "seed \(seed): \(b) in \(image)")
            }
            #expect(out.sample.target.labels.count == out.sample.target.boxes.count)
        }
    }

    @Test("an empty list and an empty target pass through; repeat-factor alone changes no sample")
    func empty() throws {
        let sample = AugmentationFixtures.sample(width: 4, height: 4, boxes: [])
        var generator = SplitMix64(seed: 1)
        #expect(AugmentationList.none.apply(to: sample, sources: [sample], using: &generator) == AugmentedSample(sample))
        #expect(generator == SplitMix64(seed: 1))
        let repeatOnly = try AugmentationList(parsing: "repeat-factor(objects=2)")
        #expect(repeatOnly.apply(to: sample, sources: [sample], using: &generator) == AugmentedSample(sample))
        #expect(generator == SplitMix64(seed: 1) && repeatOnly.isFlipsOnly && repeatOnly.transforms.isEmpty)
    }
}
