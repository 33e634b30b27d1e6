import Testing
import TensorCore
@testable import Datasets
import Kernels
import Randomness

@Suite("Normalisation and batching")
struct BatchSamplerTests {
    @Test("x = (pixel / 255 − mean) / std, NCHW layout, smaller images padded with 0")
    func normalisation() {
        var first = RGBImage(width: 3, height: 2)
        first[1, 0] = RGBColor(red: 255, green: 128, blue: 0)
        let second = RGBImage(width: 2, height: 1, filledWith: .white)
        let tensor = Normalization.imageNet.tensor(from: [first, second])
        #expect(tensor.shape == [2, 3, 2, 3])
        func at(_ b: Int, _ c: Int, _ y: Int, _ x: Int) -> Float { tensor.scalars[((b * 3 + c) * 2 + y) * 3 + x] }
        // Hand values: (1 − 0.485) / 0.229 = 2.2489083, (128/255 − 0.456) / 0.224 = 0.2051821,
        // (0 − 0.406) / 0.225 = −1.8044444, (0 − 0.485) / 0.229 = −2.1179039.
        #expect(abs(at(0, 0, 0, 1) - 2.2489083) < 1e-5)
        #expect(abs(at(0, 1, 0, 1) - 0.2051821) < 1e-5)
        #expect(abs(at(0, 2, 0, 1) - -1.8044444) < 1e-5)
        #expect(abs(at(0, 0, 1, 2) - -2.1179039) < 1e-5)
        // The 2 × 1 white image fills the top-left of its slot; the rest is zero padding.
        #expect(abs(at(1, 2, 0, 1) - (1 - 0.406) / 0.225) < 1e-5)
        #expect(at(1, 0, 0, 2) == 0 && at(1, 1, 1, 0) == 0)
    }

    private func samples(_ count: Int) -> [DetectionSample] {
        (0..<count).map { index in
            var image = RGBImage(width: 4, height: 2)
            image[0, 0] = RGBColor(red: UInt8(index), green: 0, blue: 0)  // marks the sample
            let target = DetectionTarget(boxes: [BoundingBox(x1: 0, y1: 0, x2: 1, y2: 1)], labels: [1])
            return DetectionSample(name: "\(index)", image: image, target: target)
        }
    }

    @Test("each epoch visits every sample once; a batch may straddle two epochs")
    func epochs() {
        var sampler = BatchSampler(samples: samples(5), batchSize: 2, seed: 3)
        var batches: [DetectionBatch] = []
        for _ in 0..<5 { batches.append(sampler.nextBatch()) }
        let indices = batches.flatMap(\.sampleIndices)
        let epochs = batches.flatMap(\.epochs)
        #expect(epochs == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
        #expect(Set(indices.prefix(5)) == Set(0..<5) && Set(indices.suffix(5)) == Set(0..<5))
        #expect(batches.allSatisfy { $0.images.shape == [2, 3, 2, 4] && $0.targets.count == 2 })
    }

    @Test("a batch holds the drawn samples, flipped with their boxes, and repeats for a seed")
    func contents() {
        let all = samples(6)
        var sampler = BatchSampler(samples: all, batchSize: 2, seed: 11)
        var again = BatchSampler(samples: all, batchSize: 2, seed: 11)
        var flips: [Flip] = []
        for _ in 0..<30 {
            let batch = sampler.nextBatch()
            #expect(batch == again.nextBatch())
            for slot in 0..<2 {
                let expected = all[batch.sampleIndices[slot]].flipped(batch.flips[slot])
                #expect(batch.targets[slot] == expected.target)
                let reference = Normalization.imageNet.tensor(from: expected.image)
                let plane = 3 * 2 * 4
                #expect(Array(batch.images.scalars[(slot * plane)..<((slot + 1) * plane)]) == reference.scalars)
            }
            flips += batch.flips
        }
        // 60 draws at p = 0.5: each flip kind occurs, and both directions are used.
        #expect(Set(flips).count == 4)
        let horizontal = flips.filter(\.horizontal).count
        #expect((15...45).contains(horizontal))
        var other = BatchSampler(samples: all, batchSize: 2, seed: 12)
        #expect((0..<5).map { _ in other.nextBatch().sampleIndices } != (0..<5).map { _ in
            var fresh = BatchSampler(samples: all, batchSize: 2, seed: 11)
            return fresh.nextBatch().sampleIndices
        })
    }

    @Test("flipProbability 0 never flips")
    func noFlips() {
        var sampler = BatchSampler(samples: samples(3), batchSize: 3, seed: 1, flipProbability: 0)
        #expect((0..<4).allSatisfy { _ in sampler.nextBatch().flips.allSatisfy { $0 == .none } })
    }
}

@Suite("SplitMix64")
struct SplitMix64Tests {
    @Test("matches the reference SplitMix64 sequence for seed 1234567")
    func reference() {
        var generator = SplitMix64(seed: 1_234_567)
        #expect([generator.next(), generator.next(), generator.next()]
                == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423])
    }

    @Test("bounded draws stay in range and cover it; permutations are permutations")
    func draws() {
        var generator = SplitMix64(seed: 9)
        var seen = Set<Int>()
        for _ in 0..<2000 {
            let value = generator.int(in: 3...8)
            #expect((3...8).contains(value))
            seen.insert(value)
            let unit = generator.unit()
            #expect(unit >= 0 && unit < 1)
        }
        #expect(seen == Set(3...8))
        let permutation = generator.permutation(of: 65)
        #expect(permutation.sorted() == Array(0..<65) && permutation != Array(0..<65))
        #expect(generator.permutation(of: 0).isEmpty && generator.permutation(of: 1) == [0])
    }

    @Test("streams of one seed differ from each other and repeat")
    func streams() {
        var a = SplitMix64(seed: 5, stream: 1, 0)
        var b = SplitMix64(seed: 5, stream: 1, 1)
        var c = SplitMix64(seed: 5, stream: 1, 0)
        let first = a.next()
        #expect(first != b.next())
        #expect(first == c.next())
    }
}
