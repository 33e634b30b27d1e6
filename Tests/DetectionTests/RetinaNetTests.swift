// TinyRetinaNet against torchvision's RetinaNet code (Tests/Fixtures/retinanet.json, written by
// scripts/fixtures/make_retinanet_cases.py): anchors, matching, the head loss of `focal`, the
// decoding, and the dense head's output layout and parameter names; then training under every
// strategy on the synthetic scene, and the empty cases.
import Autograd
import Detection
import DetectionKernels
import Foundation
import NN
import Randomness
import TensorCore
import Testing
import TestSupport

/// The fixture's loss-and-decode case as tensors.
struct RetinaNetFixture: @unchecked Sendable {
    let json: [String: Any]
    /// The head-layout case.
    let headCase: [String: Any]
    var height: Int { json["image_height"] as! Int }
    var width: Int { json["image_width"] as! Int }
    var classCount: Int { json["class_count"] as! Int }
    var anchors: Tensor { tensor("anchors", columns: 4) }
    var logits: Tensor { tensor("cls_logits", columns: classCount) }
    var deltas: Tensor { tensor("bbox_regression", columns: 4) }
    var groundTruth: GroundTruth {
        GroundTruth(boxes: tensor("ground_truth_boxes", columns: 4), labels: json["ground_truth_labels"] as! [Int])
    }

    func numbers(_ key: String) -> [Double] { flattenNumbers(json[key]!) }
    func tensor(_ key: String, columns: Int) -> Tensor {
        let values = numbers(key).map(Float.init)
        return Tensor(shape: [values.count / columns, columns], scalars: values)
    }

    static let shared: RetinaNetFixture = {
        let root = try! Fixtures.json("retinanet.json") as! [String: Any]
        return RetinaNetFixture(json: root["loss_case"] as! [String: Any], headCase: root["head_case"] as! [String: Any])
    }()
}

@Suite("TinyRetinaNet against torchvision's RetinaNet")
struct RetinaNetTests {
    let fixture = RetinaNetFixture.shared

    func model(classCount: Int) -> TinyRetinaNet {
        var generator = SplitMix64(seed: 4)
        return TinyRetinaNet(classCount: classCount, using: &generator)
    }

