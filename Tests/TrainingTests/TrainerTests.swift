import Foundation
import Testing
import Datasets
import Detection
import Kernels
import NN
import TensorCore
@testable import Training

/// Eight 128×128 digits canvases: small enough for a few training steps in a test.
func digitsSamples(count: Int = 8) throws -> [DetectionSample] {
    let folder = try DatasetLocator.datasetsFolder(currentDirectory: URL(fileURLWithPath: #filePath))
    let generator = DigitsDetection(glyphs: try DigitGlyphs.load(datasetsFolder: folder))
    return generator.dataset(.train, count: count, seed: 3).samples
}

@Suite("Trainer")
struct TrainerTests {
    /// A checkpoint path in a fresh temporary folder (the caller removes the folder).
    static func temporaryCheckpoint() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("quarry-resume-\(UUID().uuidString)")
            .appendingPathComponent("checkpoint.safetensors")
    }

    func configuration(iterations: Int) -> TrainingConfiguration {
        var c = TrainingConfiguration(iterations: iterations, seed: 11)
        c.logInterval = 1
        return c
    }

    @Test("the same seed gives the same losses; another seed does not")
    func determinism() throws {
        let samples = try digitsSamples()
        var a = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 3))
        var b = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 3))
        var otherConfig = configuration(iterations: 3)
        otherConfig.seed = 12
        var c = Trainer(samples: samples, classCount: 10, configuration: otherConfig)
        for _ in 0..<3 {
            let ra = try a.step(), rb = try b.step(), rc = try c.step()
            #expect(ra.total == rb.total && ra.rpnObjectness == rb.rpnObjectness && ra.roiBox == rb.roiBox)
            #expect(ra.total != rc.total)
            #expect(ra.total.isFinite)
        }
        #expect(a.isFinished)
    }

    @Test("the warm-up schedule sets the learning rate per iteration")
    func schedule() throws {
        var t = Trainer(samples: try digitsSamples(), classCount: 10, configuration: configuration(iterations: 300))
        let first = try t.step(), second = try t.step()
        #expect(first.learningRate == 0.001)            // 0.01 × 0.1 at iteration 0
        #expect(abs(second.learningRate - 0.01 * (0.1 + 0.9 * 0.01)) < 1e-9)
    }

    @Test("resuming from a checkpoint gives the same losses as an uninterrupted run",
          arguments: [StrategyKind.random, .hardNegativeBuffer, .hardNegativeBufferSeparate])
    func resume(_ sampler: StrategyKind) throws {
        // Four tiles, two per batch: every tile is revisited each 2 steps, so the buffer's
        // entries from before the checkpoint are replayed after it.
        let samples = try digitsSamples(count: 4)
        let url = Self.temporaryCheckpoint()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        func trainer() -> Trainer {
            Trainer(samples: samples, classCount: 10, strategy: sampler, configuration: configuration(iterations: 6))
        }
        var straight = trainer(), interrupted = trainer()
        var expected: [StepRecord] = []
        for _ in 0..<6 { expected.append(try straight.step()) }
        for _ in 0..<3 { _ = try interrupted.step() }
        try interrupted.saveCheckpoint(to: url, strategyName: sampler.rawValue)
        var resumed = trainer()
        try resumed.resume(from: url, strategyName: sampler.rawValue)
        #expect(resumed.iteration == 3)
        var rest: [StepRecord] = []
        for _ in 0..<3 { rest.append(try resumed.step()) }
        #expect(rest.map(\.total) == expected[3...].map(\.total))
        #expect(rest.map(\.rpnMining) == expected[3...].map(\.rpnMining))
        #expect(rest.map(\.roiMining) == expected[3...].map(\.roiMining))
        let stored = try Checkpoint(contentsOf: url).metadata
        if sampler != .random {
            // The buffers travelled through the checkpoint and were replayed from after it.
            #expect(stored["quarry.sampler_state.rpn"] != nil && stored["quarry.sampler_state.roi"] != nil)
            #expect(rest.map { $0.rpnMining.replays }.reduce(0, +) > 0 && rest.map { $0.roiMining.replays }.reduce(0, +) > 0)
        } else {
            #expect(stored.keys.allSatisfy { !$0.hasPrefix("quarry.sampler_state") })
        }
        #expect(throws: TrainingError.self) { try resumed.resume(from: url, strategyName: "ohem") }
        if sampler == .hardNegativeBufferSeparate {
            // The other replay mode is another strategy: its resume is refused by name.
            #expect(throws: TrainingError.incompatibleCheckpoint(path: url.path, field: "quarry.strategy",
                                                                 expected: "hard-negative-buffer", found: "hard-negative-buffer-separate")) {
                try resumed.resume(from: url, strategyName: "hard-negative-buffer")
            }
        }
    }

    @Test("a TinyRetinaNet run: one head's terms, exact resume, and its checkpoint loads as a TinyRetinaNet",
          arguments: [StrategyKind.focal, .hardNegativeBuffer])
    func retinaNetRun(_ strategy: StrategyKind) throws {
        let samples = try digitsSamples(count: 4)
        let url = Self.temporaryCheckpoint()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        func trainer() -> Trainer {
            Trainer(samples: samples, classCount: 10, model: .retinaNet, strategy: strategy, configuration: configuration(iterations: 4))
        }
        var straight = trainer(), interrupted = trainer()
        #expect(straight.termNames == ["retina_classification", "retina_box"])
        var expected: [StepRecord] = []
        for _ in 0..<4 { expected.append(try straight.step()) }
        #expect(expected.allSatisfy { $0.total.isFinite && $0.mining.keys.sorted() == ["retina"] })
        for _ in 0..<2 { _ = try interrupted.step() }
        try interrupted.saveCheckpoint(to: url, strategyName: strategy.rawValue)
        let stored = try Checkpoint(contentsOf: url).metadata
        #expect(stored["quarry.model"] == "retinanet")
        #expect((stored["quarry.sampler_state.retina"] != nil) == (strategy == .hardNegativeBuffer))
        var resumed = trainer()
        try resumed.resume(from: url, strategyName: strategy.rawValue)
        var rest: [StepRecord] = []
        for _ in 0..<2 { rest.append(try resumed.step()) }
        #expect(rest.map(\.terms) == expected[2...].map(\.terms))
        // The checkpoint names its detector: loading gives a TinyRetinaNet with the same weights,
        // and asking for the other kind is refused naming the key.
        let loaded = try TrainedDetector.load(checkpoint: url)
        #expect(loaded.kind == .retinaNet && loaded.classCount == 10)
        for (a, b) in zip(loaded.parameters, interrupted.model.parameters) { #expect(a.variable.value == b.variable.value, "\(a.name)") }
        #expect(throws: TrainingError.incompatibleCheckpoint(path: url.path, field: "quarry.model", expected: "faster-rcnn",
                                                             found: "retinanet")) {
            try TrainedDetector.load(checkpoint: url, model: .fasterRCNN)
        }
        // A TinyFasterRCNN run refuses to resume it.
        var other = Trainer(samples: samples, classCount: 10, strategy: strategy, configuration: configuration(iterations: 4))
        #expect(throws: TrainingError.incompatibleCheckpoint(path: url.path, field: "quarry.model", expected: "faster-rcnn",
                                                             found: "retinanet")) {
            try other.resume(from: url, strategyName: strategy.rawValue)
        }
    }

    @Test("a longer run cannot resume a shorter one's checkpoint; the message says why")
    func resumeNeedsTheSameIterationCount() throws {
        let samples = try digitsSamples(count: 4)
        let url = Self.temporaryCheckpoint()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        var short = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 2))
        _ = try short.step()
        try short.saveCheckpoint(to: url, strategyName: "random")
        var longer = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 5))
        let error = #expect(throws: TrainingError.self) { try longer.resume(from: url, strategyName: "random") }
        #expect(error?.description == "\(url.path): checkpoint quarry.iterations is '2', this run expects '5 (a run's iteration count is fixed because the learning-rate schedule is placed by it; resume with the original count, or start a new run)'")
        #expect(longer.iteration == 0)
    }

    @Test("a checkpoint without the buffer's state is refused by a buffer run")
    func resumeNeedsBufferState() throws {
        let samples = try digitsSamples(count: 4)
        let url = Self.temporaryCheckpoint()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        var random = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 2))
        _ = try random.step()
        // Recorded under the buffer's name, but written by a stateless strategy.
        try random.saveCheckpoint(to: url, strategyName: "hard-negative-buffer")
        var buffer = Trainer(samples: samples, classCount: 10, strategy: .hardNegativeBuffer, configuration: configuration(iterations: 2))
        #expect(throws: TrainingError.incompatibleCheckpoint(path: url.path, field: "quarry.sampler_state.rpn",
                                                             expected: "the hard-negative-buffer state", found: "(missing)")) {
            try buffer.resume(from: url, strategyName: "hard-negative-buffer")
        }
        #expect(buffer.iteration == 0)
    }

    @Test("a non-finite loss stops training naming the iteration and term")
    func nonFinite() throws {
        var t = Trainer(samples: try digitsSamples(), classCount: 10, configuration: configuration(iterations: 2))
        // Poison the objectness bias: every logit becomes NaN.
        let bias = try #require(t.model.parameters.first { $0.name == "rpn_head.cls_logits.bias" })
        bias.variable.value = Tensor(repeating: .nan, shape: bias.variable.shape)
        do {
            _ = try t.step()
            Issue.record("expected a non-finite loss error")
        } catch let error {
            guard case let .nonFiniteLoss(iteration, term, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(iteration == 0 && term == "rpn_objectness")
            #expect(t.iteration == 0)
        }
    }
}
