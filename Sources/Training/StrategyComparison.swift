// `quarry compare`: train the same detector under each strategy with identical data order and
// seeds, evaluate on the test split (during training too, for the learning curves), and write
// report.md, results.json, losses.svg, pr.svg, ap50-iterations.svg, ap50-seconds.svg,
// detections-<strategy>.png and mined-<strategy>-<head>-tile-<i>.png.
import AtomicFiles
import Collectives
import Datasets
import Detection
import Foundation
import Kernels
import TensorCore

/// One compared configuration: a detector trained under a strategy.
public struct ComparisonEntry: Sendable, Hashable {
    /// The detector.
    public var model: DetectorKind
    /// The strategy of every head of the detector, with its parameters per head.
    public var configuration: StrategyConfiguration
    /// The strategy (``configuration``'s kind).
    public var strategy: StrategyKind {
        get { configuration.kind }
        set { configuration.kind = newValue }
    }
    /// The augmentations of the entry's runs (DESIGN.md's flips unless given).
    public var augmentations: AugmentationList
    /// The name the report, the progress line and the file names use: the strategy's name
    /// (`ohem`, or a variant's `focal(gamma=1)`) when the plan trains one detector,
    /// `model:strategy` (`retinanet:focal`) when it trains several; followed by
    /// ` @ <augmentation list as given>` when the plan compares several augmentation lists
    /// (`random @ flip, mosaic`).
    public var name: String

    /// Creates an entry of a strategy with its default parameters.
    public init(model: DetectorKind, strategy: StrategyKind, augmentations: AugmentationList = .reference, name: String) {
        self.init(model: model, configuration: StrategyConfiguration(kind: strategy), augmentations: augmentations, name: name)
    }

    /// Creates an entry of a strategy with the given parameters.
    public init(model: DetectorKind, configuration: StrategyConfiguration, augmentations: AugmentationList = .reference,
                name: String) {
        self.model = model
        self.configuration = configuration
        self.augmentations = augmentations
        self.name = name
    }
}

/// A strategy comparison to run.
public struct ComparisonPlan: Sendable {
    /// The compared configurations (detector and strategy), in the order run.
    public var entries: [ComparisonEntry]
    /// The configuration every run starts from (schedule, model settings; DESIGN.md's unless
    /// given); a run replaces its seed, ``iterations`` and strategy.
    public var base = TrainingConfiguration(iterations: 1, seed: 0)
    /// The strategies of the entries, in order.
    public var strategies: [StrategyKind] { entries.map(\.strategy) }
    /// Seeds; each strategy trains once per seed with the same data order and initialisation.
    public var seeds: [UInt64]
    /// Iterations per run.
    public var iterations: Int
    /// Where the report files go (created if missing).
    public var output: URL
    /// Evaluate on the test split every this many iterations for the learning curves (0: only at
    /// the end). Evaluation time is kept out of the seconds per iteration.
    public var evaluationInterval: Int
    /// The per-run bootstrap over test images (1,000 resamples, 95%, seed 0).
    public var bootstrap: PercentileBootstrap
    /// How many runs train at once, on as many threads (1: one after another). Each run's numbers
    /// depend only on its strategy, seed and the OpenBLAS thread count, not on this; with more
    /// than one, seconds per iteration are measured with the runs sharing the machine and the
    /// peak memory is the process's over overlapping runs.
    public var jobs: Int
    /// Reuse the runs recorded in `output/runs/` by an earlier sitting when their circumstances
    /// match exactly (`ComparisonRunRecord`); train only the others. Every finished run is
    /// recorded there either way.
    public var resume = false
    /// The OpenBLAS thread count the runs train with, as their records state it: read when the
    /// plan is made, so set OpenBLAS's threads first (`quarry compare` does). Read once, it stays
    /// the same for every run of a sitting even if other code in the process later changes the
    /// process-wide setting (as tests running side by side do).
    public var blasThreads = Kernels.blasThreadCount

