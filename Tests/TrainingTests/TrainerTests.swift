import Foundation
import Testing
import Data
import Detection
import Kernels
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

    @Test("resuming from a checkpoint gives the same losses as an uninterrupted run")
    func resume() throws {
        let samples = try digitsSamples()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("checkpoint.safetensors")
        var straight = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 4))
        var interrupted = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 4))
        var expected: [Double] = []
        for _ in 0..<4 { expected.append(try straight.step().total) }
        _ = try interrupted.step(); _ = try interrupted.step()
        try interrupted.saveCheckpoint(to: url, strategyName: "random")
        var resumed = Trainer(samples: samples, classCount: 10, configuration: configuration(iterations: 4))
        try resumed.resume(from: url, strategyName: "random")
        #expect(resumed.iteration == 2)
        let rest = [try resumed.step().total, try resumed.step().total]
        #expect(rest == Array(expected[2...]))
        #expect(throws: TrainingError.self) { try resumed.resume(from: url, strategyName: "ohem") }
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
