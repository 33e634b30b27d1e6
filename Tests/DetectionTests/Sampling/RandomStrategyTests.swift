import Detection
import DetectionKernels
import Kernels
import Randomness
import TensorCore
import Testing

@Suite("RandomStrategy")
struct RandomStrategyTests {
    @Test("RPN defaults: 128 positives when enough exist, the rest negatives")
    func rpnCounts() {
        let set = CandidateSet(count: 5_000, positives: 400, ignored: 600, seed: 1)
        var sampler = RandomStrategy(head: .rpn)
        var g = SplitMix64(seed: 7)
        let result = sampler.sample(set.input(), using: &g)
        expectValidSelection(result, labels: set.labels)
        #expect(result.positives.count == 128)
        #expect(result.negatives.count == 128)
        #expect(result.classificationLoss == .crossEntropy)
        #expect(result.normalization == .selectedCount)
        #expect(result.normalizer == 256)
        #expect(result.statistics.candidates == 5_000)
        #expect(result.statistics.foregroundCandidates == 400)
        #expect(result.statistics.backgroundCandidates == 4_000)
    }

    @Test("RoI defaults: fraction 0.25 of 128; fewer positives than requested are all taken")
    func roiCounts() {
        let set = CandidateSet(count: 512, positives: 20, ignored: 10, seed: 2, backgroundThreshold: 0.5)
        var sampler = RandomStrategy(head: .roi)
        var g = SplitMix64(seed: 3)
        let result = sampler.sample(set.input(), using: &g)
        expectValidSelection(result, labels: set.labels)
        #expect(result.positives == set.labels.indices.filter { set.labels[$0] > 0 })
        #expect(result.negatives.count == 108)

        let many = CandidateSet(count: 512, positives: 200, seed: 4, backgroundThreshold: 0.5)
        let full = sampler.sample(many.input(), using: &g)
        #expect(full.positives.count == 32 && full.negatives.count == 96)
    }

    @Test("the selection is the torchvision-semantics kernel's draw for the same generator state")
    func matchesKernel() {
        let set = CandidateSet(count: 3_000, positives: 50, ignored: 100, seed: 5)
        var sampler = RandomStrategy(head: .rpn)
        var g1 = SplitMix64(seed: 11), g2 = SplitMix64(seed: 11)
        let result = sampler.sample(set.input(), using: &g1)
        var positives = [Int](repeating: -1, count: 128), negatives = [Int](repeating: -1, count: 256)
        let (p, q) = set.labels.withUnsafeBufferPointer { l in
            positives.withUnsafeMutableBufferPointer { pp in
                negatives.withUnsafeMutableBufferPointer { nn in
                    Kernels.balancedRandomSample(positives: pp, negatives: nn, labels: l, batchSize: 256, positiveFraction: 0.5, using: &g2)
                }
            }
        }
        #expect(result.positives == Array(positives.prefix(p)))
        #expect(result.negatives == Array(negatives.prefix(q)))
        #expect(g1 == g2)
    }

    @Test("identical seeds give identical selections; another seed another one")
    func reproducible() {
        let set = CandidateSet(count: 2_000, positives: 300, seed: 6)
        var sampler = RandomStrategy(head: .rpn)
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42), c = SplitMix64(seed: 43)
        let first = sampler.sample(set.input(), using: &a), second = sampler.sample(set.input(), using: &b)
        let other = sampler.sample(set.input(), using: &c)
        #expect(first == second)
        #expect(first.negatives != other.negatives)
    }

    @Test("candidate weights are 1 on the selection and 0 elsewhere")
    func weights() {
        let set = CandidateSet(count: 300, positives: 10, ignored: 5, seed: 8)
        var sampler = RandomStrategy(head: .rpn, batchSize: 40, positiveFraction: 0.5)
        var g = SplitMix64(seed: 1)
        let result = sampler.sample(set.input(), using: &g)
        let weights = result.candidateWeights()
        #expect(weights.count == 300)
        #expect(weights.reduce(0, +) == 40)
        #expect(result.positives.allSatisfy { weights[$0] == 1 } && result.negatives.allSatisfy { weights[$0] == 1 })
    }
}
