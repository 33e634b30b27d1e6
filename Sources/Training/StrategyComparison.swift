// `quarry compare`: train the same detector under each strategy with identical data order and
// seeds, evaluate on the test split, and write report.md, results.json, losses.svg, pr.svg and
// detections-<strategy>.png.
import AtomicFiles
import Datasets
import Detection
import Foundation
import TensorCore

/// A strategy comparison to run.
public struct ComparisonPlan: Sendable {
    /// The strategies, in the order run (e.g. `random`, `ohem`, …).
    public var strategies: [SamplerKind]
    /// Seeds; each strategy trains once per seed with the same data order and initialisation.
    public var seeds: [UInt64]
    /// Iterations per run.
    public var iterations: Int
    /// Where the report files go (created if missing).
    public var output: URL

    /// Creates a plan.
    /// - Precondition: at least one strategy and seed; iterations ≥ 1.
    public init(strategies: [SamplerKind], seeds: [UInt64], iterations: Int, output: URL) {
        precondition(!strategies.isEmpty && !seeds.isEmpty && iterations >= 1,
                     "ComparisonPlan: need strategies, seeds and iterations ≥ 1")
        self.strategies = strategies; self.seeds = seeds; self.iterations = iterations; self.output = output
    }
}

/// Progress events of a comparison, for a live progress line or log.
public enum ComparisonEvent: Sendable {
    /// A run started.
    case runStarted(strategy: String, seed: UInt64)
    /// An iteration finished.
    case step(strategy: String, seed: UInt64, record: StepRecord, of: Int)
    /// A run was evaluated on the test split.
    case evaluated(strategy: String, seed: UInt64, ap50: Double)
}

/// Runs strategy comparisons.
public enum StrategyComparison {
    /// Trains and evaluates every (strategy, seed) pair of `plan` and writes the report files.
    /// - Returns: the report (also written to `plan.output`).
    /// - Throws: `TrainingError` (non-finite loss, checkpoint), `ImageCodecError`, or
    ///   `AtomicWriteError` / Foundation file errors naming the path.
    public static func run(_ plan: ComparisonPlan, data: TrainingData, context: [String] = [],
                           progress: (ComparisonEvent) -> Void = { _ in }) throws -> ComparisonReport {
        var results: [StrategyResults] = []
        var curves: [(String, PrecisionRecallPoints)] = []
        for kind in plan.strategies {
            let strategy = kind.rawValue
            var runs: [SeedRun] = []
            for seed in plan.seeds {
                progress(.runStarted(strategy: strategy, seed: seed))
                ResourceUsage.resetPeakResidentBytes()
                var configuration = TrainingConfiguration(iterations: plan.iterations, seed: seed)
                configuration.logInterval = max(1, plan.iterations / 100)
                var trainer = Trainer(samples: data.train, classCount: data.classCount, sampler: kind,
                                      configuration: configuration)
                var curve: [LossPoint] = []
                var seconds = 0.0
                var mining: [String: MiningAccumulator] = [:]
                while !trainer.isFinished {
                    let record = try trainer.step()
                    seconds += record.seconds
                    for (head, statistics) in record.mining { mining[head, default: MiningAccumulator()].add(statistics) }
                    if record.iteration % configuration.logInterval == 0 || trainer.isFinished {
                        curve.append(LossPoint(iteration: record.iteration, loss: record.total))
                    }
                    progress(.step(strategy: strategy, seed: seed, record: record, of: plan.iterations))
                }
                let evaluation = trainer.model.evaluate(on: data.test, classCount: data.classCount)
                progress(.evaluated(strategy: strategy, seed: seed, ap50: evaluation.ap50))
                runs.append(SeedRun(seed: seed, ap50: evaluation.ap50, cocoAP: evaluation.cocoAP, cocoAP300: evaluation.cocoAP300,
                                    ap75: evaluation.ap75, ar100: evaluation.ar100,
                                    secondsPerIteration: seconds / Double(plan.iterations),
                                    peakRSSBytes: ResourceUsage.peakResidentBytes() ?? 0, lossCurve: curve,
                                    mining: mining.mapValues(\.totals)))
                if seed == plan.seeds[0] {
                    if let c = evaluation.curve { curves.append((strategy, PrecisionRecallPoints(recall: c.recall, precision: c.precision))) }
                    try drawDetections(evaluation.detections.first, on: data.test.first,
                                       to: plan.output.appendingPathComponent("detections-\(strategy).png"))
                }
            }
            results.append(StrategyResults(strategy: strategy, runs: runs))
        }
        let report = ComparisonReport(dataset: data.name, iterations: plan.iterations, strategies: results, context: context)
        try AtomicFile.write(report.markdown(), to: plan.output.appendingPathComponent("report.md"), creatingFolder: true)
        try AtomicFile.write(report.json(), to: plan.output.appendingPathComponent("results.json"))
        try AtomicFile.write(report.lossPlot().svg(), to: plan.output.appendingPathComponent("losses.svg"))
        let pr = LinePlot(title: "Precision–recall at IoU 0.5 (\(data.name), seed \(plan.seeds[0]))", xLabel: "recall",
                          yLabel: "precision",
                          series: curves.map { name, c in LinePlot.Series(name: name, points: Array(zip(c.recall, c.precision)).map { ($0, $1) }) },
                          xRange: 0...1, yRange: 0...1)
        try AtomicFile.write(pr.svg(), to: plan.output.appendingPathComponent("pr.svg"))
        return report
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
struct PrecisionRecallPoints: Sendable {
    var recall: [Double]
    var precision: [Double]
}
