// End-to-end check of TinyFasterRCNN against the PyTorch twin (Tests/Fixtures/golden): the
// trained weights are loaded by name and one real tile (OSBS_029.png, rows and columns 0–399,
// decoded by the Datasets module) goes through every stage.
import Autograd
import Datasets
import Detection
import Foundation
import Kernels
import NN
import Randomness
import TensorCore
import Testing
import TestSupport

/// The golden fixture, parsed once.
struct GoldenFixture: @unchecked Sendable {
    let json: [String: Any]
    /// `tile.json`: Pillow's decode of the tile golden.json names (file, crop, corners, sums).
    let tile: [String: Any]
    let image: Tensor
    let groundTruth: GroundTruth

    static let shared: GoldenFixture = {
        let json = try! Fixtures.json("golden/golden.json") as! [String: Any]
        // The tile golden.json describes, as scripts/fixtures/make_golden_tile.py read its
        // sentence: the file (relative to the checkout) and the crop.
        let tile = try! Fixtures.json("golden/tile.json") as! [String: Any]
        let url = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(tile["file"] as! String)
        let (x, y) = (tile["x"] as! Int, tile["y"] as! Int)
        let (width, height) = (tile["width"] as! Int, tile["height"] as! Int)
        let decoded = try! RGBImage(contentsOf: url).cropped(to: PixelRegion(x: x, y: y, width: width, height: height))
        // HWC bytes → [1, 3, H, W] floats.
        var scalars = [Float](repeating: 0, count: 3 * height * width)
        decoded.pixels.withUnsafeBufferPointer { p in
            for row in 0..<height { for column in 0..<width { for c in 0..<3 {
                scalars[(c * height + row) * width + column] = Float(p[(row * width + column) * 3 + c])
            } } }
        }
        let boxes = flattenNumbers(json["ground_truth"]!).map(Float.init)
        return GoldenFixture(json: json, tile: tile, image: Tensor(shape: [1, 3, height, width], scalars: scalars),
                             groundTruth: GroundTruth(boxes: Tensor(shape: [boxes.count / 4, 4], scalars: boxes),
                                                      labels: [Int](repeating: 1, count: boxes.count / 4)))
    }()

    subscript(_ path: String...) -> Any {
        var value: Any = json
        for key in path { value = (value as! [String: Any])[key]! }
        return value
    }

    func numbers(_ path: String...) -> [Double] {
        var value: Any = json
        for key in path { value = (value as! [String: Any])[key]! }
        return flattenNumbers(value)
    }

    func model() throws -> TinyFasterRCNN {
        var generator = SplitMix64(seed: 0)
        let model = TinyFasterRCNN(classCount: 1, using: &generator)
        try model.load(from: Fixtures.url("golden/weights.safetensors"))
        return model
    }
}

/// Fraction of `expected` boxes ([·, 4] flattened) that some `actual` box overlaps with IoU ≥ 0.99.
func matchedFraction(_ actual: Tensor, expected: [Double]) -> Double {
    let golden = Tensor(shape: [expected.count / 4, 4], scalars: expected.map(Float.init))
    if golden.shape[0] == 0 { return 1 }
    let iou = Boxes.pairwiseIoU(golden, actual)
    let m = actual.shape[0]
    var matched = 0
    for g in 0..<golden.shape[0] where (0..<m).contains(where: { iou.scalars[g * m + $0] >= 0.99 }) { matched += 1 }
    return Double(matched) / Double(golden.shape[0])
}

@Suite("Golden end-to-end (PyTorch twin)", .serialized)
struct GoldenTests {
    let golden = GoldenFixture.shared

