import ArgumentParser
import Foundation
import Quarry

/// `quarry compare`: trains one detector per sampling strategy (and seed) with identical data
/// order and initialisation, evaluates each on the test split and writes a report.
struct CompareCommand: ParsableCommand, TrainingRunDefaults {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare sampling strategies: train each, evaluate on the test split, write a report.",
        discussion: """
            Writes report.md, results.json, losses.svg, pr.svg and detections-<strategy>.png into \
            the output folder and prints the result table. Metrics: VOC AP50 (primary), COCO AP at \
            maxDets 100 and 300, AP75, AR@100, seconds per iteration, peak resident memory.
            """
    )

    static let defaultOutput = "out/compare"
    static let iterationsHelp = "Training iterations per run."

    @OptionGroup var options: TrainingRunOptions<CompareCommand>

    @Option(help: "Comma-separated strategy names: \(SamplerKind.validNames).")
    var strategies = "random,ohem,ssd,focal,hard-negative-buffer"

    @Option(help: "Comma-separated seeds.")
    var seeds = "0"

    func validate() throws {
        _ = try parsedSeeds()
        _ = try parsedStrategies()
    }

    /// The strategies named by `--strategies`, in order.
    /// - Throws: `ValidationError` naming an unknown strategy and listing the valid ones.
    func parsedStrategies() throws -> [SamplerKind] {
        try strategies.split(separator: ",").map { name throws(ValidationError) in
            do { return try SamplerKind(parsing: name.trimmingCharacters(in: .whitespaces)) } catch {
                throw ValidationError("--strategies: \(error)")
            }
        }
    }

    func parsedSeeds() throws -> [UInt64] {
        try seeds.split(separator: ",").map {
            guard let s = UInt64($0.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--seeds: '\($0)' is not a non-negative integer")
            }
            return s
        }
    }

    func run() throws {
        let data = try options.prepare()
        let plan = ComparisonPlan(strategies: try parsedStrategies(), seeds: try parsedSeeds(), iterations: options.iterations,
                                  output: URL(fileURLWithPath: options.output))
        var progress = ProgressLine()
        progress.note("compare: \(data.train.count) training samples, \(data.test.count) test images, strategies \(plan.strategies.map(\.rawValue).joined(separator: ", ")), seeds \(seeds), \(options.iterations) iterations")
        let context = ["date \(ISO8601DateFormatter().string(from: Date()))", "\(options.threads) OpenBLAS threads",
                       "\(data.train.count) training samples, \(data.test.count) test images"]
        let report = try StrategyComparison.run(plan, data: data, context: context) { event in
            switch event {
            case let .runStarted(strategy, seed):
                progress.runStart = Date()
                progress.note("training \(strategy), seed \(seed)")
            case let .step(strategy, _, record, total):
                progress.report(record, of: total, batchSize: 2, label: strategy)
            case let .evaluated(strategy, seed, ap50):
                progress.note(String(format: "%@ seed %llu: VOC AP50 %.3f", strategy, seed, ap50))
            }
        }
        print(report.markdownTable())
        print(report.pairwiseSentences().joined(separator: "\n"))
        print("\nWrote \(plan.output.path)/{report.md, results.json, losses.svg, pr.svg, detections-*.png}")
    }
}
