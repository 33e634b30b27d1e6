import ArgumentParser
import Foundation
import Quarry
import Testing
@testable import QuarryCLI

/// A detector trained for a few iterations on the digits canvases, its checkpoint, and the
/// reference evaluation of the in-memory model on the test split.
struct TrainedDigitsModel: Sendable {
    /// The digits dataset as `quarry eval --dataset digits` loads it (600 train, 100 test canvases).
    var data: TrainingData
    /// The bytes of the checkpoint `Trainer.saveCheckpoint` wrote.
    var checkpointBytes: Data
    /// `model.evaluate(on: data.test, classCount: 10)` of the trained model before it was saved.
    var reference: DatasetEvaluation
    /// `model.proposalRecalls(on: data.test, limits: [100, 300])` of the in-memory model.
    var proposalRecall: [ProposalRecall]

    /// Trained once per test process: 8 iterations take about a second in release.
    static let shared: Result<TrainedDigitsModel, any Error> = Result {
        let data = try TrainingData.load("digits")
        var trainer = Trainer(samples: data.train, classCount: data.classCount,
                              configuration: TrainingConfiguration(iterations: 8, seed: 0))
        while !trainer.isFinished { _ = try trainer.step() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-eval-checkpoint-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        try trainer.saveCheckpoint(to: url, strategyName: "random")
        return TrainedDigitsModel(data: data, checkpointBytes: try Data(contentsOf: url),
                                  reference: trainer.model.evaluate(on: data.test, classCount: data.classCount),
                                  proposalRecall: (trainer.model as! any ProposalDetector).proposalRecalls(on: data.test, limits: [100, 300]))
    }

    /// A fresh folder holding the checkpoint as `checkpoint.safetensors`; the caller removes it.
    func makeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-eval-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try checkpointBytes.write(to: Self.checkpoint(in: folder))
        return folder
    }

    /// The checkpoint in a folder made by `makeFolder()`.
    static func checkpoint(in folder: URL) -> URL { folder.appendingPathComponent("checkpoint.safetensors") }
}

/// A TinyRetinaNet checkpoint trained for one iteration on two digits canvases.
enum RetinaNetCheckpoint {
    /// Writes it as `checkpoint.safetensors` in a fresh temporary folder; the caller removes the folder.
    static func make() throws -> (folder: URL, checkpoint: URL) {
        let data = try TrainingData.load("digits", digitsCounts: (2, 1))
        let trainer = Trainer(samples: data.train, classCount: 10, model: .retinaNet, configuration: TrainingConfiguration(iterations: 1, seed: 0))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-retinanet-\(UUID().uuidString)")
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        try trainer.saveCheckpoint(to: url, strategyName: "random")
        return (folder, url)
    }
}

@Suite("quarry eval --checkpoint and quarry detect on a trained checkpoint")
struct EvalCheckpointTests {
    /// Runs `quarry eval --checkpoint … --dataset digits --json …` and returns the JSON and text.
    func runEval(in folder: URL, checkpoint: URL? = nil, extra: [String] = []) throws -> ([String: Any], String) {
        let output = folder.appendingPathComponent("eval-\(UUID().uuidString).json")
        let command = try EvalCommand.parse(["--checkpoint", (checkpoint ?? TrainedDigitsModel.checkpoint(in: folder)).path, "--dataset", "digits",
                                             "--json", output.path, "--threads", "1"] + extra)
        let text = try command.evaluate().text
        try command.run()
        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        return (json, text)
    }

    /// Runs the eval command on `checkpoint` and returns the error it fails with.
    func evalError(_ checkpoint: URL, json: URL) throws -> any Error {
        let command = try EvalCommand.parse(["--checkpoint", checkpoint.path, "--dataset", "digits", "--json", json.path])
        do {
            try command.run()
        } catch {
            #expect(!FileManager.default.fileExists(atPath: json.path), "no JSON is written on failure")
            return error
        }
        Issue.record("expected eval of \(checkpoint.lastPathComponent) to fail")
        return CancellationError()
    }