    /// The number of seeds the verdicts are sized for: 8. The paired interval's half-width is
    /// t_{0.975, n−1}/√n paired standard deviations: 2.48 at 3 seeds, 1.24 at 5, 0.84 at 8, so
    /// from about 7 seeds on the resolvable difference is below one seed-to-seed standard
    /// deviation of the difference. A run with fewer seeds says so in the report's first lines.
    public static let recommendedSeedCount = 8
    /// The iterations the verdicts are sized for: 2,000. At 600 the detector is far from
    /// trained (DESIGN.md: the PyTorch twin's `random` goes from 0.135 to 0.259 VOC AP50
    /// between 600 and 2,000); the learning curves show whether even 2,000 is enough.
    public static let recommendedIterations = 2000

    /// Creates a plan of (detector, strategy) pairs; entries are named `model:strategy` when
    /// they use more than one detector, by the strategy alone otherwise.
    /// - Parameters:
    ///   - configurations: the (detector, strategy) pairs, in the order run.
    ///   - seeds: the seeds every configuration runs.
    ///   - iterations: iterations per run.
    ///   - output: the report folder.
    ///   - evaluationInterval: evaluate every this many iterations (0: at the end only).
    ///   - bootstrap: the per-run bootstrap over test images.
    ///   - jobs: runs trained at once (1: one after another).
    /// - Precondition: at least one configuration, none repeated; at least one seed; iterations
    ///   ≥ 1; evaluationInterval ≥ 0; jobs ≥ 1.
    public init(configurations: [(model: DetectorKind, strategy: StrategyKind)], seeds: [UInt64], iterations: Int, output: URL,
                evaluationInterval: Int = 0, bootstrap: PercentileBootstrap = PercentileBootstrap(), jobs: Int = 1) {
        precondition(Set(configurations.map { "\($0.model):\($0.strategy)" }).count == configurations.count,
                     "ComparisonPlan: a (model, strategy) pair is repeated in \(configurations)")
        let severalModels = Set(configurations.map(\.model)).count > 1
        let entries = configurations.map { model, strategy in
            ComparisonEntry(model: model, strategy: strategy, name: severalModels ? "\(model.rawValue):\(strategy.rawValue)" : strategy.rawValue)
        }
        self.init(entries: entries, seeds: seeds, iterations: iterations, output: output, evaluationInterval: evaluationInterval,
                  bootstrap: bootstrap, jobs: jobs)
    }

    /// Creates a plan of (detector, strategy) pairs crossed with augmentation lists: each pair
    /// trains once per list (pairs outer, lists inner). With one list the entries are those of
    /// `init(configurations:…)` and train with that list; with several, each name ends in
    /// ` @ <label>`.
    /// - Parameters:
    ///   - configurations: the (detector, strategy) pairs, in the order run.
    ///   - augmentations: the lists with their labels (the text as given, e.g. `flip, mosaic`).
    ///   - seeds: the seeds every entry runs.
    ///   - iterations: iterations per run.
    ///   - output: the report folder.
    ///   - evaluationInterval: evaluate every this many iterations (0: at the end only).
    ///   - bootstrap: the per-run bootstrap over test images.
    ///   - jobs: runs trained at once (1: one after another).
    /// - Precondition: at least one configuration and list, none repeated (pairs; labels); at
    ///   least one seed; iterations ≥ 1; evaluationInterval ≥ 0; jobs ≥ 1.
    public init(configurations: [(model: DetectorKind, strategy: StrategyKind)],
                augmentations: [(label: String, list: AugmentationList)], seeds: [UInt64], iterations: Int, output: URL,
                evaluationInterval: Int = 0, bootstrap: PercentileBootstrap = PercentileBootstrap(), jobs: Int = 1) {
        precondition(!augmentations.isEmpty && Set(augmentations.map(\.label)).count == augmentations.count,
                     "ComparisonPlan: need distinct augmentation labels, got \(augmentations.map(\.label))")
        let pairs = ComparisonPlan(configurations: configurations, seeds: seeds, iterations: iterations, output: output)
        let entries = pairs.entries.flatMap { entry in
            augmentations.map { label, list in
                ComparisonEntry(model: entry.model, strategy: entry.strategy, augmentations: list,
                                name: augmentations.count == 1 ? entry.name : "\(entry.name) @ \(label)")
            }
        }
        self.init(entries: entries, seeds: seeds, iterations: iterations, output: output, evaluationInterval: evaluationInterval,
                  bootstrap: bootstrap, jobs: jobs)
    }

