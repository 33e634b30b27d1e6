import ArgumentParser
import Foundation
import Quarry

/// `quarry compare`: trains one detector per sampling strategy (and seed) with identical data
/// order and initialisation, evaluates each on the test split and writes a report. With several
/// models (`--model faster-rcnn,retinanet`, or `model:strategy` items) one report compares
/// detectors and strategies together.
struct CompareCommand: ParsableCommand, TrainingRunDefaults {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare sampling strategies: train each, evaluate on the test split, write a report.",
        discussion: """
            Writes report.md, results.json, losses.svg, pr.svg, ap50-iterations.svg, ap50-seconds.svg \
            detections-<strategy>.png and mined-<strategy>-<head>-tile-<i>.png (what each strategy trained on as \
            negatives, first seed) into the output folder, and each finished run's record into \
            runs/ as it ends (--resume reuses them after an interruption) with, for the first seed, each entry's \
            final model (runs/<entry>-seed-<S>.safetensors, loadable by eval --checkpoint and detect), and prints the result table and the \
            verdicts. Metrics: VOC AP50 (primary), COCO AP at maxDets 100 and 300, AP75, AR@100, seconds \
            per iteration, peak resident memory. Strategies are compared by their per-seed (paired) \
            differences with a 95% Student-t interval; each run's AP50 gets a 95% bootstrap interval \
            over the test images (docs/statistics.md). The defaults (8 seeds, 2,000 iterations) are \
            sized for verdicts; a smaller run says so in the report's first lines.

            Models: each strategy of --strategies trains every model of --model; an item \
            model:strategy trains that model only, so two-stage OHEM against one-stage focal is \
            --strategies faster-rcnn:ohem,retinanet:focal. With more than one model the report names \
            each entry model:strategy.

            Strategy parameters: an item name(parameter=value, head.parameter=value) trains that \
            variant, so one parameter is swept by listing several: --strategies 'random, \
            focal(gamma=0.5), focal(gamma=1), focal(gamma=2), ohem(rpn.budget=512)'. Heads are rpn, \
            roi and retina; a parameter without a head applies to every head. The report and plots \
            name each variant as written (spaces removed). The run configuration (--config and its \
            flags, docs/configuration.md) is shared by every run and written to results.json.
            """
    )

    static let defaultOutput = "out/compare"
    static let iterationsHelp = "Training iterations per run."
    static let defaultIterations = ComparisonPlan.recommendedIterations

    @OptionGroup var options: TrainingRunOptions<CompareCommand>

    @Option(help: "Comma-separated strategies (\(StrategyKind.validNames)), each optionally with parameters (focal(gamma=1)) and prefixed with a model and a colon (retinanet:focal).")
    var strategies = "random,ohem,ssd,focal,hard-negative-buffer"

    @Option(name: .customLong("model"), help: "Comma-separated detectors every unprefixed strategy trains: \(DetectorKind.validNames).")
    var models = DetectorKind.fasterRCNN.rawValue

    @Option(help: "Comma-separated seeds; runs with the same seed share initialisation and data order.")
    var seeds = (0..<UInt64(ComparisonPlan.recommendedSeedCount)).map(String.init).joined(separator: ",")

    @Option(name: .customLong("eval-every"),
            help: "Evaluate on the test split every N iterations for the learning curves (0: only at the end).")
    var evaluationInterval = 200

    @Option(help: ArgumentHelp(
        "Runs trained at once, each with --threads / --jobs OpenBLAS threads (1: one after another).",
        discussion: "On 2 cores, --jobs 2 finishes a comparison about 1.5× sooner: a run leaves the second core mostly idle outside its GEMMs. A run's numbers depend on its OpenBLAS thread count (GEMMs that split their sums differ in the last bits), so they equal `quarry train --threads <threads / jobs>` with the same seed; seconds per iteration are then measured with runs sharing the machine."))
    var jobs = 1

    @Flag(help: ArgumentHelp(
        "Reuse the finished runs recorded in <output>/runs/ by an earlier sitting; train only the others.",
        discussion: "Every finished run is recorded there as it ends. A record is reused only when the run's resolved configuration, dataset, evaluation interval, bootstrap, OpenBLAS core and thread count and CPU model all match; otherwise the run trains again and says why. Quarry's own code is not recorded: do not resume across a change of it. The report counts the reused runs (their seconds per iteration were measured when they ran)."))
    var resume = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        guard jobs <= options.threads else {
            throw ValidationError("--jobs \(jobs) exceeds --threads \(options.threads): each run needs at least one OpenBLAS thread")
        }
        _ = try parsedSeeds()
        _ = try parsedVariants()
        guard evaluationInterval >= 0 else {
            throw ValidationError("--eval-every must be 0 (only at the end) or a positive number of iterations, got \(evaluationInterval)")
        }
    }

    /// The detectors named by `--model`, in order.
    /// - Throws: `ValidationError` naming an unknown or repeated model and listing the valid ones.
    func parsedModels() throws -> [DetectorKind] {
        let kinds = try Self.items(of: models, option: "--model").map { name throws(ValidationError) in
            do { return try DetectorKind(parsing: name) } catch { throw ValidationError("--model: \(error)") }
        }
        if let repeated = Self.firstRepeated(kinds) {
            throw ValidationError("--model: '\(repeated.rawValue)' is named twice")
        }
        return kinds
    }

    /// The (model, strategy) pairs that `--strategies` and `--model` name, in order (the
    /// strategies of ``parsedVariants(base:)``).
    /// - Throws: as ``parsedVariants(base:)``.
    func parsedConfigurations() throws -> [(model: DetectorKind, strategy: StrategyKind)] {
        try parsedVariants().map { ($0.model, $0.variant.configuration.kind) }
    }

    /// The (model, strategy variant) pairs that `--strategies` and `--model` name, in order:
    /// each unprefixed item under every model of `--model`, each `model:strategy` item under its
    /// model; each variant's parameters start from `base` (the configuration's).
    /// - Throws: `ValidationError` naming an unknown model, strategy or parameter (listing the
    ///   valid ones), a bad value, or a variant named twice, or saying that none was given.
    func parsedVariants(base: StrategyConfiguration = StrategyConfiguration(kind: .random)) throws
        -> [(model: DetectorKind, variant: StrategyVariant)] {
        let models = try parsedModels()
        var pairs: [(model: DetectorKind, variant: StrategyVariant)] = []
        let items = StrategyVariant.splitList(strategies)
        guard !items.contains(where: \.isEmpty) else {
            throw ValidationError("--strategies: give one or more comma-separated values without empty items, got '\(strategies)'")
        }
        for item in items {
            // `model:strategy` when the part before the first colon (outside any parameters)
            // names a model; otherwise the whole item is a strategy (an unknown one is reported as given).
            let head = item.prefix { $0 != "(" }
            let colon = head.firstIndex(of: ":")
            let model = colon.flatMap { DetectorKind(rawValue: String(item[..<$0])) }
            let text = model != nil && colon != nil ? String(item[item.index(after: colon!)...]) : item
            let variant: StrategyVariant
            do { variant = try StrategyVariant(parsing: text, base: base) } catch {
                throw ValidationError("--strategies: \(error)")
            }
            pairs += model.map { [($0, variant)] } ?? models.map { ($0, variant) }
        }
        var seen = Set<String>()
        for (model, variant) in pairs where !seen.insert("\(model):\(variant.name)").inserted {
            let named = Set(pairs.map(\.model)).count > 1 ? "\(model.rawValue):\(variant.name)" : variant.name
            throw ValidationError("--strategies: '\(named)' is named twice; each strategy runs once per seed")
        }
        return pairs
    }

    /// The seeds named by `--seeds`, in order.
    /// - Throws: `ValidationError` naming a value that is not a non-negative integer or is
    ///   repeated (a repeated seed would report a spread of identical runs), or saying that none
    ///   was given.
    func parsedSeeds() throws -> [UInt64] {
        let values = try Self.items(of: seeds, option: "--seeds").map { item throws(ValidationError) in
            guard let seed = UInt64(item) else { throw ValidationError("--seeds: '\(item)' is not a non-negative integer") }
            return seed
        }
        if let repeated = Self.firstRepeated(values) {
            throw ValidationError("--seeds: \(repeated) is named twice; the spread over seeds needs distinct seeds")
        }
        return values
    }

    /// The comma-separated items of an option's value, trimmed.
    /// - Throws: `ValidationError` when an item is empty (e.g. `""`, `"a,,b"` or a trailing comma).
    static func items(of value: String, option: String) throws(ValidationError) -> [String] {
        let items = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.contains(where: \.isEmpty) else {
            throw ValidationError("\(option): give one or more comma-separated values without empty items, got '\(value)'")
        }
        return items
    }

    /// The report's context line on the run configuration: "DESIGN.md's defaults", or each field
    /// that differs from them (`baseLearningRate 0.02, model.anchorSizes [63,88,118]`); the
    /// iterations, seed, class names and strategies are reported elsewhere.
    static func configurationLine(_ configuration: TrainingConfiguration) -> String {
        let reference = TrainingConfiguration(iterations: configuration.iterations, seed: configuration.seed)
        let changed = configuration.differences(from: reference, ignoring: ["strategy", "model.classNames", "logInterval", "checkpointInterval"])
        guard !changed.isEmpty else { return "configuration: DESIGN.md's defaults (docs/configuration.md)" }
        return "configuration (differs from DESIGN.md's): " + changed.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// The first element that occurs a second time, if any.
    static func firstRepeated<T: Hashable>(_ items: [T]) -> T? {
        var seen = Set<T>()
        return items.first { !seen.insert($0).inserted }
    }

    func run() throws {
        var configuration = try options.configuration(seed: nil)
        let data = try options.prepare(configuration: configuration)
        configuration = try options.resolved(configuration, with: data)
        let threadsPerRun = options.threads / jobs
        Kernels.setBLASThreadCount(threadsPerRun)
        var plan = ComparisonPlan(variants: try parsedVariants(base: configuration.strategy), base: configuration,
                                  augmentations: try options.augmentationLists(), seeds: try parsedSeeds(), output: URL(fileURLWithPath: options.output),
                                  evaluationInterval: evaluationInterval, jobs: jobs)
        plan.resume = resume
        let iterations = configuration.iterations
        var progress = ProgressLine()
        if let warning = AnchorCoverageWarning.message(for: configuration.model, samples: data.train, dataset: options.dataset) {
            progress.note(warning)
        }
        var runStarts: [String: Date] = [:]
        progress.note("compare: \(data.train.count) training samples, \(data.test.count) test images, runs \(plan.entries.map(\.name).joined(separator: ", ")), seeds \(seeds), \(iterations) iterations")
        var seenLists = Set<String>()
        let augmentationLists = plan.entries.map(\.augmentations.description).filter { seenLists.insert($0).inserted }
        let blas = Kernels.blasStatus
        var context = ["date \(ISO8601DateFormatter().string(from: Date()))",
                       "machine: \(blas.cpuModel.isEmpty ? "CPU model unknown" : blas.cpuModel) (\(blas.cpuFeatures.vectorClass)), \(ProcessInfo.processInfo.activeProcessorCount) cores; \(blas.version), core \(blas.coreAfter)",
                       jobs == 1 ? "\(threadsPerRun) OpenBLAS threads, runs one after another"
                           : "\(jobs) runs at a time, \(threadsPerRun) OpenBLAS thread\(threadsPerRun == 1 ? "" : "s") each: seconds per iteration measured with runs sharing the machine, peak memory over overlapping runs",
                       "\(data.train.count) training samples, \(data.test.count) test images",
                       "detectors: \(Array(Set(plan.entries.map(\.model.rawValue))).sorted().joined(separator: ", "))",
                       "augmentations: \(augmentationLists.joined(separator: " | "))",
                       Self.configurationLine(configuration)]
        if data.testIsTrainingData {
            context.append("no test split in \(options.dataset): evaluated on the training images (AP measures the fit, not generalisation)")
        }
        // Under `mpirun` (a build with the MPI trait) the runs become a work queue over the ranks.
        let communicator = try MPILaunch.worldCommunicator()
        guard communicator.size == 1 || jobs == 1 else {
            throw ValidationError("--jobs \(jobs): under mpirun each of the \(communicator.size) ranks trains one run at a time; start more ranks instead")
        }
        if communicator.size > 1 { context.append(Self.distributedContext(ranks: communicator.size)) }
        let rankLabel = communicator.size > 1 ? "rank \(communicator.rank): " : ""
        let report = try StrategyComparison.run(plan, data: data, context: context, communicator: communicator) { event in
            if case let .step(_, _, record, _) = event { Self.dieIfAskedForTesting(rank: communicator.rank, iteration: record.iteration) }
            switch event {
            case let .runStarted(strategy, seed):
                runStarts["\(strategy) \(seed)"] = Date()
                progress.note("\(rankLabel)training \(strategy), seed \(seed)")
            case let .step(strategy, seed, record, total):
                progress.runStart = runStarts["\(strategy) \(seed)"] ?? Date()
                progress.report(record, of: total, batchSize: configuration.batchSize, label: rankLabel + (jobs == 1 ? strategy : "\(strategy) seed \(seed)"))
            case let .curvePoint(strategy, seed, point, seconds):
                progress.note(rankLabel + String(format: "%@ seed %llu, iteration %d: VOC AP50 %.3f (evaluated in %.1f s)", strategy, seed,
                                     point.iteration, point.ap50, seconds))
            case let .evaluated(strategy, seed, ap50):
                progress.note(rankLabel + String(format: "%@ seed %llu: VOC AP50 %.3f", strategy, seed, ap50))
            case let .reused(strategy, seed, ap50):
                progress.note(rankLabel + String(format: "%@ seed %llu: VOC AP50 %.3f (recorded run, reused)", strategy, seed, ap50))
            case let .recordNotReused(reason):
                progress.note(rankLabel + reason)
            }
        }
        // Ranks other than 0 have sent their runs to rank 0, which writes the report.
        guard let report else { return try communicator.finalize() }
        print(report.headline().joined(separator: "\n"))
        print()
        print(report.markdownTable())
        print(report.verdictSentences().joined(separator: "\n"))
        print("\nWrote \(plan.output.path)/{report.md, results.json, losses.svg, pr.svg, ap50-iterations.svg, ap50-seconds.svg, detections-*.png, mined-*.png, runs/*.json}")
        try communicator.finalize()
    }
}
