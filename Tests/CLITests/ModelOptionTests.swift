// `--model` in train, compare, detect and eval: parsing, the compare plan's (model, strategy)
// pairs, and the real executable training a TinyRetinaNet, then detecting and evaluating with
// its checkpoint (the model read from the checkpoint).
import ArgumentParser
import Foundation
import Quarry
import Testing
import TestSupport
@testable import QuarryCLI

@Suite("--model")
struct ModelOptionTests {
    @Test("train takes faster-rcnn (the default) or retinanet; an unknown name lists the valid ones")
    func trainModel() throws {
        #expect(try TrainCommand.parse([]).detectorKind() == .fasterRCNN)
        #expect(try TrainCommand.parse(["--model", "retinanet"]).detectorKind() == .retinaNet)
        #expect(CommandValidationTests.refusal(TrainCommand.self, ["--model", "retina"])
                == "--model: unknown model 'retina'; valid names: faster-rcnn, retinanet")
        #expect(CommandValidationTests.refusal(DetectCommand.self, ["x.png", "--checkpoint", "c", "--model", "retina"])
                == "--model: unknown model 'retina'; valid names: faster-rcnn, retinanet")
    }

    @Test("compare: unprefixed strategies run under every --model, model:strategy under its own")
    func comparePairs() throws {
        let mixed = try CompareCommand.parse(["--strategies", "faster-rcnn:ohem,retinanet:focal"]).parsedConfigurations()
        #expect(mixed.map(\.model) == [.fasterRCNN, .retinaNet] && mixed.map(\.strategy) == [.ohem, .focal])
        let crossed = try CompareCommand.parse(["--model", "faster-rcnn,retinanet", "--strategies", "random,focal"]).parsedConfigurations()
        #expect(crossed.map { "\($0.model):\($0.strategy)" }
                == ["faster-rcnn:random", "retinanet:random", "faster-rcnn:focal", "retinanet:focal"])
        let plan = ComparisonPlan(configurations: mixed, seeds: [0], iterations: 1, output: URL(fileURLWithPath: "/tmp/x"))
        #expect(plan.entries.map(\.name) == ["faster-rcnn:ohem", "retinanet:focal"])
        #expect(StrategyComparison.detectionsFileName(plan.entries[1]) == "detections-retinanet-focal.png")
        // One detector: entries keep the strategy's own name, as before models existed.
        let single = try CompareCommand.parse(["--model", "retinanet", "--strategies", "ohem"]).parsedConfigurations()
        #expect(ComparisonPlan(configurations: single, seeds: [0], iterations: 1, output: URL(fileURLWithPath: "/tmp/x"))
                    .entries.map(\.name) == ["ohem"])
        for (arguments, message) in [
            (["--strategies", "random,faster-rcnn:random"], "--strategies: 'random' is named twice; each strategy runs once per seed"),
            (["--model", "faster-rcnn,faster-rcnn"], "--model: 'faster-rcnn' is named twice"),
            (["--model", "yolo"], "--model: unknown model 'yolo'; valid names: faster-rcnn, retinanet"),
        ] {
            #expect(CommandValidationTests.refusal(CompareCommand.self, arguments) == message)
        }
    }

    @Test("eval: --model needs --checkpoint")
    func evalModelNeedsCheckpoint() {
        #expect(CommandValidationTests.refusal(EvalCommand.self, ["--ground-truth", "a.json", "--detections", "b.json", "--model", "retinanet"])
                == "--model names the detector of --checkpoint; give --checkpoint FILE --dataset NAME with it")
    }

    @Test("the executable trains a TinyRetinaNet, then detect and eval read the model from its checkpoint")
    func retinaNetEndToEnd() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-retinanet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let binary = try QuarryProcess.executable()
        func run(_ arguments: [String], _ name: String) throws -> String {
            let log = folder.appendingPathComponent("\(name).log")
            let child = try QuarryProcess(binary, arguments, log: log)
            let status = child.wait()
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(status == 0, "\(name): \(QuarryProcess.tail(of: log))")
            return text
        }
        let out = folder.appendingPathComponent("train")
        _ = try run(["train", "--dataset", "digits", "--model", "retinanet", "--strategy", "focal", "--iterations", "2",
                     "--output", out.path], "train")
        let header = try String(contentsOf: out.appendingPathComponent("losses.csv"), encoding: .utf8).split(separator: "\n")[0]
        #expect(header == "iteration,learning_rate,total,retina_classification,retina_box,seconds")
        let checkpoint = out.appendingPathComponent("checkpoint.safetensors")
        #expect(try Checkpoint(contentsOf: checkpoint).metadata["quarry.model"] == "retinanet")
        let image = BundledData.folder.appendingPathComponent("neon-trees/SOAP_061.png")
        let detected = try run(["detect", image.path, "--checkpoint", checkpoint.path, "--output", folder.appendingPathComponent("d.png").path],
                               "detect")
        #expect(detected.contains("wrote"), "\(detected)")
        let evaluated = try run(["eval", "--checkpoint", checkpoint.path, "--dataset", "digits"], "eval")
        #expect(evaluated.contains("VOC AP50") || evaluated.contains("AP50"), "\(evaluated)")
        // Asking for the other detector is refused, naming the key.
        let log = folder.appendingPathComponent("wrong.log")
        let wrong = try QuarryProcess(binary, ["eval", "--checkpoint", checkpoint.path, "--dataset", "digits", "--model", "faster-rcnn"],
                                      log: log)
        #expect(wrong.wait() != 0)
        let message = try String(contentsOf: log, encoding: .utf8)
        #expect(message.contains("checkpoint quarry.model is 'retinanet', this run expects 'faster-rcnn'"), "\(message)")
    }
}