    /// Creates a plan of strategy variants (`focal(gamma=1)`), each under its detector, every
    /// run starting from `base` (schedule, model settings); entries are named
    /// `model:variant` when they use more than one detector, by the variant alone otherwise.
    /// - Parameters:
    ///   - variants: the (detector, variant) pairs, in the order run.
    ///   - base: the runs' configuration; each run replaces its seed, iterations and strategy.
    ///   - augmentations: the augmentation lists with their labels (the text as given, e.g.
    ///     `flip, mosaic`), crossed with the variants (variants outer, lists inner); nil: the
    ///     base's list alone. With several lists each name ends in ` @ <label>`.
    ///   - seeds: the seeds every variant runs.
    ///   - output: the report folder.
    ///   - evaluationInterval: evaluate every this many iterations (0: at the end only).
    ///   - bootstrap: the per-run bootstrap over test images.
    ///   - jobs: runs trained at once (1: one after another).
    /// - Precondition: at least one variant, no name repeated; at least one seed; distinct
    ///   augmentation labels; `base.iterations` ≥ 1; evaluationInterval ≥ 0; jobs ≥ 1.
    public init(variants: [(model: DetectorKind, variant: StrategyVariant)], base: TrainingConfiguration,
                augmentations: [(label: String, list: AugmentationList)]? = nil, seeds: [UInt64],
                output: URL, evaluationInterval: Int = 0, bootstrap: PercentileBootstrap = PercentileBootstrap(), jobs: Int = 1) {
        let lists = augmentations ?? [(base.augmentations.description, base.augmentations)]
        precondition(!lists.isEmpty && Set(lists.map(\.label)).count == lists.count,
                     "ComparisonPlan: need distinct augmentation labels, got \(lists.map(\.label))")
        let severalModels = Set(variants.map(\.model)).count > 1
        let entries = variants.flatMap { model, variant in
            lists.map { label, list in
                let name = severalModels ? "\(model.rawValue):\(variant.name)" : variant.name
                return ComparisonEntry(model: model, configuration: variant.configuration, augmentations: list,
                                       name: lists.count == 1 ? name : "\(name) @ \(label)")
            }
        }
        self.init(entries: entries, seeds: seeds, iterations: base.iterations, output: output, evaluationInterval: evaluationInterval,
                  bootstrap: bootstrap, jobs: jobs)
        self.base = base
    }

    /// Creates a plan of strategies, each training the same detector.
    /// - Parameters:
    ///   - strategies: the strategies, in the order run.
    ///   - model: the detector every strategy trains (TinyFasterRCNN unless given).
    ///   - seeds: the seeds every strategy runs.
    ///   - iterations: iterations per run.
    ///   - output: the report folder.
    ///   - evaluationInterval: evaluate every this many iterations (0: at the end only).
    ///   - bootstrap: the per-run bootstrap over test images.
    ///   - jobs: runs trained at once (1: one after another).
    /// - Precondition: at least one strategy and seed; iterations ≥ 1; evaluationInterval ≥ 0; jobs ≥ 1.
    public init(strategies: [StrategyKind], model: DetectorKind = .fasterRCNN, seeds: [UInt64], iterations: Int, output: URL,
                evaluationInterval: Int = 0, bootstrap: PercentileBootstrap = PercentileBootstrap(), jobs: Int = 1) {
        self.init(configurations: strategies.map { (model, $0) }, seeds: seeds, iterations: iterations, output: output,
                  evaluationInterval: evaluationInterval, bootstrap: bootstrap, jobs: jobs)
    }

