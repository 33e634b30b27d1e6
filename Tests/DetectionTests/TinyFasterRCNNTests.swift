// The model's parameter names, checkpoint round trip and typed load errors, and inference on
// images too small for most anchors.
import Autograd
import Detection
import Foundation
import Kernels
import NN
import Randomness
import TensorCore
import Testing
import TestSupport

@Suite struct TinyFasterRCNNTests {
    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("quarry-detection-\(UUID().uuidString)-\(name)")
    }

    @Test func parameterNamesAreTorchStateDictNames() {
        var generator = SplitMix64(seed: 1)
        let model = TinyFasterRCNN(classCount: 3, using: &generator)
        let names = model.parameters.map(\.name)
        #expect(names.count == 20 + 6 + 8)
        #expect(names.prefix(4) == ["backbone.0.0.weight", "backbone.0.0.bias", "backbone.0.1.weight", "backbone.0.1.bias"])
        #expect(names.suffix(2) == ["box_head.bbox_pred.weight", "box_head.bbox_pred.bias"])
        #expect(model.parameters.firstDuplicateName == nil)
        let shapes = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.variable.shape) })
        #expect(shapes["backbone.0.0.weight"] == [16, 3, 3, 3])
        #expect(shapes["rpn_head.bbox_pred.weight"] == [36, 64, 1, 1])
        #expect(shapes["box_head.fc6.weight"] == [256, 3136])
        #expect(shapes["box_head.bbox_pred.weight"] == [16, 256])
        // Initialisation: GroupNorm 1/0, RPN biases 0, objectness prior on request.
        #expect(model.backbone.stages[0].norm.weight.value.scalars.allSatisfy { $0 == 1 })
        #expect(model.rpn.head.classificationLogits.bias!.value.scalars.allSatisfy { $0 == 0 })
        model.initializeClassificationPrior(of: .rpn, probability: 0.01)
        expectClose(model.rpn.head.classificationLogits.bias!.value.scalars, [Float](repeating: Float(-log(99.0)), count: 9))
    }

    @Test func checkpointRoundTripAndTypedErrors() throws {
        var generator = SplitMix64(seed: 2)
        let model = TinyFasterRCNN(classCount: 1, using: &generator)
        let url = Self.temporaryURL("model.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let copy = TinyFasterRCNN(classCount: 1, using: &generator)
        #expect(copy.parameters[0].variable.value != model.parameters[0].variable.value)
        try copy.load(from: url)
        for (a, b) in zip(copy.parameters, model.parameters) { #expect(a.variable.value == b.variable.value, "\(a.name)") }

        let wider = TinyFasterRCNN(classCount: 2, using: &generator)
        #expect(throws: CheckpointError.shapeMismatch(name: "box_head.cls_score.weight", expected: [3, 256], found: [2, 256],
                                                      path: url.path)) {
            try wider.load(from: url)
        }
        let missing = Self.temporaryURL("missing.safetensors")
        #expect(throws: CheckpointError.self) { try model.load(from: missing) }
    }

    @Test func tinyImagesStillDetectAndTrain() {
        var generator = SplitMix64(seed: 3)
        let model = TinyFasterRCNN(classCount: 1, using: &generator)
        let image = Tensor.uniform([1, 3, 24, 20], low: 0, high: 255, using: &generator)
        let found = model.detect(images: image)[0]
        #expect(found.count <= 100)
        let b = found.boxes.scalars
        #expect((0..<found.count).allSatisfy { b[4 * $0] >= 0 && b[4 * $0 + 2] <= 20 && b[4 * $0 + 1] >= 0 && b[4 * $0 + 3] <= 24 })
        let truth = GroundTruth(boxes: Tensor(shape: [1, 4], scalars: [2, 3, 14, 18]), labels: [1])
        let losses = trainingLoss(model, images: image, groundTruth: [truth], using: &generator)
        #expect(losses.total.value.scalar.isFinite)
        let tiled = model.detectTiled(image: image.reshaped(to: [3, 24, 20]))
        #expect(tiled.count == found.count)
    }
}
