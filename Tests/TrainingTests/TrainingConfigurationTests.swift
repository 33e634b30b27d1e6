import Foundation
import Testing
import Datasets
import Detection
import NN
@testable import Training

@Suite("TrainingConfiguration: defaults, JSON files and bad values")
struct TrainingConfigurationTests {
    /// Writes `text` to a fresh temporary file and returns its URL (the caller removes it).
    static func file(_ text: String, name: String = "run.json") throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// The error `load` throws for a document, or nil.
    static func loadError(_ text: String) throws -> (ConfigurationError, path: String)? {
        let url = try file(text)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do { _ = try TrainingConfiguration.load(contentsOf: url) } catch { return (error, url.path) }
        return nil
    }

    @Test("the schedule's defaults are DESIGN.md's reference schedule", arguments: [1, 7, 100, 600, 2000, 4321])
    func referenceSchedule(_ iterations: Int) {
        let configuration = TrainingConfiguration(iterations: iterations, seed: 0)
        #expect(configuration.schedule == .reference(iterations: iterations))
        #expect(configuration.batchSize == 2 && configuration.momentum == 0.9 && configuration.weightDecay == 1e-4)
        #expect(configuration.model == DetectorConfiguration() && configuration.strategy == StrategyConfiguration(kind: .random))
    }