    /// Creates a plan of named entries.
    /// - Precondition: at least one entry, names distinct; at least one seed; iterations ≥ 1;
    ///   evaluationInterval ≥ 0; jobs ≥ 1.
    public init(entries: [ComparisonEntry], seeds: [UInt64], iterations: Int, output: URL, evaluationInterval: Int = 0,
                bootstrap: PercentileBootstrap = PercentileBootstrap(), jobs: Int = 1) {
        precondition(!entries.isEmpty && Set(entries.map(\.name)).count == entries.count && !seeds.isEmpty && iterations >= 1
                     && evaluationInterval >= 0 && jobs >= 1,
                     "ComparisonPlan: need distinct entries, seeds, iterations ≥ 1, an evaluation interval ≥ 0 and jobs ≥ 1")
        self.entries = entries; self.seeds = seeds; self.iterations = iterations; self.output = output
        self.evaluationInterval = evaluationInterval; self.bootstrap = bootstrap; self.jobs = jobs
    }
}

/// Progress events of a comparison, for a live progress line or log.
public enum ComparisonEvent: Sendable {
    /// A run started.
    case runStarted(strategy: String, seed: UInt64)
    /// An iteration finished.
    case step(strategy: String, seed: UInt64, record: StepRecord, of: Int)
    /// A run was evaluated on the test split during training (a learning-curve point).
    case curvePoint(strategy: String, seed: UInt64, point: LearningCurvePoint, evaluationSeconds: Double)
    /// A run was evaluated on the test split at the end of training.
    case evaluated(strategy: String, seed: UInt64, ap50: Double)
    /// A run was not trained: its record from an earlier sitting was reused (`resume`).
    case reused(strategy: String, seed: UInt64, ap50: Double)
    /// A run's record was found but not reused (why, naming the file); the run trains again.
    case recordNotReused(String)
}

/// Runs strategy comparisons.
public enum StrategyComparison {
    /// Trains and evaluates every (strategy, seed) pair of `plan` and writes the report files.
    ///
    /// With `plan.jobs > 1` the runs train that many at a time (`ConcurrentRuns`); `progress`
    /// is then called from several threads, one call at a time.
    /// - Returns: the report (also written to `plan.output`).
    /// - Throws: `TrainingError` (non-finite loss, checkpoint), `ImageCodecError`, or
    ///   `AtomicWriteError` / Foundation file errors naming the path.
    public static func run(_ plan: ComparisonPlan, data: TrainingData, context: [String] = [],
                           progress: (ComparisonEvent) -> Void = { _ in }) throws -> ComparisonReport {
        // The group of one always returns the report.
        try run(plan, data: data, context: context, communicator: SingleProcessCommunicator(), progress: progress)!
    }

