import ArgumentParser
import Foundation
import Quarry

/// `quarry train`: trains a detector (TinyFasterRCNN or TinyRetinaNet) with one strategy,
/// checkpointing atomically, and evaluates the result on the test split.
struct TrainCommand: ParsableCommand, TrainingRunDefaults {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a detector (TinyFasterRCNN or TinyRetinaNet) with one sampling strategy and evaluate it.",
        discussion: """
            Checkpoints (safetensors: weights, optimiser state, progress) go to OUTPUT/checkpoint.safetensors \
            every --checkpoint-every iterations and at the end, written atomically (a run killed mid-write \
            leaves the previous checkpoint intact). OUTPUT/losses.csv gets one row per iteration \
            (iteration, learning rate, total and each head's loss terms, seconds). --resume continues from \
            the checkpoint with the same losses and weights as an uninterrupted run, and cuts losses.csv \
            back to the checkpoint's iteration so that no row is duplicated or lost.
            """
    )

    static let defaultOutput = "out/train"
    static let iterationsHelp = "Training iterations."
    static let defaultIterations = 600

    @OptionGroup var options: TrainingRunOptions<TrainCommand>

    @Option(help: "The sampling strategy: \(StrategyKind.validNames).")
    var strategy = "random"

    @Option(help: "The detector: \(DetectorKind.validNames).")
    var model = DetectorKind.fasterRCNN.rawValue

    @Option(help: "The run's seed.")
    var seed: UInt64 = 0

    @Option(name: .customLong("checkpoint-every"), help: "Checkpoint interval in iterations (0: only at the end).")
    var checkpointInterval = 100

    @Flag(help: "Continue from OUTPUT/checkpoint.safetensors.")
    var resume = false

    func validate() throws {
        guard checkpointInterval >= 0 else { throw ValidationError("--checkpoint-every must be ≥ 0") }
        _ = try strategyKind()
        _ = try detectorKind()
        guard try options.augmentationLists().count == 1 else {
            throw ValidationError("--augment: train takes one augmentation list; several lists separated by ';' are for compare")
        }
    }

    /// The detector named by `--model`.
    /// - Throws: `ValidationError` naming the unknown model and listing the valid ones.
    func detectorKind() throws(ValidationError) -> DetectorKind {
        do { return try DetectorKind(parsing: model) } catch { throw ValidationError("--model: \(error)") }
    }

    /// The strategy named by `--strategy`.
    /// - Throws: `ValidationError` naming the unknown strategy and listing the valid ones.
    func strategyKind() throws(ValidationError) -> StrategyKind {
        do { return try StrategyKind(parsing: strategy) } catch { throw ValidationError("--strategy: \(error)") }
    }

    func run() throws {
        let data = try options.prepare()
        var configuration = TrainingConfiguration(iterations: options.iterations, seed: seed)
        configuration.checkpointInterval = checkpointInterval
        configuration.augmentations = try options.augmentationLists()[0].list
        var trainer = Trainer(samples: data.train, classCount: data.classCount, model: try detectorKind(),
                              strategy: try strategyKind(), configuration: configuration)
        let folder = URL(fileURLWithPath: options.output)
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors")
        let lossFile = folder.appendingPathComponent("losses.csv")
        var progress = ProgressLine()
        var log: LossLog
        if resume {
            try trainer.resume(from: checkpoint, strategyName: strategy)
            removeStaleTemporaries(in: folder)
            log = try LossLog.resume(at: lossFile, terms: trainer.termNames, iteration: trainer.iteration)
            progress.note("resumed at iteration \(trainer.iteration) from \(checkpoint.path)")
            if log.rowCount < trainer.iteration {
                progress.note("warning: \(lossFile.path) holds \(log.rowCount) of the \(trainer.iteration) rows before the checkpoint")
            }
        } else {
            log = try LossLog.create(at: lossFile, terms: trainer.termNames)
        }
        progress.note("augmentations: \(configuration.augmentations)")
        if let rule = configuration.augmentations.repeatFactorSampling {
            let factors = rule.factors(for: data.train.map(\.target))
            progress.note(String(format: "repeat factors: %.2f to %.2f, about %.1f draws per epoch for %d samples",
                                 factors.min() ?? 1, factors.max() ?? 1, factors.reduce(0, +), factors.count))
        }
        while !trainer.isFinished {
            let record = try trainer.step()
            try log.append(record)
            progress.report(record, of: options.iterations, batchSize: configuration.batchSize, label: strategy)
            if trainer.isFinished || (checkpointInterval > 0 && trainer.iteration % checkpointInterval == 0) {
                try log.synchronize()
                try trainer.saveCheckpoint(to: checkpoint, strategyName: strategy)
            }
        }
        let evaluation = trainer.model.evaluate(on: data.test, classCount: data.classCount)
        print(String(format: "VOC AP50 %.4f  COCO AP %.4f (maxDets 300: %.4f)  AP75 %.4f  AR@100 %.4f",
                     evaluation.ap50, evaluation.cocoAP, evaluation.cocoAP300, evaluation.ap75, evaluation.ar100))
        print("augmentations: \(configuration.augmentations)")
        print("checkpoint: \(checkpoint.path)")
        print("losses: \(lossFile.path)")
    }

    /// Removes the atomic writer's temporary files a killed run left behind
    /// (`.checkpoint.safetensors.tmp-…`, `.losses.csv.tmp-…`): only this run writes into its
    /// output folder.
    func removeStaleTemporaries(in folder: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let prefixes = ["checkpoint.safetensors", "losses.csv"].map(AtomicFile.temporaryNamePrefix(for:))
        for name in names where prefixes.contains(where: name.hasPrefix) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}
