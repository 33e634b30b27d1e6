import Datasets
import Detection
import Kernels
import Randomness
import TensorCore
import Testing

@Suite("HardNegativeBufferStrategy at the RoI head")
struct HardNegativeRoIReplayTests {
    /// 300 proposals on a 400 × 300 tile with non-dyadic coordinates: 10 positives, 100 hard
    /// background proposals (probabilities 0.95 down), the rest easy.
    func proposals(flip: Flip, step: Int) -> SamplingInput {
        var g = SplitMix64(seed: 21)
        var boxes: [Float] = [], labels: [Int32] = [], probabilities: [Float] = []
        for i in 0..<300 {
            let x = Float(g.uniformIndex(below: 3_000_000)) / 10_000 + 0.1
            let y = Float(g.uniformIndex(below: 2_000_000)) / 10_000 + 0.1
            boxes += [x, y, x + 33.3, y + 17.7]
            labels.append(i < 10 ? 1 : 0)
            probabilities.append(i >= 10 && i < 110 ? 0.95 - Float(i) * 0.001 : 0.2)
        }
        return SamplingInput(image: SamplingImage(id: 7, width: 400, height: 300, flip: flip),
                             progress: TrainingProgress(step: step, stepsPerEpoch: 33),
                             labels: labels, boxes: boxTensor(boxes), foregroundProbabilities: probabilities)
    }

    /// Appends extra proposals as background candidates with a low probability.
    func appending(_ extra: Tensor, to input: SamplingInput) -> SamplingInput {
        var out = input
        out.boxes = Tensor.concatenate([out.boxes, extra], alongAxis: 0)
        out.labels += [Int32](repeating: 0, count: extra.shape[0])
        out.foregroundProbabilities! += [Float](repeating: 0.2, count: extra.shape[0])
        return out
    }

    @Test("boxes mined under a flip come back exactly under the same flip, best first, at most 64")
    func extraProposalsRoundTrip() {
        var sampler = HardNegativeBufferStrategy(head: .roi)
        var g = SplitMix64(seed: 1)
        #expect(sampler.extraCandidates(for: proposals(flip: .horizontalOnly, step: 0).image, progress: TrainingProgress(step: 0, stepsPerEpoch: 33)).shape == [0, 4])
        let first = proposals(flip: .horizontalOnly, step: 0)
        let mined = sampler.sample(first, using: &g)
        #expect(mined.statistics.insertions == 100)

        let again = proposals(flip: .horizontalOnly, step: 1)
        let extra = sampler.extraCandidates(for: again.image, progress: again.progress)
        #expect(extra.shape == [64, 4])
        // Best first: the proposals 10, 11, … (probabilities 0.94, 0.939, …), bit-exact.
        #expect(extra.scalars == Array(first.boxes.scalars[40..<(40 + 4 * 64)]))
        #expect(sampler.buffer.count == 0)
    }

    @Test("under another flip the boxes are mirrored: same region, other frame")
    func extraProposalsMirrored() {
        var sampler = HardNegativeBufferStrategy(head: .roi)
        var g = SplitMix64(seed: 2)
        let first = proposals(flip: .none, step: 0)
        _ = sampler.sample(first, using: &g)
        let flipped = proposals(flip: .both, step: 1)
        let extra = sampler.extraCandidates(for: flipped.image, progress: flipped.progress)
        var expected = Array(first.boxes.scalars[40..<(40 + 4 * 64)])
        Flip.both.mirror(&expected, width: 400, height: 300)
        #expect(extra.scalars == expected)
    }

    @Test("the appended proposals are forced negatives up to half the negative budget")
    func forcedNegatives() {
        var sampler = HardNegativeBufferStrategy(head: .roi)
        var g = SplitMix64(seed: 3)
        _ = sampler.sample(proposals(flip: .none, step: 0), using: &g)
        let base = proposals(flip: .none, step: 1)
        let extra = sampler.extraCandidates(for: base.image, progress: base.progress)
        let input = appending(extra, to: base)
        let result = sampler.sample(input, using: &g)
        expectValidSelection(result, labels: input.labels)
        // 10 positives → negative budget 118 → 59 replays: the first 59 appended (best first).
        #expect(result.positives.count == 10 && result.negatives.count == 118)
        #expect(result.statistics.replays == 59 && result.statistics.discards == 100 - 59)
        #expect(Set(300..<359).isSubset(of: result.negatives))
        // The re-mined originals (still hard) are stored again.
        #expect(result.statistics.insertions == 100 && sampler.buffer.count == 100)
    }

    @Test("separate-pass mode reports the appended replays apart")
    func separatePass() {
        var sampler = HardNegativeBufferStrategy(head: .roi, replayMode: .separatePass)
        var g = SplitMix64(seed: 4)
        _ = sampler.sample(proposals(flip: .none, step: 0), using: &g)
        let base = proposals(flip: .none, step: 1)
        let input = appending(sampler.extraCandidates(for: base.image, progress: base.progress), to: base)
        let result = sampler.sample(input, using: &g)
        expectValidSelection(result, labels: input.labels)
        #expect(result.separatePassNegatives == Array(300..<359))
        #expect(result.negatives.count == 118)
    }

    @Test("sample without a preceding extraCandidates still visits: the image's entries are dropped")
    func visitWithoutExtras() {
        var sampler = HardNegativeBufferStrategy(head: .roi)
        var g = SplitMix64(seed: 5)
        _ = sampler.sample(proposals(flip: .none, step: 0), using: &g)
        let result = sampler.sample(proposals(flip: .none, step: 1), using: &g)
        #expect(result.statistics.discards == 100 && result.statistics.replays == 0)
        #expect(sampler.buffer.count == 100)
    }
}