    @Test("anchors and matching equal torchvision's AnchorGenerator and Matcher(0.5, 0.4, low-quality)")
    func anchorsAndMatching() {
        let net = model(classCount: fixture.classCount)
        let anchors = net.anchorGenerator.anchors(featureHeight: fixture.height / 8, featureWidth: fixture.width / 8)
        #expect(anchors.shape == fixture.anchors.shape)
        expectClose(anchors.scalars, fixture.numbers("anchors"), absoluteTolerance: 1e-6)
        let matched = MatchedCandidates(candidates: anchors, groundTruthBoxes: fixture.groundTruth.boxes,
                                        groundTruthLabels: fixture.groundTruth.labels, matcher: net.matcher, coder: net.coder)
        let expected: [Match] = (fixture.json["matched_idxs"] as! [Int]).map {
            $0 >= 0 ? .foreground(groundTruthIndex: $0) : ($0 == -1 ? .background : .ignored)
        }
        #expect(matched.matches == expected)
        #expect(matched.labelCounts.foreground == fixture.json["foreground_count"] as! Int)
        // Foreground labels are the matched object's class (1-based).
        for (j, match) in matched.matches.enumerated() {
            if case let .foreground(g) = match { #expect(Int(matched.labels[j]) == fixture.groundTruth.labels[g]) }
        }
    }

    @Test("the focal strategy's head loss equals RetinaNetHead.compute_loss to 1e-4")
    func focalHeadLoss() {
        let net = model(classCount: fixture.classCount)
        let a = fixture.anchors.shape[0], k = fixture.classCount
        let output = RetinaNetOutput(classLogits: Variable(fixture.logits.reshaped(to: [1, a, k]), requiresGradient: true),
                                     boxDeltas: Variable(fixture.deltas.reshaped(to: [1, a, 4]), requiresGradient: true),
                                     anchors: fixture.anchors)
        let head = RetinaNetTrainingHead(model: net, output: output, groundTruth: [fixture.groundTruth],
                                         featureHeight: fixture.height / 8, featureWidth: fixture.width / 8)
        // torchvision divides both terms by max(1, positives): the pre-issue-14 normalisers.
        var strategy: any SamplingStrategy = FocalStrategy(head: .retinaNet, normalization: .positiveCount, boxNormalization: .positiveCount)
        var generator = SplitMix64(seed: 0)
        let result = head.sampledLoss(strategy: &strategy, images: [SamplingImage(id: 0, width: fixture.width, height: fixture.height)],
                                      progress: TrainingProgress(step: 0, stepsPerEpoch: 1), using: &generator)
        let expected = fixture.json["loss"] as! [String: Double]
        expectClose(Double(result.loss.classification.value.scalar), expected["classification"]!, relativeTolerance: 1e-4)
        expectClose(Double(result.loss.box.value.scalar), expected["bbox_regression"]!, relativeTolerance: 1e-4)
        #expect(result.mining.positivesSelected == fixture.json["foreground_count"] as! Int)
        #expect(result.mining.negativesSelected == a - 17 - result.mining.positivesSelected)  // 17 anchors between thresholds
    }

    @Test("the dense loss's gradient: (σ(x) − t)/max(1, P) per selected logit, sign(d)/max(1, P) per positive delta")
    func denseLossGradient() {
        let net = model(classCount: 2)
        let anchors = Tensor(shape: [3, 4], scalars: [0, 0, 10, 10, 100, 100, 110, 110, 0, 0, 10, 20])
        let truth = GroundTruth(boxes: Tensor(shape: [1, 4], scalars: [0, 0, 10, 11]), labels: [2])
        let matched = MatchedCandidates(candidates: anchors, groundTruthBoxes: truth.boxes, groundTruthLabels: truth.labels,
                                        matcher: net.matcher, coder: net.coder)
        // IoU 100/110 → foreground class 2; 0 → background; 100/200 = 0.5 → foreground too (≥ 0.5).
        #expect(matched.labels == [2, 0, 2])
        let logits = Variable(Tensor(shape: [1, 3, 2], scalars: [0.5, -1, 2, 0, -0.3, 0.7]), requiresGradient: true)
        let deltas = Variable(Tensor.zeros([1, 3, 4]), requiresGradient: true)
        let loss = HeadLossEvaluation.denseLoss(classLogits: logits, deltas: deltas, candidates: [matched],
                                                selections: [.allNonIgnored(matched.labels)], kind: .crossEntropy,
                                                normalization: .positiveCount, boxLossBeta: 0)
        (loss.classification + loss.box).backward()
        let x = logits.value.scalars.map(Double.init), t: [Double] = [0, 1, 0, 0, 0, 1]
        let sigmoid = x.map { 1 / (1 + exp(-$0)) }
        expectClose(logits.gradient!.scalars, zip(sigmoid, t).map { ($0 - $1) / 2 }, absoluteTolerance: 1e-6)
        // L1 of 0 − target: −sign(target) / 2 on the positives' deltas, 0 on the background's.
        let targets = matched.regressionTargets.scalars.map(Double.init)
        let expected = (0..<12).map { i -> Double in i / 4 == 1 || targets[i] == 0 ? 0 : -(targets[i] > 0 ? 1 : -1) / 2 }
        expectClose(deltas.gradient!.scalars, expected, absoluteTolerance: 1e-6)
        // The classification value by hand: Σ BCE over both anchors' classes, over 2 positives.
        let bce = zip(x, t).map { max($0, 0) - $0 * $1 + log1p(exp(-abs($0))) }.reduce(0, +)
        expectClose(Double(loss.classification.value.scalar), bce / 2, relativeTolerance: 1e-5)
    }

    @Test("decoding equals RetinaNet.postprocess_detections to 1e-4")
    func decoding() {
        let found = RetinaNetPostprocessor().detections(classLogits: fixture.logits, boxDeltas: fixture.deltas,
                                                        anchors: fixture.anchors, coder: .retinaNet,
                                                        imageHeight: fixture.height, imageWidth: fixture.width)
        let detections = fixture.json["detections"] as! [String: Any]
        let scores = flattenNumbers(detections["scores"]!), boxes = flattenNumbers(detections["boxes"]!)
        #expect(found.count == scores.count)
        #expect(found.labels == detections["labels"] as! [Int])
        expectClose(found.scores, scores, relativeTolerance: 1e-4)
        expectClose(found.boxes.scalars, boxes, relativeTolerance: 1e-4, absoluteTolerance: 1e-4)
    }

    @Test("the dense head's outputs and parameter names equal torchvision's RetinaNetHead (two convolutions per subnet)")
    func headLayout() throws {
        let case_ = RetinaNetFixture.shared.headCase
        let channels = case_["channels"] as! Int, k = case_["class_count"] as! Int
        var generator = SplitMix64(seed: 1)
        let head = RetinaNetHead(channels: channels, anchorsPerLocation: 9, classCount: k, using: &generator)
        // At initialisation: every anchor's class logits start at the prior.
        expectClose(head.classificationLogits.bias!.value.scalars,
                    [Double](repeating: case_["prior_bias"] as! Double, count: 9 * k), relativeTolerance: 1e-6)
        let reference = case_["parameters"] as! [String: [String: Any]]
        let parameters = head.parameters.prefixed(by: "head")
        #expect(Set(parameters.map(\.name)) == Set(reference.keys))
        for parameter in parameters {
            let entry = try #require(reference[parameter.name])
            #expect(parameter.variable.shape == entry["shape"] as! [Int], "\(parameter.name)")
            parameter.variable.value = Tensor(shape: parameter.variable.shape, scalars: flattenNumbers(entry["values"]!).map(Float.init))
        }
        let shape = case_["features_shape"] as! [Int]
        let features = Variable(Tensor(shape: shape, scalars: flattenNumbers(case_["features"]!).map(Float.init)))
        let (logits, deltas) = head(features)
        #expect(logits.shape == case_["cls_logits_shape"] as! [Int] && deltas.shape == case_["bbox_regression_shape"] as! [Int])
        expectClose(logits.value.scalars, flattenNumbers(case_["cls_logits"]!), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        expectClose(deltas.value.scalars, flattenNumbers(case_["bbox_regression"]!), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
    }

    @Test("parameters: torchvision's names, TinyFasterRCNN's backbone, the prior on the class bias")
    func parameters() {
        let net = model(classCount: 3)
        let shapes = Dictionary(uniqueKeysWithValues: net.parameters.map { ($0.name, $0.variable.shape) })
        #expect(net.parameters.firstDuplicateName == nil)
        #expect(shapes["backbone.0.0.weight"] == [16, 3, 3, 3])
        #expect(shapes["head.classification_head.conv.1.0.weight"] == [64, 64, 3, 3])
        #expect(shapes["head.classification_head.cls_logits.weight"] == [27, 64, 3, 3])
        #expect(shapes["head.regression_head.bbox_reg.weight"] == [36, 64, 3, 3])
        #expect(net.heads == [.retinaNet] && net.kind == .retinaNet)
        expectClose(net.head.classificationLogits.bias!.value.scalars, [Float](repeating: Float(-log(99.0)), count: 27))
        #expect(net.head.boxRegression.bias!.value.scalars.allSatisfy { $0 == 0 })
    }

    @Test("tiny images detect and train; tiled detection of one tile equals plain detection")
    func tinyImages() {
        var generator = SplitMix64(seed: 3)
        let net = model(classCount: 2)
        let image = Tensor.uniform([1, 3, 24, 20], low: 0, high: 255, using: &generator)
        let found = net.detect(images: image)[0]
        #expect(found.count <= 100 && found.labels.allSatisfy { (1...2).contains($0) })
        let b = found.boxes.scalars
        #expect((0..<found.count).allSatisfy { b[4 * $0] >= 0 && b[4 * $0 + 2] <= 20 && b[4 * $0 + 1] >= 0 && b[4 * $0 + 3] <= 24 })
        #expect(net.detectTiled(image: image.reshaped(to: [3, 24, 20])) == found)
        let truth = GroundTruth(boxes: Tensor(shape: [1, 4], scalars: [2, 3, 14, 18]), labels: [2])
        let losses = trainingLoss(net, images: image, groundTruth: [truth], using: &generator)
        #expect(losses.terms.map(\.name) == ["retina_classification", "retina_box"])
        #expect(losses.total.value.scalar.isFinite)
    }
}

@Suite("TinyRetinaNet trains under every strategy")
struct RetinaNetStrategyTrainingTests {
    /// The dense loss under `kind`'s classification loss over every non-ignored anchor.
    static func fixedLoss(_ net: TinyRetinaNet, _ images: Tensor, _ groundTruth: [GroundTruth],
                          kind: ClassificationLossKind) -> [Float] {
        withoutGradients {
            let features = net.features(images)
            let head = RetinaNetTrainingHead(model: net, output: net(features), groundTruth: groundTruth,
                                             featureHeight: features.shape[2], featureWidth: features.shape[3])
            let candidates = (0..<groundTruth.count).map { head.candidates(ofImage: $0, appending: nil) }
            let loss = head.loss(over: candidates, selections: candidates.map { .allNonIgnored($0.labels) }, kind: kind,
                                 normalization: kind == .crossEntropy ? .selectedCount : .positiveCount)
            return [loss.classification.value.scalar, loss.box.value.scalar]
        }
    }

    @Test("both terms fall on the synthetic scene", arguments: StrategyKind.allCases)
    func trains(_ kind: StrategyKind) {
        var generator = SplitMix64(seed: 42)
        let scene = SyntheticTrainingTests.scene(using: &generator)
        let net = TinyRetinaNet(classCount: 1, using: &generator)
        var strategies = net.heads.map { kind.makeStrategy(for: $0) }
        let classification = strategies[0].classificationLoss
        let before = Self.fixedLoss(net, scene.images, scene.groundTruth, kind: classification)
        var optimizer = SGD(net.parameters, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)
        var mining = MiningStatistics()
        for step in 0..<30 {
            let losses = trainingLoss(net, images: scene.images, groundTruth: scene.groundTruth, strategies: &strategies,
                                      step: step, using: &generator)
            #expect(losses.terms.allSatisfy { $0.value.value.scalar.isFinite }, "\(kind) step \(step)")
            mining.merge(losses[.retinaNet].mining)
            optimizer.zeroGradients()
            losses.total.backward()
            optimizer.step()
        }
        let after = Self.fixedLoss(net, scene.images, scene.groundTruth, kind: classification)
        for (term, (b, a)) in zip(["classification", "box"], zip(before, after)) {
            #expect(a < b, "\(kind) \(term): \(b) → \(a)")
        }
        // (The hard-negative buffer stores little here: every anchor starts at foreground
        // probability 0.01 and a hard negative needs more than 0.5.)
        #expect(mining.images == 60 && mining.positivesSelected > 0)
    }

    @Test("background-only images train under every strategy", arguments: StrategyKind.allCases)
    func backgroundOnly(_ kind: StrategyKind) {
        var generator = SplitMix64(seed: 7)
        let scene = SyntheticTrainingTests.scene(using: &generator)
        let net = TinyRetinaNet(classCount: 1, using: &generator)
        let losses = trainingLoss(net, images: scene.images, groundTruth: [.empty, .empty], kind: kind, using: &generator)
        let terms = losses.terms.map { $0.value.value.scalar }
        #expect(terms[0] > 0 && terms[0].isFinite && terms[1] == 0, "\(kind): \(terms)")
        #expect(losses[.retinaNet].mining.positivesSelected == 0 && losses[.retinaNet].mining.negativesSelected > 0)
    }
}
