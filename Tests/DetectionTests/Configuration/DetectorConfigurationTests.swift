import Foundation
import Testing
import Randomness
@testable import Detection

@Suite("DetectorConfiguration")
struct DetectorConfigurationTests {
    @Test("the defaults are the reference detector's: 9 anchors, 64 channels, 2,000/512 and 1,000/300 proposals, 7×7 RoIs, 400/300 tiles")
    func defaults() {
        let c = DetectorConfiguration()
        #expect(c.anchorSizes == [16, 32, 64] && c.aspectRatios == [0.5, 1, 2] && c.anchorsPerLocation == 9)
        #expect(c.backboneStages.map { [$0.input, $0.output, $0.stride] } == Backbone.tinyFasterRCNNChannels.map { [$0.input, $0.output, $0.stride] })
        var generator = SplitMix64(seed: 0)
        let model = TinyFasterRCNN(classCount: 2, using: &generator)
        #expect(model.rpn.trainingFilter == .training && model.rpn.inferenceFilter == .inference)
        #expect(model.roiHeads.pooledSize == 7 && model.roiHeads.spatialScale == 0.125 && model.roiHeads.boxHead.classCount == 3)
        #expect(c.trainingTileSize == 400 && c.trainingTileStride == 300 && c.inferenceTileSize == 400 && c.inferenceTileStride == 300)
    }

    @Test("a configured detector has the configured shapes: 2 sizes × 1 ratio, width 32, 5×5 RoIs")
    func configuredShapes() throws {
        var c = DetectorConfiguration()
        c.anchorSizes = [100, 150]
        c.aspectRatios = [1]
        c.backboneWidth = 32
        c.roiOutputSize = 5
        c.inferencePostNMSTopN = 50
        var generator = SplitMix64(seed: 0)
        let model = TinyFasterRCNN(classCount: 3, configuration: c, using: &generator)
        let shapes = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.variable.shape) })
        #expect(shapes["rpn_head.cls_logits.weight"] == [2, 32, 1, 1] && shapes["rpn_head.bbox_pred.weight"] == [8, 32, 1, 1])
        #expect(shapes["backbone.0.0.weight"] == [8, 3, 3, 3] && shapes["box_head.fc6.weight"] == [256, 32 * 5 * 5])
        #expect(model.rpn.inferenceFilter.postNMSTopN == 50)
        // 64×64 image → 8×8 cells × 2 anchors, the second anchor of cell (0, 0) 150 px wide, centred on (0, 0).
        let anchors = model.rpn.anchorGenerator.anchors(featureHeight: 8, featureWidth: 8)
        #expect(anchors.shape == [128, 4] && Array(anchors.scalars[4..<8]) == [-75, -75, 75, 75])
        let retina = TinyRetinaNet(classCount: 3, configuration: c, using: &generator)
        #expect(Dictionary(uniqueKeysWithValues: retina.parameters.map { ($0.name, $0.variable.shape) })["head.classification_head.cls_logits.bias"] == [6])
        #expect(DetectorKind.retinaNet.classParameter(classCount: 3, anchorsPerLocation: c.anchorsPerLocation).shape == [6])
    }

    @Test("bad values name their key", arguments: [
        (#"{"anchorSizes": [16, 0]}"#, "anchorSizes[1]", "must be a finite number > 0, got 0.0"),
        (#"{"aspectRatios": []}"#, "aspectRatios", "needs at least one value"),
        (#"{"backboneWidth": 48}"#, "backboneWidth", "must be a positive multiple of 32 (32, 64, 96, …), got 48"),
        (#"{"trainingTileSize": 4}"#, "trainingTileSize", "must be at least the backbone's stride, 8 px, got 4"),
        (#"{"inferencePostNMSTopN": 2000}"#, "inferencePostNMSTopN", "2000 exceeds inferencePreNMSTopN 1000: NMS cannot keep more proposals than it is given"),
        (#"{"roiOutputSize": 0}"#, "roiOutputSize", "must be at least 1, got 0"),
    ])
    func badValues(_ json: String, _ key: String, _ reason: String) throws {
        let c = try JSONDecoder().decode(DetectorConfiguration.self, from: Data(json.utf8))
        #expect(throws: ConfigurationError(key: key, reason: reason)) { try c.validate() }
    }

    @Test("JSON keeps the defaults of absent keys and round-trips")
    func json() throws {
        let c = try JSONDecoder().decode(DetectorConfiguration.self, from: Data(#"{"anchorSizes": [64, 128, 256]}"#.utf8))
        var expected = DetectorConfiguration()
        expected.anchorSizes = [64, 128, 256]
        #expect(c == expected)
        #expect(try JSONDecoder().decode(DetectorConfiguration.self, from: JSONEncoder().encode(c)) == c)
    }
}
