import Detection
import Foundation
import Kernels
import Randomness
import TensorCore
import TestSupport
import Testing

@Suite("SSDStrategy")
struct SSDSamplerTests {
    @Test("all positives plus the 3·P highest-loss negatives (vs a full sort)", arguments: [DetectionHead.rpn, .roi])
    func ratio(head: DetectionHead) {
        let set = CandidateSet(count: 2_000, positives: 25, ignored: 200, seed: 21)
        var sampler = SSDStrategy(head: head)
        var g = SplitMix64(seed: 0)
        let result = sampler.sample(set.input(), using: &g)
        expectValidSelection(result, labels: set.labels)
        #expect(result.positives == set.labels.indices.filter { set.labels[$0] > 0 })
        #expect(result.negatives == sorted(rankedByLoss(set.losses) { set.labels[$0] == 0 }.prefix(75)))
    }

    @Test("exactly 16 hardest negatives when the image has no positive; all when fewer exist")
    func noPositives() {
        let set = CandidateSet(count: 500, positives: 0, ignored: 50, seed: 22)
        var sampler = SSDStrategy(head: .rpn)
        var g = SplitMix64(seed: 0)
        let result = sampler.sample(set.input(), using: &g)
        #expect(result.positives.isEmpty)
        #expect(result.negatives == sorted(rankedByLoss(set.losses) { set.labels[$0] == 0 }.prefix(16)))

        let crowded = CandidateSet(count: 40, positives: 30, seed: 23)
        let all = sampler.sample(crowded.input(), using: &g)
        #expect(all.positives.count == 30 && all.negatives.count == 10)
    }
}

@Suite("FocalStrategy")
struct FocalSamplerTests {
    @Test("every non-ignored candidate, focal loss (0.25, 2); classification over the positives' average, box over the number selected")
    func selectsEverything() {
        let set = CandidateSet(count: 1_000, positives: 17, ignored: 83, seed: 31)
        var sampler = FocalStrategy(head: .rpn)
        var g = SplitMix64(seed: 0)
        let before = g
        let result = sampler.sample(set.input(), using: &g)
        expectValidSelection(result, labels: set.labels)
        #expect(g == before, "focal draws nothing")
        #expect(result.positives.count == 17 && result.negatives.count == 900)
        #expect(result.classificationLoss == .focal(alpha: 0.25, gamma: 2))
        #expect(result.normalization == .positiveCountAverage && result.boxNormalization == .budget && result.budget == 256)
        #expect(result.count(for: .budget) == 256, "the box count is the RPN's budget, not the 917 selected")
        // The per-image count the average takes in is the positives'.
        #expect(result.normalizerCount == 17 && result.normalizer == 17)
    }

    @Test("batch normaliser: max(1, positives of the batch) for focal, selected count otherwise")
    func batchNormalizer() {
        let none = CandidateSet(count: 100, positives: 0, seed: 32), some = CandidateSet(count: 100, positives: 5, seed: 33)
        var focal = FocalStrategy(head: .roi)
        var g = SplitMix64(seed: 0)
        let a = focal.sample(none.input(), using: &g), b = focal.sample(some.input(), using: &g)
        #expect(a.normalizer == 1)
        #expect(SamplingResult.batchNormalizer([a, b]) == 5)
        #expect(SamplingResult.batchNormalizer([a]) == 1)
        var random = RandomStrategy(head: .roi)
        let c = random.sample(none.input(), using: &g), d = random.sample(some.input(), using: &g)
        #expect(SamplingResult.batchNormalizer([c, d]) == Float(c.selectedCount + d.selectedCount))
        #expect(SamplingResult.batchNormalizer([SamplingResult]()) == 1)
    }

    @Test("prior-probability bias −log((1 − π)/π): −log 99 for π = 0.01")
    func priorBias() {
        expectClose(FocalStrategy.priorProbabilityBias(), Float(-4.59511985), relativeTolerance: 1e-6)
        expectClose(FocalStrategy.priorProbabilityBias(prior: 0.5), Float(0), absoluteTolerance: 1e-7)
        // The bias makes sigmoid(bias) = π.
        expectClose(1 / (1 + exp(-Double(FocalStrategy.priorProbabilityBias(prior: 0.2)))), 0.2, relativeTolerance: 1e-6)
    }
}
