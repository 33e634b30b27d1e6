import Testing
import Randomness
@testable import Datasets

private let box = AugmentationFixtures.box

@Suite("Batch sampler with augmentation lists")
struct AugmentedBatchTests {
    private let samples = (0..<5).map { i in
        AugmentationFixtures.sample(width: 8, height: 6, boxes: Array([box(0, 0, 3, 3), box(4, 2, 7, 5), box(1, 3, 3, 6)].prefix(i % 3 + 1)))
    }

    @Test("the reference list draws a permutation, then per sample its horizontal and vertical flip, as before lists")
    func referenceDraws() {
        var sampler = BatchSampler(samples: samples, batchSize: 2, seed: 21, augmentations: .reference)
        var manual = SplitMix64(seed: 21)
        var expected: [(Int, Flip)] = []
        for _ in 0..<2 {
            let permutation = manual.permutation(of: samples.count)
            for index in permutation { expected.append((index, Flip.random(probability: 0.5, using: &manual))) }
        }
        for (index, flip) in expected.prefix(10) {
            let draw = sampler.nextSample()
            #expect(draw.index == index && draw.sample.frame == .source(flip) && draw.sample.sample == samples[index].flipped(flip))
        }
        var old = BatchSampler(samples: samples, batchSize: 2, seed: 21, flipProbability: 0.5)
        var new = BatchSampler(samples: samples, batchSize: 2, seed: 21, augmentations: .reference)
        for _ in 0..<7 { #expect(old.nextBatch() == new.nextBatch()) }
    }

    @Test("with more than flips: the same seed gives the same batches, and skip replays the stream")
    func replay() throws {
        let list = try AugmentationList(parsing: "flip, scale-jitter(0.5-1.5), rotate90, color(p=1), cutout, copy-paste, mosaic")
        var a = BatchSampler(samples: samples, batchSize: 2, seed: 4, augmentations: list)
        var b = BatchSampler(samples: samples, batchSize: 2, seed: 4, augmentations: list)
        var draws: [AugmentedDraw] = []
        for _ in 0..<6 {
            let batch = a.nextBatch()
            #expect(batch == b.nextBatch())
            #expect(batch.frames.count == 2 && batch.targets.count == 2)
        }
        var fresh = BatchSampler(samples: samples, batchSize: 2, seed: 4, augmentations: list)
        for _ in 0..<9 { draws.append(fresh.nextSample()) }
        var skipped = BatchSampler(samples: samples, batchSize: 2, seed: 4, augmentations: list)
        skipped.skip(7)
        #expect(skipped.nextSample() == draws[7] && skipped.nextSample() == draws[8])
    }

    @Test("nextDraw refuses nothing with flips only and matches nextSample's index and flip")
    func nextDraw() {
        var a = BatchSampler(samples: samples, batchSize: 2, seed: 8, flipProbability: 0.3)
        var b = BatchSampler(samples: samples, batchSize: 2, seed: 8, flipProbability: 0.3)
        for _ in 0..<12 {
            let draw = a.nextDraw()
            let sample = b.nextSample()
            #expect(draw.index == sample.index && SampleFrame.source(draw.flip) == sample.sample.frame && draw.epoch == sample.epoch)
        }
    }

    @Test("repeat-factor lists: an epoch visits each sample ⌊r⌋ or ⌈r⌉ times")
    func repeatFactor() throws {
        // Sample 4 is the only one with class 2: f = 0.2, t = 0.8 → r = 2 exactly.
        var targets = samples
        for i in 0..<5 { targets[i].target.labels = targets[i].target.labels.map { _ in i == 4 ? 2 : 1 } }
        let list = try AugmentationList(parsing: "repeat-factor(t=0.8), flip")
        var sampler = BatchSampler(samples: targets, batchSize: 1, seed: 2, augmentations: list)
        #expect(sampler.repeatFactors == [1, 1, 1, 1, 2])
        let epoch = (0..<6).map { _ in sampler.nextSample() }
        #expect(epoch.allSatisfy { $0.epoch == 0 })
        #expect(epoch.filter { $0.index == 4 }.count == 2 && Set(epoch.map(\.index)) == Set(0..<5))
        #expect(sampler.nextSample().epoch == 1)
    }
}