    @Test("the numbers equal model.evaluate on the test split (maxDets 100, the 300 AP, VOC AP50)")
    func matchesInMemoryEvaluation() throws {
        let trained = try TrainedDigitsModel.shared.get()
        let folder = try trained.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = trained.reference
        // A model that finds nothing would make every comparison 0 == 0.
        try #require(reference.coco.contains { $0 > 0 }, "the 8-iteration model should score above zero somewhere")
        let (json, text) = try runEval(in: folder)
        let stats = try #require(json["stats"] as? [Double])
        #expect(stats.count == 12)
        for (index, (value, expected)) in zip(stats, reference.coco).enumerated() {
            #expect(abs(value - expected) <= 1e-12, "stats[\(index)]: \(value) vs model.evaluate \(expected)")
        }
        #expect(abs(try #require(json["ap50_voc"] as? Double) - reference.ap50) <= 1e-12)
        #expect(abs(try #require(json["coco_ap_maxdets300"] as? Double) - reference.cocoAP300) <= 1e-12)
        #expect(json["max_dets"] as? [Int] == [1, 10, 100])

        // The text: pycocotools' 12 lines, the maxDets-300 AP line, then VOC AP50 per class.
        let lines = text.components(separatedBy: "\n")
        #expect(lines[0] == " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = "
                + String(format: "%0.3f", reference.coco[0]))
        #expect(lines[8].hasPrefix(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]"))
        #expect(lines[12] == " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=300 ] = "
                + String(format: "%0.3f", reference.cocoAP300))
        #expect(lines[13].hasPrefix(" VOC AP50 (all-point, IoU>=0.50, mean of 10 classes) = "))
    }

    @Test("--proposal-recall: the RPN's recall at 100 and 300 proposals, as the in-memory model's, over every test box")
    func proposalRecall() throws {
        let trained = try TrainedDigitsModel.shared.get()
        let folder = try trained.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (json, text) = try runEval(in: folder, extra: ["--proposal-recall"])
        let entries = try #require(json["proposal_recall"] as? [[String: Any]])
        try #require(entries.count == 2)
        let boxes = trained.data.test.reduce(0) { $0 + $1.target.isDifficult.count { !$0 } }
        // The two recall lines, then the inference settings the checkpoint ran with.
        let lines = text.components(separatedBy: "\n").dropLast().suffix(2)
        #expect(text.components(separatedBy: "\n").last == " Inference: 400-px tiles, stride 300; RPN top-N 1000 before NMS, 300 after")
        #expect(json["inference"] as? [String: Int] == ["tile_size": 400, "tile_stride": 300, "pre_nms_top_n": 1000, "post_nms_top_n": 300])
        for ((entry, expected), (limit, line)) in zip(zip(entries, trained.proposalRecall), zip([100, 300], lines)) {
            #expect(entry["per_tile"] as? Int == limit)
            #expect(entry["boxes"] as? Int == boxes)
            let recall50 = try #require(entry["recall_50"] as? Double)
            #expect(recall50 > 0, "an 8-iteration RPN still covers some digits at IoU 0.5")
            // JSON keeps a Double to about 1e-16.
            #expect(abs(recall50 - expected.recall(atIoU: 0.5)) <= 1e-12)
            #expect(abs(try #require(entry["recall_70"] as? Double) - expected.recall(atIoU: 0.7)) <= 1e-12)
            #expect(abs(try #require(entry["ar"] as? Double) - expected.averageRecall) <= 1e-12)
            #expect(abs(try #require(entry["proposals_per_image"] as? Double) - expected.proposalsPerImage) <= 1e-12)
            #expect(expected.imageCount == trained.data.test.count && expected.proposalsPerImage <= Double(limit))
            #expect(line == " Proposal recall (RPN, first \(limit) per tile, \(boxes) boxes, "
                    + String(format: "%.1f", expected.proposalsPerImage) + " per image): IoU 0.50 "
                    + String(format: "%.3f | IoU 0.70 %.3f | AR@[.5:.95] %.3f", expected.recall(atIoU: 0.5),
                             expected.recall(atIoU: 0.7), expected.averageRecall))
        }
        let error = #expect(throws: (any Error).self) {
            try EvalCommand.parse(["--ground-truth", "g.json", "--detections", "d.json", "--proposal-recall"])
        }
        #expect(error.map { EvalCommand.message(for: $0).contains("--proposal-recall measures a trained detector") } == true)
    }

    @Test("--proposal-recall on a RetinaNet checkpoint: an error naming the file and quarry.model, before the dataset loads")
    func proposalRecallNeedsTwoStages() throws {
        let (folder, url) = try RetinaNetCheckpoint.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A dataset that does not exist: the checkpoint's refusal must come first.
        let command = try EvalCommand.parse(["--checkpoint", url.path, "--dataset", "/nonexistent", "--proposal-recall"])
        #expect {
            try command.run()
        } throws: { error in
            guard case let .incompatibleCheckpoint(path, field, _, found) = error as? TrainingError else { return false }
            return path == url.path && field == "quarry.model" && found.hasPrefix("retinanet")
        }
    }

    @Test("--pre-nms-top-n, --post-nms-top-n, --tile-size, --tile-stride: the numbers of a copy whose recorded configuration holds them, printed and written")
    func inferenceSettings() throws {
        let trained = try TrainedDigitsModel.shared.get()
        let folder = try trained.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The reference: a copy of the checkpoint with the settings in its recorded configuration.
        let edited = try Self.editedCheckpoint(in: folder)
        let (reference, referenceText) = try runEval(in: folder, checkpoint: edited, extra: ["--proposal-recall"])
        let (json, text) = try runEval(in: folder, extra: Self.inferenceFlags + ["--proposal-recall"])
        #expect(text == referenceText)
        #expect(json["stats"] as? [Double] == reference["stats"] as? [Double])
        #expect(json["ap50_voc"] as? Double == reference["ap50_voc"] as? Double)
        #expect(json["inference"] as? [String: Int] == ["tile_size": 96, "tile_stride": 64, "pre_nms_top_n": 150, "post_nms_top_n": 40])
        #expect(text.hasSuffix("\n Inference: 96-px tiles, stride 64; RPN top-N 150 before NMS, 40 after"))
        // The settings took effect: recall at the 40 proposals a tile keeps (one limit, under 100),
        // and other numbers than the recorded settings give.
        let recall = try #require(json["proposal_recall"] as? [[String: Any]])
        #expect(recall.count == 1 && recall[0]["per_tile"] as? Int == 40)
        #expect(json["proposal_recall"] as? [[String: Double]] == reference["proposal_recall"] as? [[String: Double]])
        let (recorded, _) = try runEval(in: folder)
        #expect(recorded["stats"] as? [Double] != json["stats"] as? [Double])
    }

    @Test("each inference flag takes effect: the post-NMS top-N caps the proposals, a smaller pre-NMS top-N leaves fewer, more tiles give more")
    func eachInferenceFlag() throws {
        let trained = try TrainedDigitsModel.shared.get()
        let folder = try trained.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Proposals per image at the last limit (the post-NMS top-N), one pass each.
        func proposals(_ flags: [String]) throws -> (limits: [Int], perImage: Double) {
            let output = try EvalCommand.parse(["--checkpoint", TrainedDigitsModel.checkpoint(in: folder).path, "--dataset", "digits",
                                                "--threads", "1", "--proposal-recall"] + flags).evaluate()
            let last = try #require(output.proposalRecall.last)
            return (output.proposalRecall.map(\.perTile), last.recall.proposalsPerImage)
        }
        // The recorded settings: one 400-px tile per 128-px canvas, at most 300 proposals.
        let recorded = trained.proposalRecall[1].proposalsPerImage
        try #require(recorded > 40 && recorded <= 300)
        let capped = try proposals(["--post-nms-top-n", "40"])
        #expect(capped.limits == [40] && capped.perImage <= 40)
        // NMS over the best 300 anchors keeps a subset of what it keeps over the best 1,000.
        #expect(try proposals(["--pre-nms-top-n", "300"]).perImage < recorded)
        // 64-px tiles: 4 per canvas at stride 64, 9 at stride 32, each with its own 300.
        let four = try proposals(["--tile-size", "64", "--tile-stride", "64"]).perImage
        let nine = try proposals(["--tile-size", "64", "--tile-stride", "32"]).perImage
        #expect(recorded < four && four < nine)
    }

    @Test("the inference line and JSON of a detector without proposals hold only the tiles")
    func inferenceLineWithoutProposals() throws {
        let line = EvaluationOutput.InferenceLine(DetectorConfiguration(), makesProposals: false)
        #expect(line.text == " Inference: 400-px tiles, stride 300")
        let json = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(line)) as? [String: Int])
        #expect(json == ["tile_size": 400, "tile_stride": 300])
        #expect(EvaluationOutput.InferenceLine(DetectorConfiguration(), makesProposals: true).summary
                == "Inference: 400-px tiles, stride 300; RPN top-N 1000 before NMS, 300 after")
    }

    /// The inference flags the tests give, and a copy of the folder's checkpoint whose recorded
    /// configuration holds their values instead (`edited.safetensors`).
    static let inferenceFlags = ["--pre-nms-top-n", "150", "--post-nms-top-n", "40", "--tile-size", "96", "--tile-stride", "64"]
    static func editedCheckpoint(in folder: URL) throws -> URL {
        let original = TrainedDigitsModel.checkpoint(in: folder)
        var file = try Checkpoint(contentsOf: original)
        let key = TrainingConfiguration.checkpointMetadataKey
        var configuration = try TrainingConfiguration.decode(Data(try #require(file.metadata[key]).utf8), file: original.path)
        configuration.model.inferencePreNMSTopN = 150
        configuration.model.inferencePostNMSTopN = 40
        configuration.model.inferenceTileSize = 96
        configuration.model.inferenceTileStride = 64
        file.metadata[key] = String(decoding: configuration.jsonData(), as: UTF8.self)
        let edited = folder.appendingPathComponent("edited.safetensors")
        try file.write(to: edited)
        return edited
    }

    @Test("inference settings the checkpoint's configuration refuses: an error naming the flag, or the recorded field and its flag")
    func refusedInferenceSettings() throws {
        let trained = try TrainedDigitsModel.shared.get()
        let folder = try trained.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = TrainedDigitsModel.checkpoint(in: folder)
        let (retina, retinaCheckpoint) = try RetinaNetCheckpoint.make()
        defer { try? FileManager.default.removeItem(at: retina) }
        let cases: [(URL, [String], String)] = [
            (checkpoint, ["--post-nms-top-n", "2000"],
             "--post-nms-top-n: 2000 exceeds inferencePreNMSTopN 1000: NMS cannot keep more proposals than it is given"),
            (checkpoint, ["--pre-nms-top-n", "200", "--post-nms-top-n", "300"],
             "--post-nms-top-n: 300 exceeds --pre-nms-top-n 200: NMS cannot keep more proposals than it is given"),
            (checkpoint, ["--pre-nms-top-n", "200"],
             "\(checkpoint.path): model.inferencePostNMSTopN (the checkpoint's, or DESIGN.md's when it records none): 300 exceeds --pre-nms-top-n 200: NMS cannot keep more proposals than it is given (give --post-nms-top-n to change it)"),
            (checkpoint, ["--tile-size", "4"], "--tile-size: must be at least the backbone's stride, 8 px, got 4"),
            (checkpoint, ["--tile-size", "256"],
             "\(checkpoint.path): model.inferenceTileStride (the checkpoint's, or DESIGN.md's when it records none): 300 exceeds --tile-size 256: bands of the image between tiles would never be seen (give --tile-stride to change it)"),
            (retinaCheckpoint, ["--pre-nms-top-n", "500"],
             "--pre-nms-top-n: applies to the RPN of a two-stage detector (faster-rcnn); this detector makes no proposals"),
        ]
        for (url, flags, message) in cases {
            // A dataset that does not exist: the settings are refused before it loads.
            let command = try EvalCommand.parse(["--checkpoint", url.path, "--dataset", "/nonexistent"] + flags)
            #expect {
                try command.run()
            } throws: { error in
                (error as? InferenceFlagError)?.description == message && EvalCommand.exitCode(for: error) == .failure
            }
        }
        let error = #expect(throws: (any Error).self) {
            try EvalCommand.parse(["--ground-truth", "g.json", "--detections", "d.json", "--tile-stride", "200"])
        }
        #expect(error.map { EvalCommand.message(for: $0).contains("--tile-stride sets how a trained detector runs; give --checkpoint FILE --dataset NAME with it") } == true)
    }

    @Test("--max-dets 300 gives the 12 numbers of model.evaluate's maxDets-300 pass")
    func maxDetections300() throws {
        let trained = try TrainedDigitsModel.shared.get()
        let folder = try trained.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (json, text) = try runEval(in: folder, extra: ["--max-dets", "300"])
        let stats = try #require(json["stats"] as? [Double])
        for (index, (value, expected)) in zip(stats, trained.reference.coco300).enumerated() {
            #expect(abs(value - expected) <= 1e-12, "stats[\(index)]")
        }
        #expect(json["max_dets"] as? [Int] == [1, 10, 300])
        #expect(json["coco_ap_maxdets300"] as? Double == stats[0])
        #expect(text.components(separatedBy: "\n").filter { $0.contains("maxDets=300") }.count == 10, "no extra 300 line")
    }

    @Test("a checkpoint without quarry.class_count: an error naming the file and the key, exit 1")
    func missingClassCount() throws {
        let trained = try TrainedDigitsModel.shared.get()
        let folder = try trained.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var stored = try Checkpoint(contentsOf: TrainedDigitsModel.checkpoint(in: folder))
        stored.metadata["quarry.class_count"] = nil
        let url = folder.appendingPathComponent("no-class-count.safetensors")
        try stored.write(to: url)
        let error = try evalError(url, json: folder.appendingPathComponent("missing.json"))
        #expect(EvalCommand.exitCode(for: error) == .failure)
        #expect(EvalCommand.message(for: error)
                == "\(url.path): checkpoint quarry.class_count is '(missing)', this run expects 'the class count quarry train records'")
    }

    @Test("parameters that do not fit: an error naming the file and the parameter, exit 1")
    func wrongShapes() throws {
        let trained = try TrainedDigitsModel.shared.get()
        let folder = try trained.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The metadata says 3 classes, the weights have 10: the class logits do not fit.
        var relabelled = try Checkpoint(contentsOf: TrainedDigitsModel.checkpoint(in: folder))
        relabelled.metadata["quarry.class_count"] = "3"
        let first = folder.appendingPathComponent("three-classes.safetensors")
        try relabelled.write(to: first)
        let error = try evalError(first, json: folder.appendingPathComponent("three.json"))
        #expect(EvalCommand.exitCode(for: error) == .failure)
        #expect(EvalCommand.message(for: error)
                == "\(first.path): parameter 'box_head.cls_score.bias' has shape [11], the model expects [4]")

        // A backbone weight of the wrong shape is caught when the weights are restored.
        var reshaped = try Checkpoint(contentsOf: TrainedDigitsModel.checkpoint(in: folder))
        let name = "backbone.0.0.weight"
        let weight = try #require(reshaped.modelTensors[name])
        reshaped.modelTensors[name] = weight.reshaped(to: [weight.shape[0], weight.count / weight.shape[0]])
        let second = folder.appendingPathComponent("reshaped.safetensors")
        try reshaped.write(to: second)
        let reshapedError = try evalError(second, json: folder.appendingPathComponent("reshaped.json"))
        #expect(EvalCommand.message(for: reshapedError)
                == "\(second.path): parameter '\(name)' has shape [16, 27], the model expects [16, 3, 3, 3]")

        // Not a checkpoint at all.
        let garbage = folder.appendingPathComponent("garbage.safetensors")
        try Data("not a checkpoint".utf8).write(to: garbage)
        let garbageError = try evalError(garbage, json: folder.appendingPathComponent("garbage.json"))
        #expect(EvalCommand.message(for: garbageError).hasPrefix("\(garbage.path): "))
    }

    @Test("a checkpoint of the wrong dataset: the class counts are named")
    func datasetMismatch() throws {
        let trained = try TrainedDigitsModel.shared.get()
        let folder = try trained.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = TrainedDigitsModel.checkpoint(in: folder)
        let command = try EvalCommand.parse(["--checkpoint", checkpoint.path, "--dataset", "neon-trees"])
        #expect(throws: TrainingError.incompatibleCheckpoint(path: checkpoint.path, field: "quarry.class_count",
                                                             expected: "1, the class count of dataset neon-trees", found: "10")) {
            try command.run()
        }
    }

    @Test("quarry detect takes the class count from the checkpoint; --classes overrides it")
    func detectUsesMetadata() throws {
        let trained = try TrainedDigitsModel.shared.get()
        let folder = try trained.makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = TrainedDigitsModel.checkpoint(in: folder)
        let image = folder.appendingPathComponent("test-0.png")
        try trained.data.test[0].image.writePNG(to: image)
        let output = folder.appendingPathComponent("detected.png")
        try DetectCommand.parse([image.path, "--checkpoint", checkpoint.path, "--output", output.path]).run()
        let json = folder.appendingPathComponent("detected.json")
        let results = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [[String: Any]])
        // The same detections as the evaluation's first image, labels among the 10 digits.
        let expected = trained.reference.detections[0]
        #expect(results.count == expected.count)
        #expect(results.compactMap { $0["category_id"] as? Int } == expected.labels)
        #expect(expected.labels.allSatisfy { (1...10).contains($0) })

        // The inference flags: the detections of a copy whose recorded configuration holds them.
        let flagged = folder.appendingPathComponent("flagged.png"), copied = folder.appendingPathComponent("copied.png")
        try DetectCommand.parse([image.path, "--checkpoint", checkpoint.path, "--output", flagged.path] + Self.inferenceFlags).run()
        try DetectCommand.parse([image.path, "--checkpoint", try Self.editedCheckpoint(in: folder).path, "--output", copied.path]).run()
        let flaggedJSON = try Data(contentsOf: folder.appendingPathComponent("flagged.json"))
        try #require(((try JSONSerialization.jsonObject(with: flaggedJSON)) as? [Any])?.isEmpty == false, "a comparison of two empty lists proves nothing")
        #expect(flaggedJSON == (try Data(contentsOf: folder.appendingPathComponent("copied.json"))))
        #expect(flaggedJSON != (try Data(contentsOf: json)), "96-px tiles and 40 proposals find other boxes than 400-px tiles and 300")

        let wrong = try DetectCommand.parse([image.path, "--checkpoint", checkpoint.path, "--classes", "1",
                                             "--output", output.path])
        #expect(throws: TrainingError.checkpoint(.shapeMismatch(name: "box_head.cls_score.bias", expected: [2], found: [11],
                                                                path: checkpoint.path))) {
            try wrong.run()
        }
    }
}
