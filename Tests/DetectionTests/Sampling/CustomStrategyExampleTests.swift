// The worked example of docs/strategies.md ("Adding a strategy"), compiled and tested here so
// the documentation cannot drift from the API.

import Detection
import DetectionKernels
import Kernels
import Randomness
import TensorCore
import Testing

/// A strategy that samples positives as `random` and takes as negatives the background
/// candidates the model is most confident about (the highest foreground probability).
struct ConfidentNegativeStrategy: SamplingStrategy {
    var head: DetectionHead
    var batchSize: Int
    var positiveFraction: Double

    var name: String { "confident-negatives" }
    var requirements: SamplingRequirements { .foregroundProbabilities }

    init(head: DetectionHead) {
        self.head = head
        batchSize = head.defaultBatchSize
        positiveFraction = head.defaultPositiveFraction
    }

    mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        // Positives: a uniform draw, as `random` (negatives hidden by marking them ignored).
        var positivesOnly = input
        positivesOnly.labels = input.labels.map { $0 > 0 ? 1 : -1 }
        var random = RandomStrategy(head: head, batchSize: Int(Double(batchSize) * positiveFraction), positiveFraction: 1)
        let positives = random.sample(positivesOnly, using: &generator).positives

        // Negatives: the highest foreground probabilities among background candidates
        // (Kernels.ohemSelect ranks any score; ties go to the lower index).
        let backgroundOnly: [Int32] = input.labels.map { $0 == 0 ? 0 : -1 }
        let wanted = batchSize - positives.count
        var picked = [Int](repeating: 0, count: wanted)
        let count = backgroundOnly.withUnsafeBufferPointer { labels in
            input.foregroundProbabilities!.withUnsafeBufferPointer { scores in
                picked.withUnsafeMutableBufferPointer { out in
                    Kernels.ohemSelect(out, losses: scores, labels: labels, count: wanted)
                }
            }
        }
        let negatives = picked.prefix(count).sorted()
        return SamplingResult(candidateCount: input.candidateCount, positives: positives, negatives: negatives,
                              statistics: MiningStatistics(selectionOf: input, positives: positives, negatives: negatives))
    }
}

@Suite("Custom strategy (docs/strategies.md example)")
struct CustomStrategyExampleTests {
    @Test("the example keeps the budget and takes the most confident background candidates")
    func example() {
        let set = CandidateSet(count: 2_000, positives: 30, ignored: 100, seed: 41)
        var strategy: any SamplingStrategy = ConfidentNegativeStrategy(head: .rpn)
        var g = SplitMix64(seed: 1)
        let result = strategy.sample(set.input(), using: &g)
        expectValidSelection(result, labels: set.labels)
        #expect(result.positives.count == 30 && result.negatives.count == 226)
        let expected = rankedByLoss(set.probabilities) { set.labels[$0] == 0 }.prefix(226)
        #expect(result.negatives == sorted(expected))
        #expect(result.statistics.positivesSelected == 30)
    }
}
