import ArgumentParser
import Foundation
import NN
import Quarry
import Testing
import TestSupport
@testable import QuarryCLI

@Suite("--config and the configuration flags")
struct ConfigurationOptionTests {
    /// A configuration file in a fresh temporary folder (the caller removes the folder).
    static func configFile(_ text: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-cli-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("run.json")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test("flags win over the file, the file over the defaults; --strategy's parameters start from the file's")
    func precedence() throws {
        let url = try Self.configFile(#"{"iterations": 40, "seed": 9, "batchSize": 4, "baseLearningRate": 0.05, "strategy": {"name": "ohem", "rpn": {"budget": 64}}}"#)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let fromFile = try TrainCommand.parse(["--config", url.path]).configuration()
        #expect(fromFile.0.iterations == 40 && fromFile.0.seed == 9 && fromFile.0.batchSize == 4 && fromFile.0.baseLearningRate == 0.05)
        #expect(fromFile.0.strategy.kind == .ohem && fromFile.strategyName == "ohem")
        let train = try TrainCommand.parse(["--config", url.path, "--learning-rate", "0.02", "--seed", "4", "--iterations", "3",
                                            "--anchor-sizes", "32, 64", "--tile-size", "256", "--strategy", "ohem(roi.budget=32)"])
        let (c, name) = try train.configuration()
        #expect(c.iterations == 3 && c.seed == 4 && c.batchSize == 4 && c.baseLearningRate == 0.02)
        #expect(c.model.anchorSizes == [32, 64] && c.model.trainingTileSize == 256 && c.model.inferenceTileSize == 256)
        #expect(c.strategy.rpn.budget == 64 && c.strategy.roi.budget == 32 && name == "ohem(roi.budget=32)")
        // Without a file: DESIGN.md's run with the command's iteration count.
        let plain = try TrainCommand.parse([]).configuration().0
        var expected = TrainingConfiguration(iterations: 600, seed: 0)
        expected.checkpointInterval = 100
        #expect(plain == expected)
    }

    @Test("bad flag values are refused naming the flag", arguments: [
        (["--learning-rate", "0"], "--learning-rate: must be a finite number > 0.0, got 0.0"),
        (["--learning-rate", "nan"], "--learning-rate: must be a finite number > 0.0, got nan"),
        (["--batch-size", "0"], "--batch-size: must be at least 1, got 0"),
        (["--anchor-sizes", "16,x"], "--anchor-sizes: 'x' is not a number (give comma-separated numbers, e.g. 16,32,64)"),
        (["--aspect-ratios", "1,-2"], "--aspect-ratios: must be a finite number > 0, got -2.0"),
        (["--tile-size", "4"], "--tile-size: must be at least the backbone's stride, 8 px, got 4"),
        (["--strategy", "ohem(gamma=1)"], "--strategy: ohem: unknown parameter 'gamma'; valid parameters: budget, nmsThreshold, normalizer, boxNormalizer (each optionally prefixed by a head: rpn, roi, retina)"),
        (["--strategy", "focal(rpn.prior=1)"], "--strategy: focal(rpn.prior): must be a probability in (0, 1), got 1.0"),
    ])
    func badFlags(_ arguments: [String], _ message: String) {
        #expect(CommandValidationTests.refusal(TrainCommand.self, arguments) == message)
    }

    @Test("a bad --config file is refused naming the file and the key, by train and compare")
    func badFile() throws {
        let url = try Self.configFile(#"{"model": {"anchorSizes": [16, 0]}}"#)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let message = "\(url.path): model.anchorSizes[1]: must be a finite number > 0, got 0.0"
        #expect(CommandValidationTests.refusal(TrainCommand.self, ["--config", url.path]) == message)
        #expect(CommandValidationTests.refusal(CompareCommand.self, ["--config", url.path]) == message)
        try Data(#"{"schedule": {}}"#.utf8).write(to: url)
        #expect(CommandValidationTests.refusal(TrainCommand.self, ["--config", url.path])?
            .hasPrefix("\(url.path): schedule: unknown key 'schedule'; valid keys: iterations, seed,") == true)
    }

    @Test("compare --strategies takes variants with parameters, names them as written, and lists valid parameters for an unknown one")
    func compareVariants() throws {
        let compare = try CompareCommand.parse(["--strategies", "random, focal(gamma=1), focal(gamma=2), retinanet:ohem(rpn.budget=512)",
                                                "--model", "faster-rcnn"])
        let variants = try compare.parsedVariants()
        #expect(variants.map { "\($0.model):\($0.variant.name)" }
                == ["faster-rcnn:random", "faster-rcnn:focal(gamma=1)", "faster-rcnn:focal(gamma=2)", "retinanet:ohem(rpn.budget=512)"])
        #expect(variants.map(\.variant.configuration.rpn.gamma) == [2, 1, 2, 2] && variants[3].variant.configuration.rpn.budget == 512)
        #expect(CommandValidationTests.refusal(CompareCommand.self, ["--strategies", "random, ssd(ratio=2)"])
                == "--strategies: ssd: unknown parameter 'ratio'; valid parameters: negativeRatio, minimumNegatives, normalizer, boxNormalizer (each optionally prefixed by a head: rpn, roi, retina)")
        #expect(CommandValidationTests.refusal(CompareCommand.self, ["--strategies", "focal(gamma=1), focal( gamma=1 )"])
                == "--strategies: 'focal(gamma=1)' is named twice; each strategy runs once per seed")
    }