    /// Trains and evaluates every (strategy, seed) pair of `plan` across the ranks of
    /// `communicator` and writes the report files on rank 0.
    ///
    /// With more than one rank the runs form a work queue (`WorkQueue`): rank 0 hands out run
    /// indices, each rank trains one run at a time (`plan.jobs` must be 1) and sends its
    /// outcome back as JSON. A run's numbers depend only on its entry, seed and OpenBLAS thread
    /// count, so the report equals a one-process run's apart from timings and memory. `progress`
    /// reports each rank's own runs on that rank (on rank 0 from a second thread, while the
    /// calling thread serves the queue).
    /// - Returns: the report on rank 0 (also written to `plan.output`); nil on the other ranks.
    /// - Throws: as `run(_:data:context:progress:)`; a worker's failure as
    ///   `WorkQueueError.jobFailed`; `CollectivesError` from the messages.
    /// - Precondition: `plan.jobs == 1` when `communicator.size > 1`.
    public static func run(_ plan: ComparisonPlan, data: TrainingData, context: [String] = [], communicator: some Communicator,
                           progress: (ComparisonEvent) -> Void = { _ in }) throws -> ComparisonReport? {
        precondition(communicator.size == 1 || plan.jobs == 1,
                     "StrategyComparison.run: with \(communicator.size) ranks each rank trains one run at a time; got jobs \(plan.jobs)")
        var results: [StrategyResults] = []
        var curves: [(String, PrecisionRecallPoints)] = []
        let tasks = plan.entries.flatMap { entry in plan.seeds.map { (entry, $0) } }
        let lock = NSLock()
        func train(_ index: Int) throws -> ComparisonRunOutcome {
            let (entry, seed) = tasks[index]
            let key = runKey(plan, entry: entry, seed: seed, data: data)
            let url = ComparisonRunRecord.url(output: plan.output, entry: entry, seed: seed)
            if plan.resume {
                switch ComparisonRunRecord.lookUp(at: url, for: key) {
                case .reusable(var outcome):
                    lock.withLock { progress(.reused(strategy: entry.name, seed: seed, ap50: outcome.run.ap50)) }
                    outcome.reused = true
                    return outcome
                case .unusable(let reason):
                    lock.withLock { progress(.recordNotReused(reason)) }
                case .missing:
                    break
                }
            }
            let (run, evaluation, mined) = try trainAndEvaluate(entry, seed: seed, plan: plan, data: data,
                                                                progress: { event in lock.withLock { progress(event) } })
            let outcome = ComparisonRunOutcome(run: run, evaluation: evaluation, keepPictures: key.keepsPictures,
                                               minedNegatives: mined)
            try ComparisonRunRecord(key: key, outcome: outcome).write(to: url)
            return outcome
        }
        let outcomes: [ComparisonRunOutcome]
        if communicator.size == 1 {
            outcomes = try ConcurrentRuns.map(count: tasks.count, workers: plan.jobs, train)
        } else {
            guard let gathered = try WorkQueue.map(count: tasks.count, over: communicator, train) else { return nil }
            outcomes = gathered
        }
        for (entryIndex, entry) in plan.entries.enumerated() {
            var runs: [SeedRun] = []
            for (seedIndex, seed) in plan.seeds.enumerated() {
                let outcome = outcomes[entryIndex * plan.seeds.count + seedIndex]
                runs.append(outcome.run)
                if seed == plan.seeds[0] {
                    if let c = outcome.curve { curves.append((entry.name, c)) }
                    try drawDetections(outcome.firstImageDetections?.detections, on: data.test.first,
                                       to: plan.output.appendingPathComponent(detectionsFileName(entry)))
                }
            }
            var entryResults = StrategyResults(strategy: entry.name, model: entry.model.rawValue,
                                               augmentations: entry.augmentations.description, runs: runs)
            entryResults.configuration = entry.configuration
            results.append(entryResults)
        }
        var context = context
        let reusedCount = outcomes.count { $0.reused == true }
        if reusedCount > 0 {
            context.append("\(reusedCount) of \(tasks.count) runs reused from \(ComparisonRunRecord.folder(of: plan.output).path) (--resume): their seconds per iteration and memory were measured when they ran")
        }
        var report = ComparisonReport(dataset: data.name, iterations: plan.iterations, strategies: results, context: context,
                                      evaluationInterval: plan.evaluationInterval, bootstrap: plan.bootstrap,
                                      testImageCount: data.test.count, configuration: runConfiguration(plan, data: data))
        report.minedNegatives = try minedNegativeSummaries(plan, data: data, outcomes: outcomes)
        try AtomicFile.write(report.markdown(), to: plan.output.appendingPathComponent("report.md"), creatingFolder: true)
        try AtomicFile.write(report.json(), to: plan.output.appendingPathComponent("results.json"))
        try AtomicFile.write(report.lossPlot().svg(), to: plan.output.appendingPathComponent("losses.svg"))
        try AtomicFile.write(report.learningCurvePlot(against: .iterations).svg(), to: plan.output.appendingPathComponent("ap50-iterations.svg"))
        try AtomicFile.write(report.learningCurvePlot(against: .seconds).svg(), to: plan.output.appendingPathComponent("ap50-seconds.svg"))
        let pr = LinePlot(title: "Precision–recall at IoU 0.5 (\(data.name), seed \(plan.seeds[0]))", xLabel: "recall",
                          yLabel: "precision",
                          series: curves.map { name, c in LinePlot.Series(name: name, points: Array(zip(c.recall, c.precision)).map { ($0, $1) }) },
                          xRange: 0...1, yRange: 0...1)
        try AtomicFile.write(pr.svg(), to: plan.output.appendingPathComponent("pr.svg"))
        return report
    }

