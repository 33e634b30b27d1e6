// The loss evaluation of both heads on hand-computed cases: values, weights, normalisers,
// gradients, and the empty selections.
import Autograd
import Detection
import Foundation
import Kernels
import Randomness
import TensorCore
import Testing
import TestSupport

@Suite struct HeadLossTests {
    /// Three anchors against one ground-truth box [0, 0, 10, 11]: a0 foreground (IoU 0.91),
    /// a1 background, a2 ignored (IoU 0.55).
    let anchors = MatchedCandidates(
        candidates: Tensor(shape: [3, 4], scalars: [0, 0, 10, 10,   100, 100, 110, 110,   0, 0, 10, 20]),
        groundTruthBoxes: Tensor(shape: [1, 4], scalars: [0, 0, 10, 11]), groundTruthLabels: [1],
        matcher: .rpn, coder: .rpn)

    func rpnLoss(_ selection: CandidateSelection, kind: ClassificationLossKind = .crossEntropy,
                 normalization: LossNormalization = .selectedCount) -> (HeadLoss, Variable, Variable) {
        let objectness = Variable(Tensor(shape: [1, 3], scalars: [0, 0, 2]), requiresGradient: true)
        let deltas = Variable(Tensor.zeros([1, 3, 4]), requiresGradient: true)
        let loss = HeadLossEvaluation.rpnLoss(objectness: objectness, deltas: deltas, candidates: [anchors],
                                              selections: [selection], kind: kind, normalization: normalization)
        return (loss, objectness, deltas)
    }

    @Test func rpnLossByHand() {
        #expect(anchors.labels == [1, 0, -1])
        let (loss, objectness, deltas) = rpnLoss(.allNonIgnored(anchors.labels))
        // BCE at logit 0 is log 2 for either target; mean over the two selected anchors.
        expectClose(loss.classification.value.scalar, Float(log(2.0)))
        // Targets (0, 0.05, 0, log 1.1), all below beta = 1/9: 0.5·d²·9, summed, / 2.
        let box = 0.5 * 9 * (0.05 * 0.05 + log(1.1) * log(1.1)) / 2
        expectClose(loss.box.value.scalar, Float(box))
        (loss.classification + loss.box).backward()
        expectClose(objectness.gradient!.scalars, [-0.25, 0.25, 0])
        expectClose(Array(deltas.gradient!.scalars[0..<4]), [0, Float(-9 * 0.05 / 2), 0, Float(-9 * log(1.1) / 2)])
        #expect(deltas.gradient!.scalars[4...].allSatisfy { $0 == 0 })
    }

    @Test func rpnFocalAndWeights() {
        let (focal, _, _) = rpnLoss(.allNonIgnored(anchors.labels), kind: .retinaNetFocal, normalization: .positiveCount)
        // p = 0.5: 0.25·0.25·log 2 (positive) + 0.75·0.25·log 2 (negative), over 1 positive.
        expectClose(focal.classification.value.scalar, Float(0.25 * log(2.0)))
        let (weighted, _, _) = rpnLoss(CandidateSelection(indices: [0, 1], weights: [2, 0.5]))
        expectClose(weighted.classification.value.scalar, Float(2.5 * log(2.0) / 2))
        let box = 0.5 * 9 * (0.05 * 0.05 + log(1.1) * log(1.1))
        expectClose(weighted.box.value.scalar, Float(2 * box / 2))
    }

    @Test func objectnessPredictionsGiveCandidateLossesAndScores() {
        let predictions = HeadPredictions(form: .objectness, logits: Tensor(shape: [3], scalars: [0, 0, 2]), deltas: .zeros([3, 4]))
        let box = 0.5 * 9 * (0.05 * 0.05 + log(1.1) * log(1.1))
        expectClose(predictions.candidateLosses(for: anchors, beta: HeadLossEvaluation.smoothL1Beta),
                    [Float(log(2.0) + box), Float(log(2.0)), 0])
        expectClose(predictions.foregroundProbabilities(), [0.5, 0.5, Float(1 / (1 + exp(-2.0)))])
    }

    @Test func emptySelectionGivesZero() {
        let (loss, _, _) = rpnLoss(CandidateSelection(indices: []))
        #expect(loss.classification.value.scalar == 0 && loss.box.value.scalar == 0)
    }

    @Test func roiLossByHand() {
        let logits = Variable(Tensor.zeros([2, 3]), requiresGradient: true)
        let deltas = Variable(Tensor.zeros([2, 12]), requiresGradient: true)
        let loss = HeadLossEvaluation.roiLoss(
            classLogits: logits, boxDeltas: deltas, classLabels: [2, 0],
            regressionTargets: Tensor(shape: [2, 4], scalars: [1, 0, 0, 0,   7, 7, 7, 7]), weights: nil, normalizer: 2,
            kind: .crossEntropy)
        expectClose(loss.classification.value.scalar, Float(log(3.0)))
        // Only the positive's class-2 deltas (columns 8..<12) count: |0 − 1| − 0.5/9, / 2.
        expectClose(loss.box.value.scalar, Float((1 - 0.5 / 9) / 2))
        loss.box.backward()
        var expected = [Float](repeating: 0, count: 24)
        expected[8] = -0.5
        #expect(deltas.gradient!.scalars == expected)
    }

    @Test func roiHeadWithoutProposalsOrGroundTruth() {
        var generator = SplitMix64(seed: 5)
        let model = TinyFasterRCNN(classCount: 2, using: &generator)
        let features = Variable(Tensor.normal([1, 64, 4, 4], using: &generator), requiresGradient: true)
        let matched = model.roiHeads.matchedCandidates(proposals: Tensor(shape: [0, 4], scalars: []), groundTruth: .empty)
        #expect(matched.count == 0)
        let loss = model.roiHeads.loss(features: features, candidates: [matched], selections: [.allNonIgnored(matched.labels)],
                                       kind: .crossEntropy, normalization: .selectedCount)
        #expect(loss.classification.value.scalar == 0 && loss.box.value.scalar == 0)
    }
}
