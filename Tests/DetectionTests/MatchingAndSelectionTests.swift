// Matching, target encoding and selection on hand-computed cases, including the empty ones.
import Detection
import DetectionKernels
import Foundation
import Kernels
import Randomness
import TensorCore
import Testing
import TestSupport

@Suite struct MatchingAndSelectionTests {
    // mmdet's fixture: 4 candidates, 2 ground-truth boxes.
    let candidates = Tensor(shape: [4, 4], scalars: [0, 0, 10, 10,   10, 10, 20, 20,   5, 5, 15, 15,   32, 32, 38, 42])
    let groundTruth = GroundTruth(boxes: Tensor(shape: [2, 4], scalars: [0, 0, 10, 9,   0, 10, 10, 19]), labels: [2, 1])

    @Test func rpnMatchingWithLowQualityMatches() {
        let matched = MatchedCandidates(candidates: candidates, groundTruthBoxes: groundTruth.boxes,
                                        groundTruthLabels: groundTruth.labels, matcher: .rpn, coder: .rpn)
        // IoU(c0, g0) = 90/100 → foreground; c1 touches g1 along an edge (IoU 0); g1's best
        // candidate is c2 (IoU 25/(100 + 90 − 25) = 0.15 < 0.3): foreground as a low-quality match.
        #expect(matched.matches == [.foreground(groundTruthIndex: 0), .background,
                                    .foreground(groundTruthIndex: 1), .background])
        #expect(matched.labels == [2, 0, 1, 0])
        #expect(matched.labels.map(CandidateLabel.init(label:)) == [.foreground, .background, .foreground, .background])
        // Target of c0: centre (5, 5) → (5, 4.5), size 10×10 → 10×9.
        expectClose(Array(matched.regressionTargets.scalars[0..<4]), [0, -0.05, 0, Float(log(0.9))])
        #expect(Array(matched.regressionTargets.scalars[4..<8]) == [0, 0, 0, 0])
    }

    @Test func noGroundTruthMeansAllBackground() {
        let matched = MatchedCandidates(candidates: candidates, groundTruthBoxes: GroundTruth.empty.boxes,
                                        groundTruthLabels: [], matcher: .rpn, coder: .rpn)
        #expect(matched.matches == [Match](repeating: .background, count: 4))
        #expect(matched.regressionTargets.scalars.allSatisfy { $0 == 0 })
        #expect(matched.labelCounts == (0, 4, 0))
    }

    @Test func degenerateGroundTruthIsDropped() {
        let boxes = Tensor(shape: [2, 4], scalars: [0, 0, 10, 9,   50, 50, 50, 60])
        let matched = MatchedCandidates(candidates: candidates, groundTruthBoxes: boxes, groundTruthLabels: [1, 1],
                                        matcher: .rpn, coder: .rpn)
        // Only the valid box matches; the zero-width one would otherwise claim every IoU-0 candidate.
        #expect(matched.matches == [.foreground(groundTruthIndex: 0), .background, .background, .background])
        #expect(matched.regressionTargets.isFinite)
    }

    @Test func noCandidates() {
        let matched = MatchedCandidates(candidates: Tensor(shape: [0, 4], scalars: []), groundTruthBoxes: groundTruth.boxes,
                                        groundTruthLabels: groundTruth.labels, matcher: .roiHead, coder: .roiHead)
        #expect(matched.count == 0 && matched.regressionTargets.shape == [0, 4])
        var generator = SplitMix64(seed: 3), random = RandomStrategy(head: .roi)
        let input = SamplingInput(candidates: matched, image: SamplingImage(id: 0, width: 64, height: 64),
                                  progress: TrainingProgress(step: 0, stepsPerEpoch: 1))
        #expect(random.sample(input, using: &generator).selection.indices.isEmpty)
    }

    /// `random` on bare labels: its selection as one index list, positives first.
    func balancedRandom(_ labels: [Int32], batchSize: Int, positiveFraction: Double,
                        using generator: inout SplitMix64) -> CandidateSelection {
        var random = RandomStrategy(head: .roi, batchSize: batchSize, positiveFraction: positiveFraction)
        let input = SamplingInput(image: SamplingImage(id: 0, width: 64, height: 64), labels: labels,
                                  boxes: .zeros([labels.count, 4]))
        return random.sample(input, using: &generator).selection
    }

    @Test func selectionRules() {
        let labels: [Int32] = Array(repeating: 1, count: 10) + Array(repeating: 0, count: 100) + Array(repeating: -1, count: 5)
        #expect(CandidateSelection.allNonIgnored(labels).indices == Array(0..<110))
        var generator = SplitMix64(seed: 7)
        let sampled = balancedRandom(labels, batchSize: 16, positiveFraction: 0.25, using: &generator)
        #expect(sampled.indices.count == 16)
        #expect(sampled.indices.filter { labels[$0] == 1 }.count == 4)
        #expect(Set(sampled.indices).count == 16 && sampled.indices.allSatisfy { labels[$0] >= 0 })
        // Fewer positives than the budget allows: all of them, the rest negatives.
        let few: [Int32] = [1, 0, 0, 0, -1, 0]
        let all = balancedRandom(few, batchSize: 4, positiveFraction: 0.5, using: &generator)
        // One positive exists (min(2, 1)), so three of the four negatives fill the budget.
        #expect(all.indices.count == 4 && all.indices.filter { few[$0] == 1 } == [0])
        #expect(Set(all.indices).isSubset(of: [0, 1, 2, 3, 5]))
    }
}