    @Test("the executable records the configuration in the checkpoint; detect rebuilds the model from it; train --config CHECKPOINT repeats the run")
    func reproducibleFromCheckpoint() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-config-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let binary = try QuarryProcess.executable()
        func run(_ arguments: [String], _ name: String) throws {
            let log = folder.appendingPathComponent("\(name).log")
            let status = try QuarryProcess(binary, arguments, log: log).wait()
            #expect(status == 0, "\(name): \(QuarryProcess.tail(of: log))")
        }
        let first = folder.appendingPathComponent("first"), second = folder.appendingPathComponent("second")
        try run(["train", "--dataset", "digits", "--iterations", "2", "--anchor-sizes", "24,48", "--aspect-ratios", "1",
                 "--strategy", "ohem(rpn.budget=64)", "--output", first.path], "first")
        let checkpoint = first.appendingPathComponent("checkpoint.safetensors")
        let recorded = try #require(try Checkpoint(contentsOf: checkpoint).metadata["quarry.configuration"])
        let configuration = try TrainingConfiguration.decode(Data(recorded.utf8), file: nil)
        #expect(configuration.model.anchorSizes == [24, 48] && configuration.model.aspectRatios == [1])
        #expect(configuration.model.classNames == (0...9).map(String.init) && configuration.strategy.rpn.budget == 64)
        // detect: no --classes, no anchors given; the checkpoint's configuration builds the model.
        let image = BundledData.folder.appendingPathComponent("neon-trees/SOAP_061.png")
        try run(["detect", image.path, "--checkpoint", checkpoint.path, "--output", folder.appendingPathComponent("d.png").path], "detect")
        try run(["train", "--dataset", "digits", "--config", checkpoint.path, "--output", second.path], "second")
        let repeated = try #require(try Checkpoint(contentsOf: second.appendingPathComponent("checkpoint.safetensors")).metadata["quarry.configuration"])
        #expect(repeated == recorded)
        let firstLosses = try String(contentsOf: first.appendingPathComponent("losses.csv"), encoding: .utf8)
        let secondLosses = try String(contentsOf: second.appendingPathComponent("losses.csv"), encoding: .utf8)
        // Same losses row by row (the seconds column differs).
        func losses(_ text: String) -> [String] { text.split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") } }
        #expect(losses(firstLosses) == losses(secondLosses))
    }
}

@Suite("eval checks a checkpoint's recorded classes")
struct EvalClassNameTests {
    @Test("a checkpoint trained on other class names (same count) is refused, naming the field and both lists")
    func otherClassNames() throws {
        let data = try TrainingData.load("digits", digitsCounts: (4, 1))
        var configuration = TrainingConfiguration(iterations: 1, seed: 0)
        configuration.model.classNames = (0...9).map { "class\($0)" }
        let trainer = Trainer(samples: data.train, classCount: 10, configuration: configuration)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-eval-names-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        try trainer.saveCheckpoint(to: url, strategyName: "random")
        let command = try EvalCommand.parse(["--checkpoint", url.path, "--dataset", "digits"])
        #expect(throws: TrainingError.incompatibleCheckpoint(
            path: url.path, field: "quarry.configuration model.classNames",
            expected: "0,1,2,3,4,5,6,7,8,9, the classes of dataset digits",
            found: (0...9).map { "class\($0)" }.joined(separator: ","))) {
            _ = try command.loadInputs()
        }
    }
}

@Suite("train --config CHECKPOINT trains the checkpoint's detector")
struct RecordedDetectorTests {
    @Test("a TinyRetinaNet checkpoint as --config: retinanet unless --model says otherwise; a JSON file: faster-rcnn")
    func recordedModel() throws {
        let (folder, url) = try RetinaNetCheckpoint.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try TrainCommand.parse(["--config", url.path]).detectorKind() == .retinaNet)
        #expect(try TrainCommand.parse(["--config", url.path, "--model", "faster-rcnn"]).detectorKind() == .fasterRCNN)
        let json = folder.appendingPathComponent("run.json")
        try Data("{}".utf8).write(to: json)
        #expect(try TrainCommand.parse(["--config", json.path]).detectorKind() == .fasterRCNN)
    }
}

@Suite("compare's report names the configuration")
struct ConfigurationLineTests {
    @Test("the context line lists each field that differs from DESIGN.md's defaults, or says there is none")
    func line() {
        var configuration = TrainingConfiguration(iterations: 50, seed: 3)
        configuration.model.classNames = ["a"]
        configuration.strategy.kind = .ohem
        #expect(CompareCommand.configurationLine(configuration) == "configuration: DESIGN.md's defaults (docs/configuration.md)")
        configuration.baseLearningRate = 0.02
        configuration.model.anchorSizes = [63, 88, 118]
        #expect(CompareCommand.configurationLine(configuration)
                == "configuration (differs from DESIGN.md's): baseLearningRate 0.02, model.anchorSizes [63,88,118]")
    }
}