    @Test func featureMapStatistics() throws {
        // The decoded tile is the one golden.json describes, pixel for pixel as Pillow reads it.
        #expect(golden.tile["image"] as? String == golden["image"] as? String,
                "tile.json was made from another golden.json: rerun scripts/fixtures/make_golden_tile.py")
        let (height, width) = (golden.image.shape[2], golden.image.shape[3])
        let corners = try #require(golden.tile["corner_pixels"] as? [String: [Int]])
        for (name, (row, column)) in [("top_left", (0, 0)), ("top_right", (0, width - 1)),
                                      ("bottom_left", (height - 1, 0)), ("bottom_right", (height - 1, width - 1))] {
            let pixel = (0..<3).map { Int(golden.image[0, $0, row, column]) }
            #expect(pixel == corners[name], "\(name) pixel")
        }
        let sums = (0..<3).map { c in golden.image.scalars[(c * height * width)..<((c + 1) * height * width)].reduce(0) { $0 + Int($1) } }
        #expect(sums == golden.tile["channel_sums"] as? [Int])
        let model = try golden.model()
        let features = withoutGradients { model.features(golden.image) }.value
        #expect(features.shape == [1, 64, 50, 50])
        let s = features.scalars.map(Double.init)
        expectClose(s.reduce(0, +), golden.numbers("feature_map", "sum")[0], relativeTolerance: 1e-3)
        expectClose(s.reduce(0) { $0 + $1 * $1 }, golden.numbers("feature_map", "sum_sq")[0], relativeTolerance: 1e-3)
        // corner: [4 channels][2 rows][2 columns].
        var corner: [Float] = []
        for c in 0..<4 { for y in 0..<2 { for x in 0..<2 { corner.append(features[0, c, y, x]) } } }
        expectClose(corner, golden.numbers("feature_map", "corner"), relativeTolerance: 1e-3, absoluteTolerance: 1e-3)
    }

    @Test func rpnOutputsAndProposals() throws {
        let model = try golden.model()
        try withoutGradients {
            let features = model.features(golden.image)
            let output = model.rpn(features)
            #expect(output.anchors.shape == [22_500, 4])
            expectClose(output.objectness.value.scalars, golden.numbers("objectness"), relativeTolerance: 1e-3,
                        absoluteTolerance: 2e-3)
            expectClose(output.deltas.value.scalars.prefix(256), golden.numbers("rpn_deltas_first_64"),
                        relativeTolerance: 1e-3, absoluteTolerance: 1e-3)

            let matched = model.rpn.matchedAnchors(output.anchors, groundTruth: golden.groundTruth)
            let counts = matched.labelCounts
            #expect(counts.foreground == golden["anchor_labels_counts", "positive"] as! Int)
            #expect(counts.background == golden["anchor_labels_counts", "negative"] as! Int)
            #expect(counts.ignored == golden["anchor_labels_counts", "ignored"] as! Int)

            let test = model.rpn.proposals(output, imageHeight: 400, imageWidth: 400, filter: model.rpn.inferenceFilter)[0]
            let train = model.rpn.proposals(output, imageHeight: 400, imageWidth: 400, filter: model.rpn.trainingFilter)[0]
            #expect(test.shape == [golden.numbers("proposals_test").count / 4, 4])
            #expect(train.shape == [golden.numbers("proposals_train").count / 4, 4])
            #expect(matchedFraction(test, expected: golden.numbers("proposals_test")) >= 0.98)
            #expect(matchedFraction(train, expected: golden.numbers("proposals_train")) >= 0.98)

            let candidates = model.roiHeads.matchedCandidates(proposals: train, groundTruth: golden.groundTruth)
            #expect(candidates.count == golden["roi_candidates"] as! Int)
            let roiCounts = candidates.labelCounts
            #expect(roiCounts.foreground == golden["roi_label_counts", "foreground"] as! Int)
            #expect(roiCounts.background == golden["roi_label_counts", "background"] as! Int)
            #expect(roiCounts.ignored == golden["roi_label_counts", "ignored"] as! Int)

            let first = Boxes.gathered(candidates.boxes, Array(0..<16))
            let (logits, _) = model.roiHeads(features, rois: RoIHeads.rois([first]))
            expectClose(logits.value.scalars, golden.numbers("roi_class_logits_first_16"), relativeTolerance: 1e-3,
                        absoluteTolerance: 1e-3)
            _ = try #require(logits.shape == [16, 2] ? logits : nil)
        }
    }

    @Test func detections() throws {
        let model = try golden.model()
        let found = model.detect(images: golden.image)[0]
        let boxes = golden.numbers("detections", "boxes"), scores = golden.numbers("detections", "scores")
        let n = scores.count
        #expect(abs(found.count - n) <= 2, "detections: \(found.count) vs golden \(n)")
        #expect(found.labels.allSatisfy { $0 == 1 })
        // Each golden detection: a Quarry box with IoU ≥ 0.99 and a score within 1e-3.
        let iou = Boxes.pairwiseIoU(Tensor(shape: [n, 4], scalars: boxes.map(Float.init)), found.boxes)
        var matched = 0
        for g in 0..<n where (0..<found.count).contains(where: {
            iou.scalars[g * found.count + $0] >= 0.99 && abs(Double(found.scores[$0]) - scores[g]) <= 1e-3
        }) { matched += 1 }
        #expect(Double(matched) >= 0.98 * Double(n), "matched \(matched) of \(n) golden detections")
    }

    @Test func lossesAndGradients() throws {
        let model = try golden.model()
        var generator = SplitMix64(seed: 1)
        var strategies: [any SamplingStrategy] = model.heads.map { AllCandidatesStrategy(head: $0) }
        let losses = trainingLoss(model, images: golden.image, groundTruth: [golden.groundTruth], strategies: &strategies,
                                  using: &generator)
        let expected = golden["losses"] as! [String: Any]
        func value(_ key: String) -> Double { expected[key] as! Double }
        expectClose(losses.rpnObjectness.value.scalar, Float(value("rpn_bce_mean")), relativeTolerance: 1e-3)
        expectClose(losses.rpnBox.value.scalar, Float(value("rpn_box")), relativeTolerance: 1e-3)
        expectClose(losses.roiClassification.value.scalar, Float(value("roi_ce_mean")), relativeTolerance: 1e-3)
        expectClose(losses.roiBox.value.scalar, Float(value("roi_box")), relativeTolerance: 1e-3)
        let total = losses.total
        expectClose(total.value.scalar, Float(value("total")), relativeTolerance: 1e-3)

        total.backward()
        let gradients = golden["gradients_of_total"] as! [String: Any]
        let parameters = model.parameters
        #expect(Set(parameters.map(\.name)) == Set(gradients.keys))
        for parameter in parameters {
            let reference = gradients[parameter.name] as! [String: Any]
            let gradient = try #require(parameter.variable.gradient, "no gradient for \(parameter.name)").scalars.map(Double.init)
            let l2 = reference["l2"] as! Double
            let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
            expectClose(norm, l2, relativeTolerance: 1e-3, "\(parameter.name) L2")
            // Sums and single values may be near zero: compare them on the scale of the norm.
            expectClose(gradient.reduce(0, +), reference["sum"] as! Double, relativeTolerance: 1e-3,
                        absoluteTolerance: 1e-3 * l2, "\(parameter.name) sum")
            expectClose(gradient.prefix(6), flattenNumbers(reference["first"]!), relativeTolerance: 1e-3,
                        absoluteTolerance: 1e-3 * l2, "\(parameter.name) first values")
        }
    }

    @Test func selectorContextsSeeTheGoldenPerCandidateLosses() throws {
        let model = try golden.model()
        var rpnMean = 0.0, roiMean = 0.0, roiScores: [Float] = []
        // Strategies that ask for every per-candidate quantity see the heads' predictions.
        var strategies: [any SamplingStrategy] = model.heads.map {
            AllCandidatesStrategy(head: $0, requirements: [.candidateLosses, .foregroundProbabilities])
        }
        var generator = SplitMix64(seed: 1)
        _ = withoutGradients {
            trainingLoss(model, images: golden.image, groundTruth: [golden.groundTruth], strategies: &strategies, using: &generator)
        }
        for (head, strategy) in zip(model.heads, strategies) {
            let input = try #require((strategy as? AllCandidatesStrategy)?.inputs.first)
            let selection = CandidateSelection.allNonIgnored(input.labels)
            let mean = try #require(input.losses).map(Double.init).reduce(0, +) / Double(selection.indices.count)
            if head == .rpn { rpnMean = mean } else { roiMean = mean; roiScores = try #require(input.foregroundProbabilities) }
        }
        // Per-candidate loss = classification + box, so its mean is the sum of a head's two terms.
        let expected = golden["losses"] as! [String: Any]
        expectClose(rpnMean, (expected["rpn_bce_mean"] as! Double) + (expected["rpn_box"] as! Double), relativeTolerance: 1e-3)
        expectClose(roiMean, (expected["roi_ce_mean"] as! Double) + (expected["roi_box"] as! Double), relativeTolerance: 1e-3)
        // Foreground probability of the first RoI from its golden logits (−0.0715, 0.2216).
        let logits = golden.numbers("roi_class_logits_first_16")
        expectClose(roiScores[0], Float(1 / (1 + exp(logits[0] - logits[1]))), relativeTolerance: 1e-3)
        #expect(roiScores.count == golden["roi_candidates"] as! Int)
    }

    @Test func aBatchOfTwoCopiesGivesTheSingleImageResults() throws {
        let model = try golden.model()
        let pair = Tensor.concatenate([golden.image, golden.image], alongAxis: 0)
        let single = model.detect(images: golden.image)[0]
        let both = model.detect(images: pair)
        #expect(both.count == 2)
        for found in both {
            #expect(found.count == single.count && found.labels == single.labels)
            expectClose(found.scores, single.scores, relativeTolerance: 1e-5)
            expectClose(found.boxes.scalars, single.boxes.scalars, relativeTolerance: 1e-5, absoluteTolerance: 1e-3)
        }
        // Pooled over the batch, sums and counts both double: the means are unchanged.
        var generator = SplitMix64(seed: 1)
        var strategies: [any SamplingStrategy] = model.heads.map { AllCandidatesStrategy(head: $0) }
        let losses = withoutGradients {
            trainingLoss(model, images: pair, groundTruth: [golden.groundTruth, golden.groundTruth], strategies: &strategies,
                         using: &generator)
        }
        let expected = golden["losses"] as! [String: Any]
        expectClose(losses.rpnObjectness.value.scalar, Float(expected["rpn_bce_mean"] as! Double), relativeTolerance: 1e-3)
        expectClose(losses.roiBox.value.scalar, Float(expected["roi_box"] as! Double), relativeTolerance: 1e-3)
        expectClose(losses.total.value.scalar, Float(expected["total"] as! Double), relativeTolerance: 1e-3)
    }

    @Test func focalLossVariants() throws {
        let model = try golden.model()
        var generator = SplitMix64(seed: 1)
        // `focal` at both heads: every non-ignored candidate, focal loss, over max(1, positives) —
        // the fixture's normaliser, which is no longer focal's default (issue 14): asked for by name.
        let old = try StrategyVariant(parsing: "focal(normalizer=positives, boxNormalizer=positives)").configuration
        var strategies = model.heads.map { old.makeStrategy(for: $0) }
        let losses = withoutGradients {
            trainingLoss(model, images: golden.image, groundTruth: [golden.groundTruth], strategies: &strategies, using: &generator)
        }
        let expected = golden["losses"] as! [String: Any]
        expectClose(losses.rpnObjectness.value.scalar, Float(expected["rpn_focal_per_positive"] as! Double),
                    relativeTolerance: 1e-3)
        expectClose(losses.roiClassification.value.scalar, Float(expected["roi_focal_per_positive"] as! Double),
                    relativeTolerance: 1e-3)
    }
}
