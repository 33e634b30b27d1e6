import Datasets
import Detection
import Kernels
import Randomness
import TensorCore
import Testing

/// The glue to the loss evaluation: inputs from `MatchedCandidates`, results as `CandidateSelection`.
@Suite("Sampling ↔ loss evaluation")
struct LossBridgeTests {
    @Test("an input built from matched candidates carries their +1/0/−1 labels and boxes")
    func inputFromMatchedCandidates() {
        // Hand-computed as HeadLossTests: IoU(c0, g) = 100/110 → foreground; c1 background;
        // c2 IoU 100/200 = 0.5 → ignored at the RPN (0.3 ≤ IoU < 0.7).
        let boxes: [Float] = [0, 0, 10, 10, 100, 100, 110, 110, 0, 0, 10, 20]
        let matched = MatchedCandidates(candidates: Tensor(shape: [3, 4], scalars: boxes),
                                        groundTruthBoxes: Tensor(shape: [1, 4], scalars: [0, 0, 10, 11]),
                                        groundTruthLabels: [1], matcher: .rpn, coder: .rpn)
        let input = SamplingInput(candidates: matched, image: SamplingImage(id: 4, width: 120, height: 120),
                                  progress: TrainingProgress(step: 7, stepsPerEpoch: 33))
        #expect(input.labels == [1, 0, -1])
        #expect(input.boxes.scalars == boxes)
        #expect(input.matches == matched.matches && input.maxIoU == matched.maxIoU)
        #expect(input.progress.step == 7 && input.image.id == 4)
    }

    @Test("a result becomes a CandidateSelection: positives then negatives, weights per index")
    func selection() {
        var result = SamplingResult(candidateCount: 6, positives: [1, 4], negatives: [0, 5])
        #expect(result.selection == CandidateSelection(indices: [1, 4, 0, 5]))
        result.weights = [0.5, 2, 0, 0, 3, 1]
        #expect(result.selection == CandidateSelection(indices: [1, 4, 0, 5], weights: [2, 3, 0.5, 1]))
        var focal = FocalStrategy(head: .rpn)
        var g = SplitMix64(seed: 0)
        let all = focal.sample(SamplingInput(image: SamplingImage(id: 0, width: 8, height: 8), labels: [0, 1, -1, 0],
                                             boxes: .zeros([4, 4])), using: &g)
        #expect(all.selection.indices == [1, 0, 3])
        #expect(all.classificationLoss == .retinaNetFocal && all.normalization == .positiveCountAverage && all.boxNormalization == .budget)
    }

    @Test("the data layer's flip from its two flags, as the detector reads it")
    func flipFlags() {
        #expect(Flip(horizontal: false, vertical: false) == .none && Flip.none.isIdentity)
        #expect(Flip(horizontal: true, vertical: false) == .horizontalOnly && !Flip.horizontalOnly.isIdentity)
        #expect(Flip(horizontal: true, vertical: true) == .both)
    }
}
