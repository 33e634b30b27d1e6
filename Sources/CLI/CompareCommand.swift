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
            and detections-<strategy>.png into the output folder and prints the result table and the \
            verdicts. Metrics: VOC AP50 (primary), COCO AP at maxDets 100 and 300, AP75, AR@100, seconds \
            per iteration, peak resident memory. Strategies are compared by their per-seed (paired) \
            differences with a 95% Student-t interval; each run's AP50 gets a 95% bootstrap interval \
            over the test images (docs/statistics.md). The defaults (8 seeds, 2,000 iterations) are \
            sized for verdicts; a smaller run says so in the report's first lines.

            Models: each strategy of --strategies trains every model of --model; an item \
            model:strategy trains that model only, so two-stage OHEM against one-stage focal is \
            --strategies faster-rcnn:ohem,retinanet:focal. With more than one model the report names \
            each entry model:strategy.
            """
    )

    static let defaultOutput = "out/compare"
    static let iterationsHelp = "Training iterations per run."
    static let defaultIterations = ComparisonPlan.recommendedIterations

    @OptionGroup var options: TrainingRunOptions<CompareCommand>

    @Option(help: "Comma-separated strategy names (\(StrategyKind.validNames)), each optionally prefixed with a model and a colon (retinanet:focal).")
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

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        guard jobs <= options.threads else {
            throw ValidationError("--jobs \(jobs) exceeds --threads \(options.threads): each run needs at least one OpenBLAS thread")
        }
        _ = try parsedSeeds()
        _ = try parsedConfigurations()
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

    /// The (model, strategy) pairs that `--strategies` and `--model` name, in order: each
    /// unprefixed strategy under every model of `--model`, each `model:strategy` item under its model.
    /// - Throws: `ValidationError` naming an unknown model or strategy (listing the valid ones) or
    ///   a pair named twice, or saying that none was given.
    func parsedConfigurations() throws -> [(model: DetectorKind, strategy: StrategyKind)] {
        let models = try parsedModels()
        var pairs: [(model: DetectorKind, strategy: StrategyKind)] = []
        for item in try Self.items(of: strategies, option: "--strategies") {
            // `model:strategy` when the part before the colon names a model; otherwise the whole
            // item is a strategy name (an unknown one is reported as given).
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            let model = parts.count == 2 ? DetectorKind(rawValue: parts[0]) : nil
            let strategy: StrategyKind
            do { strategy = try StrategyKind(parsing: model == nil ? item : parts[1]) } catch {
                throw ValidationError("--strategies: \(error)")
            }
            pairs += model.map { [($0, strategy)] } ?? models.map { ($0, strategy) }
        }
        var seen = Set<String>()
        for (model, strategy) in pairs where !seen.insert("\(model):\(strategy)").inserted {
            let named = Set(pairs.map(\.model)).count > 1 ? "\(model.rawValue):\(strategy.rawValue)" : strategy.rawValue
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

    /// The first element that occurs a second time, if any.
    static func firstRepeated<T: Hashable>(_ items: [T]) -> T? {
        var seen = Set<T>()
        return items.first { !seen.insert($0).inserted }
    }

    func run() throws {
        let data = try options.prepare()
        let threadsPerRun = options.threads / jobs
        Kernels.setBLASThreadCount(threadsPerRun)
        let plan = ComparisonPlan(configurations: try parsedConfigurations(), seeds: try parsedSeeds(), iterations: options.iterations,
                                  output: URL(fileURLWithPath: options.output), evaluationInterval: evaluationInterval,
                                  jobs: jobs)
        var progress = ProgressLine()
        var runStarts: [String: Date] = [:]
        progress.note("compare: \(data.train.count) training samples, \(data.test.count) test images, runs \(plan.entries.map(\.name).joined(separator: ", ")), seeds \(seeds), \(options.iterations) iterations")
        let blas = Kernels.blasStatus
        var context = ["date \(ISO8601DateFormatter().string(from: Date()))",
                       "machine: \(blas.cpuModel.isEmpty ? "CPU model unknown" : blas.cpuModel) (\(blas.cpuFeatures.vectorClass)), \(ProcessInfo.processInfo.activeProcessorCount) cores; \(blas.version), core \(blas.coreAfter)",
                       jobs == 1 ? "\(threadsPerRun) OpenBLAS threads, runs one after another"
                           : "\(jobs) runs at a time, \(threadsPerRun) OpenBLAS thread\(threadsPerRun == 1 ? "" : "s") each: seconds per iteration measured with runs sharing the machine, peak memory over overlapping runs",
                       "\(data.train.count) training samples, \(data.test.count) test images",
                       "detectors: \(Array(Set(plan.entries.map(\.model.rawValue))).sorted().joined(separator: ", "))"]
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
                progress.report(record, of: total, batchSize: 2, label: jobs == 1 ? strategy : "\(strategy) seed \(seed)")
            case let .curvePoint(strategy, seed, point, seconds):
                progress.note(rankLabel + String(format: "%@ seed %llu, iteration %d: VOC AP50 %.3f (evaluated in %.1f s)", strategy, seed,
                                     point.iteration, point.ap50, seconds))
            case let .evaluated(strategy, seed, ap50):
                progress.note(rankLabel + String(format: "%@ seed %llu: VOC AP50 %.3f", strategy, seed, ap50))
            }
        }
        // Ranks other than 0 have sent their runs to rank 0, which writes the report.
        guard let report else { return try communicator.finalize() }
        print(report.headline().joined(separator: "\n"))
        print()
        print(report.markdownTable())
        print(report.verdictSentences().joined(separator: "\n"))
        print("\nWrote \(plan.output.path)/{report.md, results.json, losses.svg, pr.svg, ap50-iterations.svg, ap50-seconds.svg, detections-*.png}")
        try communicator.finalize()
    }
}
