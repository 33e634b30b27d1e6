// A short training run on a synthetic scene: bright squares on noise. Every loss term, measured
// the same deterministic way before and after (every non-ignored anchor; a fixed set of RoI
// candidates, since the proposals change as the RPN learns), must fall.
import Autograd
import Detection
import Kernels
import NN
import Randomness
import TensorCore
import Testing
import TestSupport

@Suite struct SyntheticTrainingTests {
    /// Two 128×128 images of uniform noise in [0, 60) with bright 20–36 px squares.
    static func scene(using generator: inout SplitMix64) -> (images: Tensor, groundTruth: [GroundTruth]) {
        let side = 128
        var pixels = [Float](repeating: 0, count: 2 * 3 * side * side)
        for i in pixels.indices { pixels[i] = Float(generator.next() % 60) }
        var groundTruth: [GroundTruth] = []
        let squares = [[(10, 12, 30), (70, 60, 36)], [(40, 20, 24), (80, 84, 28), (12, 90, 20)]]
        for (image, list) in squares.enumerated() {
            var boxes: [Float] = []
            for (x, y, s) in list {
                for c in 0..<3 { for yy in y..<(y + s) { for xx in x..<(x + s) {
                    pixels[((image * 3 + c) * side + yy) * side + xx] = 200 + Float(c) * 20
                } } }
                boxes += [Float(x), Float(y), Float(x + s), Float(y + s)]
            }
            groundTruth.append(GroundTruth(boxes: Tensor(shape: [list.count, 4], scalars: boxes),
                                           labels: [Int](repeating: 1, count: list.count)))
        }
        return (Tensor(shape: [2, 3, side, side], scalars: pixels), groundTruth)
    }

    /// Fixed RoI candidates: 9 shifts (±6 px) of every ground-truth box and a grid of
    /// 24-px background boxes, so the RoI terms are measured on the same set before and after.
    static func fixedProposals(_ groundTruth: GroundTruth) -> Tensor {
        var boxes: [Float] = []
        let g = groundTruth.boxes.scalars
        for i in 0..<groundTruth.labels.count {
            for dy: Float in [-6, 0, 6] { for dx: Float in [-6, 0, 6] {
                boxes += [g[4 * i] + dx, g[4 * i + 1] + dy, g[4 * i + 2] + dx, g[4 * i + 3] + dy]
            } }
        }
        for y in stride(from: 4, to: 100, by: 32) { for x in stride(from: 4, to: 100, by: 32) {
            boxes += [Float(x), Float(y), Float(x + 24), Float(y + 24)]
        } }
        return Tensor(shape: [boxes.count / 4, 4], scalars: boxes)
    }

    /// The four loss terms over every non-ignored anchor and the fixed RoI candidates.
    static func evaluate(_ model: TinyFasterRCNN, _ images: Tensor, _ groundTruth: [GroundTruth]) -> [Float] {
        withoutGradients {
            let features = model.features(images)
            let output = model.rpn(features)
            let anchors = groundTruth.map { model.rpn.matchedAnchors(output.anchors, groundTruth: $0) }
            let rpn = model.rpn.loss(output, candidates: anchors, selections: anchors.map { .allNonIgnored($0.labels) },
                                     kind: .crossEntropy, normalization: .selectedCount)
            let rois = groundTruth.map { model.roiHeads.matchedCandidates(proposals: fixedProposals($0), groundTruth: $0) }
            let roi = model.roiHeads.loss(features: features, candidates: rois, selections: rois.map { .allNonIgnored($0.labels) },
                                          kind: .crossEntropy, normalization: .selectedCount)
            return [rpn.classification, rpn.box, roi.classification, roi.box].map { $0.value.scalar }
        }
    }

    @Test func everyLossTermFalls() {
        var generator = SplitMix64(seed: 42)
        let (images, groundTruth) = Self.scene(using: &generator)
        let model = TinyFasterRCNN(classCount: 1, using: &generator)
        let before = Self.evaluate(model, images, groundTruth)
        var optimizer = SGD(model.parameters, learningRate: 0.02, momentum: 0.9, weightDecay: 1e-4)
        for _ in 0..<40 {
            model.parameters.forEach { $0.variable.zeroGradient() }
            let losses = trainingLoss(model, images: images, groundTruth: groundTruth, using: &generator)
            losses.total.backward()
            optimizer.step()
        }
        let after = Self.evaluate(model, images, groundTruth)
        #expect(before.allSatisfy(\.isFinite) && after.allSatisfy(\.isFinite))
        for (term, (b, a)) in zip(["rpn objectness", "rpn box", "roi classification", "roi box"], zip(before, after)) {
            #expect(a < b, "\(term): \(b) → \(a); all \(before) → \(after)")
        }
    }
}
