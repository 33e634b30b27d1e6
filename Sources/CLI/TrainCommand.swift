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

            The run's configuration (docs/configuration.md) is DESIGN.md's unless --config names a \
            JSON file, a checkpoint or a results.json; flags win over it. The resolved configuration \
            goes into every checkpoint (quarry.configuration), so --config CHECKPOINT repeats a run, \
            and --resume refuses a checkpoint whose configuration differs, naming the field.

            Data-parallel: `mpirun -np N quarry train --distributed …` (a build with --traits MPI) \
            splits each batch of --batch-size images over the N ranks and sums the gradients, so the \
            run equals itself at any N (docs/distributed.md); rank 0 writes every file, and --resume \
            continues at any N. --threads is then a ceiling: each rank takes at most the cores of its \
            machine divided by the ranks on it.
            """
    )

    static let defaultOutput = "out/train"
    static let iterationsHelp = "Training iterations."
    static let defaultIterations = 600

    @OptionGroup var options: TrainingRunOptions<TrainCommand>

    @Option(help: ArgumentHelp(
        "The sampling strategy, optionally with parameters: \(StrategyKind.validNames) (default: random, or the --config file's).",
        discussion: "Parameters as name(parameter=value, head.parameter=value), e.g. 'focal(gamma=1)' or 'ohem(rpn.budget=512)'; heads rpn, roi, retina (docs/configuration.md)."))
    var strategy: String?

    @Option(help: "The detector: \(DetectorKind.validNames) (default: faster-rcnn, or the --config checkpoint's or results.json's).")
    var model: String?

    @Option(help: "The run's seed (default: 0, or the --config file's).")
    var seed: UInt64?

    @Option(name: .customLong("checkpoint-every"), help: "Checkpoint interval in iterations (0: only at the end).")
    var checkpointInterval = 100

    @Flag(help: "Continue from OUTPUT/checkpoint.safetensors.")
    var resume = false

    @Flag(help: "Data-parallel training under mpirun: the batch is split over the ranks (needs a build with --traits MPI).")
    var distributed = false

    func validate() throws {
        guard checkpointInterval >= 0 else { throw ValidationError("--checkpoint-every must be ≥ 0") }
        _ = try strategyKind()
        _ = try detectorKind()
        guard (try options.augmentationLists()?.count ?? 1) == 1 else {
            throw ValidationError("--augment: train takes one augmentation list; several lists separated by ';' are for compare")
        }
    }

    /// The detector named by `--model`, else the one the `--config` checkpoint or results.json
    /// trained, else TinyFasterRCNN.
    /// - Throws: `ValidationError` naming the unknown model and listing the valid ones.
    func detectorKind() throws(ValidationError) -> DetectorKind {
        guard let model else { return options.configurationOptions.recordedDetector() ?? .fasterRCNN }
        do { return try DetectorKind(parsing: model) } catch { throw ValidationError("--model: \(error)") }
    }

    /// The strategy named by `--strategy`.
    /// - Throws: `ValidationError` naming the unknown strategy and listing the valid ones.
    func strategyKind() throws(ValidationError) -> StrategyKind {
        try variant(base: StrategyConfiguration(kind: .random)).configuration.kind
    }

    /// The strategy of `--strategy` with its parameters, starting from `base` (the
    /// configuration's), or `base` itself under its name when `--strategy` is not given.
    /// - Throws: `ValidationError` naming an unknown strategy or parameter and listing the valid ones.
    func variant(base: StrategyConfiguration) throws(ValidationError) -> StrategyVariant {
        guard let strategy else { return StrategyVariant(name: base.kind.rawValue, configuration: base) }
        do { return try StrategyVariant(parsing: strategy, base: base) } catch { throw ValidationError("--strategy: \(error)") }
    }

    /// The resolved configuration before the data fills the class names: `--config`, the flags,
    /// `--seed`, `--strategy` and `--checkpoint-every`.
    /// - Throws: `ConfigurationError` or `ValidationError` naming the bad key or flag.
    func configuration() throws -> (TrainingConfiguration, strategyName: String) {
        var configuration = try options.configuration(seed: seed)
        let variant = try variant(base: configuration.strategy)
        configuration.strategy = variant.configuration
        configuration.checkpointInterval = checkpointInterval
        return (configuration, variant.name)
    }

    func run() throws {
        // First, so that a misconfigured launch fails before any work.
        let communicator = try dataParallelCommunicator()
        // Rank 0 writes every file and prints; the other ranks only train (and report errors).
        let isRoot = (communicator?.rank ?? 0) == 0
        var progress = ProgressLine()
        var (configuration, strategy) = try configuration()
        let threads = communicator == nil ? options.threads : Self.threadsPerRank(requested: options.threads)
        let data = try options.prepare(configuration: configuration, threads: threads)
        configuration = try options.resolved(configuration, with: data)
        if isRoot, let warning = AnchorCoverageWarning.message(for: configuration.model, samples: data.train, dataset: options.dataset) {
            progress.note(warning)
        }
        var trainer = Trainer(samples: data.train, classCount: data.classCount, model: try detectorKind(), configuration: configuration)
        if let communicator { try trainer.distribute(over: communicator) }
        let folder = URL(fileURLWithPath: options.output)
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors")
        let lossFile = folder.appendingPathComponent("losses.csv")
        var log: LossLog?
        if resume {
            try trainer.resume(from: checkpoint, strategyName: strategy)
            if isRoot {
                removeStaleTemporaries(in: folder)
                let resumed = try LossLog.resume(at: lossFile, terms: trainer.termNames, iteration: trainer.iteration)
                progress.note("resumed at iteration \(trainer.iteration) from \(checkpoint.path)")
                if resumed.rowCount < trainer.iteration {
                    progress.note("warning: \(lossFile.path) holds \(resumed.rowCount) of the \(trainer.iteration) rows before the checkpoint")
                }
                log = resumed
            }
        } else if isRoot {
            log = try LossLog.create(at: lossFile, terms: trainer.termNames)
        }
        if let communicator {
            try trainer.synchronizeReplicas()
            if isRoot { progress.note(Self.dataParallelNote(ranks: communicator.size, batchSize: configuration.batchSize, threads: threads)) }
        }
        if isRoot { progress.note("augmentations: \(configuration.augmentations)") }
        if isRoot, let rule = configuration.augmentations.repeatFactorSampling {
            let factors = rule.factors(for: data.train.map(\.target))
            progress.note(String(format: "repeat factors: %.2f to %.2f, about %.1f draws per epoch for %d samples",
                                 factors.min() ?? 1, factors.max() ?? 1, factors.reduce(0, +), factors.count))
        }
        while !trainer.isFinished {
            let record = try trainer.step()
            if isRoot, let round = record.miningRound { progress.note(round.description) }
            if var written = log {
                try written.append(record)
                log = written
                progress.report(record, of: configuration.iterations, batchSize: configuration.batchSize, label: strategy)
                if trainer.isFinished || (checkpointInterval > 0 && trainer.iteration % checkpointInterval == 0) {
                    try written.synchronize()
                    try trainer.saveCheckpoint(to: checkpoint, strategyName: strategy)
                }
            }
            if let communicator { CompareCommand.dieIfAskedForTesting(rank: communicator.rank, iteration: record.iteration) }
        }
        guard isRoot else { return try communicator!.finalize() }
        let evaluation = trainer.model.evaluate(on: data.test, classCount: data.classCount)
        print(String(format: "VOC AP50 %.4f  COCO AP %.4f (maxDets 300: %.4f)  AP75 %.4f  AR@100 %.4f",
                     evaluation.ap50, evaluation.cocoAP, evaluation.cocoAP300, evaluation.ap75, evaluation.ar100))
        print("augmentations: \(configuration.augmentations)")
        print("checkpoint: \(checkpoint.path)")
        print("losses: \(lossFile.path)")
        try communicator?.finalize()
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