    @Test("a file holding some keys keeps the defaults of the others; {} is the reference run of 600 iterations")
    func partialFile() throws {
        let url = try Self.file(#"{"baseLearningRate": 0.02, "decayMilestones": [0.5], "model": {"anchorSizes": [32, 64]}, "strategy": {"name": "focal", "roi": {"gamma": 1}}}"#)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let loaded = try TrainingConfiguration.load(contentsOf: url)
        var expected = TrainingConfiguration(iterations: 600, seed: 0)
        expected.baseLearningRate = 0.02
        expected.decayMilestones = [0.5]
        expected.model.anchorSizes = [32, 64]
        expected.strategy = StrategyConfiguration(kind: .focal)
        expected.strategy.roi.gamma = 1
        #expect(loaded == expected)
        #expect(loaded.schedule.milestones == [300] && loaded.schedule.baseLearningRate == 0.02)
        #expect(try TrainingConfiguration.decode(Data("{}".utf8), file: nil) == TrainingConfiguration(iterations: 600, seed: 0))
        // The JSON the run writes reads back to the same configuration.
        #expect(try TrainingConfiguration.decode(loaded.jsonData(), file: nil) == loaded)
    }

    @Test("unknown keys, wrong types and bad values are errors naming the file and the key", arguments: [
        (#"{"learningRate": 0.1}"#, "learningRate", "unknown key 'learningRate'; valid keys: iterations, seed, batchSize, baseLearningRate"),
        (#"{"model": {"anchorSize": [8]}}"#, "model.anchorSize", "unknown key 'anchorSize'; valid keys: classNames, anchorSizes"),
        (#"{"batchSize": "two"}"#, "batchSize", "expected an integer"),
        (#"{"model": {"anchorSizes": [16, "32"]}}"#, "model.anchorSizes[1]", "expected a number"),
        (#"{"baseLearningRate": 0}"#, "baseLearningRate", "must be a finite number > 0.0, got 0.0"),
        (#"{"baseLearningRate": -0.01}"#, "baseLearningRate", "must be a finite number > 0.0, got -0.01"),
        (#"{"batchSize": 0}"#, "batchSize", "must be at least 1, got 0"),
        (#"{"momentum": 1}"#, "momentum", "must be a number in [0, 1), got 1.0"),
        (#"{"decayMilestones": [0.5, 2]}"#, "decayMilestones[1]", "must be a number in [0.0, 1.0], got 2.0"),
        (#"{"strategy": {"rpn": {"budget": 0}}}"#, "strategy.rpn.budget", "must be at least 1, got 0"),
        (#"{"strategy": {"roi": {"positiveFraction": 1.25}}}"#, "strategy.roi.positiveFraction", "must be a number in [0.0, 1.0], got 1.25"),
        (#"{"model": {"anchorSizes": [-16]}}"#, "model.anchorSizes[0]", "must be a finite number > 0, got -16.0"),
        (#"{"model": {"inferenceTileSize": 7}}"#, "model.inferenceTileSize", "must be at least the backbone's stride, 8 px, got 7"),
        (#"[1, 2]"#, "(document)", "expected"),
        (#"{"batchSize": 2"#, "(document)", "not a JSON object of configuration keys"),
    ])
    func badDocuments(_ text: String, _ key: String, _ reason: String) throws {
        let (error, path) = try #require(try Self.loadError(text))
        #expect(error.file == path && error.key == key && error.reason.hasPrefix(reason), "\(error)")
        #expect(error.description.hasPrefix("\(path): \(key): "))
    }

    @Test("firstDifference names the first differing field and both values; the ignored keys do not count")
    func difference() {
        let a = TrainingConfiguration(iterations: 10, seed: 1)
        var b = a
        #expect(a.firstDifference(from: b) == nil)
        b.model.anchorSizes = [32, 64, 128]
        b.checkpointInterval = 5
        let found = a.firstDifference(from: b, ignoring: ["checkpointInterval"])
        #expect(found?.key == "model.anchorSizes" && found?.value == "[16,32,64]" && found?.otherValue == "[32,64,128]")
        b = a
        b.strategy.roi.nmsThreshold = nil
        #expect(a.firstDifference(from: b)?.key == "strategy.roi.nmsThreshold")
        #expect(a.firstDifference(from: b)?.otherValue == "null")
    }

    @Test("effective: parameters the strategy does not read take their defaults, read ones stay — a run recorded before the buffer's new defaults is the same random run")
    func effective() {
        let current = TrainingConfiguration(iterations: 10, seed: 1)
        // `random` as recorded before issue 14's buffer: the buffer's old values in every head.
        var recorded = current
        for head in StrategyConfiguration.heads {
            recorded.strategy[head].capacity = 1000
            recorded.strategy[head].perImageQuota = nil
            recorded.strategy[head].expiryEpochs = 2
            recorded.strategy[head].mining = .threshold
        }
        #expect(recorded != current)
        #expect(recorded.effective == current.effective)
        #expect(recorded.effective.firstDifference(from: current.effective) == nil)
        // A parameter random reads still counts.
        var budget = recorded
        budget.strategy.rpn.budget = 64
        #expect(budget.effective.firstDifference(from: current.effective)?.key == "strategy.rpn.budget")
        // Under the buffer, which reads them, the old values are another run.
        var buffer = recorded, bufferNow = current
        buffer.strategy.kind = .hardNegativeBuffer
        bufferNow.strategy.kind = .hardNegativeBuffer
        #expect(buffer.effective.firstDifference(from: bufferNow.effective)?.key == "strategy.retina.capacity")
    }

    @Test("a checkpoint records the resolved configuration; load reads it back; a checkpoint of another configuration is refused naming the field")
    func checkpoint() throws {
        let samples = try digitsSamples(count: 4)
        var configuration = TrainingConfiguration(iterations: 2, seed: 3)
        configuration.model.anchorSizes = [24, 48]
        configuration.model.backboneWidth = 32
        configuration.strategy = try StrategyVariant(parsing: "ohem(rpn.budget=64)").configuration
        var trainer = Trainer(samples: samples, classCount: 10, configuration: configuration)
        _ = try trainer.step()
        let url = TrainerTests.temporaryCheckpoint()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try trainer.saveCheckpoint(to: url, strategyName: "ohem(rpn.budget=64)")
        #expect(try TrainingConfiguration.load(contentsOf: url) == configuration)

        // detect and eval rebuild the configured detector (2 anchors per location, width 32).
        let detector = try TrainedDetector.load(checkpoint: url)
        #expect(detector.configuration == configuration.model && detector.classCount == 10)
        #expect(detector.parameters.first { $0.name == "rpn_head.cls_logits.weight" }?.variable.shape == [6, 32, 1, 1])   // 2 sizes × 3 ratios

        var other = configuration
        other.strategy.rpn.budget = 128
        var resumed = Trainer(samples: samples, classCount: 10, configuration: other)
        #expect(throws: TrainingError.incompatibleCheckpoint(path: url.path, field: "quarry.configuration strategy.rpn.budget",
                                                             expected: "128", found: "64")) {
            try resumed.resume(from: url, strategyName: "ohem(rpn.budget=64)")
        }
        var same = Trainer(samples: samples, classCount: 10, configuration: configuration)
        try same.resume(from: url, strategyName: "ohem(rpn.budget=64)")
        #expect(same.iteration == 1)
        // Named plainly (a run given its own checkpoint as --config): the parameters come from
        // the recorded configuration, so the plain name resumes; another strategy does not.
        var plain = Trainer(samples: samples, classCount: 10, configuration: configuration)
        try plain.resume(from: url, strategyName: "ohem")
        #expect(plain.iteration == 1)
        var random = Trainer(samples: samples, classCount: 10, configuration: configuration)
        #expect(throws: TrainingError.incompatibleCheckpoint(path: url.path, field: "quarry.strategy", expected: "random",
                                                             found: "ohem(rpn.budget=64)")) {
            try random.resume(from: url, strategyName: "random")
        }
    }

    @Test("a strategy's parameters reach its run: focal γ changes the first step's classification loss, the default γ = 2 does not")
    func parametersReachTheRun() throws {
        let samples = try digitsSamples(count: 4)
        func firstLoss(_ specification: String) throws -> Double {
            var configuration = TrainingConfiguration(iterations: 1, seed: 5)
            configuration.strategy = try StrategyVariant(parsing: specification).configuration
            var trainer = Trainer(samples: samples, classCount: 10, configuration: configuration)
            return try #require(try trainer.step()[term: "roi_classification"])
        }
        let reference = try firstLoss("focal")
        #expect(try firstLoss("focal(gamma=2)") == reference)
        #expect(try firstLoss("focal(gamma=0.5)") > reference)   // a smaller γ down-weights easy candidates less
        var old = Trainer(samples: samples, classCount: 10, strategy: .focal, configuration: TrainingConfiguration(iterations: 1, seed: 5))
        #expect(try old.step()[term: "roi_classification"] == reference)
    }
}