    /// The resolved configuration of the plan's run with `entry` and `seed`: the base with the
    /// plan's iterations, the seed, the entry's strategy and augmentations and the data's class names.
    static func runConfiguration(_ plan: ComparisonPlan, entry: ComparisonEntry? = nil, seed: UInt64? = nil,
                                 data: TrainingData) -> TrainingConfiguration {
        var configuration = plan.base
        configuration.iterations = plan.iterations
        configuration.seed = seed ?? plan.seeds[0]
        configuration.strategy = (entry ?? plan.entries[0]).configuration
        configuration.augmentations = (entry ?? plan.entries[0]).augmentations
        configuration.model.classNames = data.classNames
        return configuration
    }

    /// The circumstances of the plan's run of `entry` with `seed` that its numbers depend on
    /// (`ComparisonRunRecord`), read on this process; the BLAS thread count is the plan's.
    static func runKey(_ plan: ComparisonPlan, entry: ComparisonEntry, seed: UInt64, data: TrainingData) -> ComparisonRunKey {
        let blas = Kernels.blasStatus
        return ComparisonRunKey(entry: entry.name, configuration: runConfiguration(plan, entry: entry, seed: seed, data: data),
                                dataset: data.name, trainingSamples: data.train.count, testImages: data.test.count,
                                evaluationInterval: plan.evaluationInterval, bootstrapResamples: plan.bootstrap.resamples,
                                bootstrapConfidence: plan.bootstrap.confidence, bootstrapSeed: plan.bootstrap.seed,
                                keepsPictures: seed == plan.seeds[0], blas: blas.version, blasCore: blas.coreAfter,
                                blasThreads: plan.blasThreads, cpuModel: blas.cpuModel)
    }

    /// `detections-<name>.png`, the entry's name with each run of characters other than
    /// letters, digits, `.` and `-` spelt `-` and no trailing `-` (`detections-retinanet-focal.png`,
    /// `detections-focal-gamma-1.png`).
    public static func detectionsFileName(_ entry: ComparisonEntry) -> String {
        "detections-\(fileStem(entry)).png"
    }

    /// The entry's name as a file name's stem: every run of characters other than letters,
    /// digits, `.` and `-` spelt `-`, no trailing `-` (`focal(gamma=1)` → `focal-gamma-1`).
    static func fileStem(_ entry: ComparisonEntry) -> String {
        // Variant names hold parentheses, `=` and commas.
        var name = ""
        for character in entry.name {
            let kept = character.isASCII && (character.isLetter || character.isNumber || character == "." || character == "-")
            if kept { name.append(character) } else if !name.hasSuffix("-") { name.append("-") }
        }
        while name.hasSuffix("-") { name.removeLast() }
        return name
    }

    /// The score at or above which `detections-<strategy>.png` draws a detection.
    public static let drawnScoreThreshold: Float = 0.5

    /// Writes a test image with its detections at score ≥ ``drawnScoreThreshold`` drawn (green)
    /// over its ground truth (yellow).
    static func drawDetections(_ detections: Detections?, on sample: DetectionSample?, to url: URL) throws {
        guard let detections, let sample else { return }
        var image = sample.image
        for box in sample.target.boxes { image.drawRectangle(box, color: .yellow, thickness: 1) }
        let b = detections.boxes.scalars
        for i in 0..<detections.count where detections.scores[i] >= drawnScoreThreshold {
            image.drawRectangle(BoundingBox(x1: b[4 * i], y1: b[4 * i + 1], x2: b[4 * i + 2], y2: b[4 * i + 3]),
                                color: .green, thickness: 2)
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try image.writePNG(to: url)
    }
}

/// A precision–recall curve as plain arrays (recall ascending).
struct PrecisionRecallPoints: Sendable, Codable {
    var recall: [Double]
    var precision: [Double]
}
