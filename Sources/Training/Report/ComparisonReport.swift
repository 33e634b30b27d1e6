// The comparison's human-readable report (Markdown) and its machine-readable twin (JSON).
import Foundation

/// A finished strategy comparison: what was run and what each strategy measured.
public struct ComparisonReport: Sendable, Equatable {
    /// The dataset name (e.g. `neon-trees`).
    public var dataset: String
    /// Training iterations per run.
    public var iterations: Int
    /// The results, one entry per strategy, in the order run.
    public var strategies: [StrategyResults]
    /// Free-form context lines printed under the title (date, machine, threads).
    public var context: [String]

    /// Creates a report.
    public init(dataset: String, iterations: Int, strategies: [StrategyResults], context: [String] = []) {
        self.dataset = dataset; self.iterations = iterations; self.strategies = strategies; self.context = context
    }

    /// The summary table: one row per strategy, metrics as mean ± sd over seeds.
    public func markdownTable() -> String {
        var s = "| strategy | AP50 (VOC) | COCO AP | COCO AP (maxDets 300) | AP75 | AR@100 | s/iter | peak RSS (MiB) | seeds |\n"
        s += "|---|---|---|---|---|---|---|---|---|\n"
        for r in strategies {
            let rss = Double(r.runs.map(\.peakRSSBytes).max() ?? 0) / 1_048_576
            s += "| \(r.strategy) | \(r.statistics(\.ap50).formatted()) | \(r.statistics(\.cocoAP).formatted()) "
            s += "| \(r.statistics(\.cocoAP300).formatted()) | \(r.statistics(\.ap75).formatted()) "
            s += "| \(r.statistics(\.ar100).formatted()) | \(r.statistics(\.secondsPerIteration).formatted(digits: 3)) "
            s += "| \(format(rss, 0)) | \(r.runs.map { String($0.seed) }.joined(separator: ",")) |\n"
        }
        return s
    }

    /// The mining statistics table: per strategy and head, totals over seeds.
    public func miningTable() -> String {
        var s = "| strategy | head | candidates | positives | negatives | mean loss selected / all | inserted | evicted | replayed | expired |\n"
        s += "|---|---|---|---|---|---|---|---|---|---|\n"
        for r in strategies {
            let heads = Set(r.runs.flatMap { $0.mining.keys }).sorted()
            for head in heads {
                let totals = r.runs.compactMap { $0.mining[head] }
                func sum(_ k: (MiningTotals) -> Int) -> Int { totals.map(k).reduce(0, +) }
                let sel = totals.compactMap(\.meanSelectedLoss), all = totals.compactMap(\.meanCandidateLoss)
                let lossText = sel.isEmpty || all.isEmpty ? "—"
                    : "\(format(sel.reduce(0, +) / Double(sel.count), 3)) / \(format(all.reduce(0, +) / Double(all.count), 3))"
                s += "| \(r.strategy) | \(head) | \(sum(\.candidates)) | \(sum(\.positives)) | \(sum(\.negatives)) | \(lossText) "
                s += "| \(sum(\.insertions)) | \(sum(\.evictions)) | \(sum(\.replays)) | \(sum(\.expirations)) |\n"
            }
        }
        return s
    }

    /// One sentence per strategy pair on whether their AP50 difference exceeds the seed spread.
    public func pairwiseSentences() -> [String] {
        var lines: [String] = []
        for i in strategies.indices {
            for j in strategies.indices where j > i {
                let a = strategies[i], b = strategies[j]
                let sa = a.statistics(\.ap50), sb = b.statistics(\.ap50)
                // Both means and the signed difference, so the sentence reads the same either way round.
                let delta = "\(format(sa.mean, 3)) against \(format(sb.mean, 3)) (difference \(String(format: "%+.3f", sa.mean - sb.mean)))"
                switch sa.differenceExceedsSpread(sb) {
                case .some(true):
                    lines.append("`\(a.strategy)` vs `\(b.strategy)`: AP50 \(delta), more than the seed spread (\(format(sa.standardDeviation, 3)) + \(format(sb.standardDeviation, 3))).")
                case .some(false):
                    lines.append("`\(a.strategy)` vs `\(b.strategy)`: AP50 \(delta), within the seed spread (\(format(sa.standardDeviation, 3)) + \(format(sb.standardDeviation, 3))); not a measured difference.")
                case .none:
                    lines.append("`\(a.strategy)` vs `\(b.strategy)`: AP50 \(delta); one seed gives no spread to judge it by (run with --seeds 0,1,2).")
                }
            }
        }
        return lines
    }

    /// The whole `report.md`.
    public func markdown() -> String {
        var s = "# Sampling-strategy comparison on \(dataset)\n\n"
        for line in context { s += "- \(line)\n" }
        s += "- \(iterations) iterations per run; metrics are mean ± sample standard deviation over seeds.\n\n"
        s += "## Accuracy and cost\n\n" + markdownTable() + "\n"
        s += "## Differences\n\n" + pairwiseSentences().map { "- \($0)\n" }.joined() + "\n"
        s += "## Mining statistics\n\n" + miningTable() + "\n"
        s += "Plots: `losses.svg` (training loss), `pr.svg` (precision–recall at IoU 0.5). "
        s += "`detections-<strategy>.png`: the first test image with its ground truth (yellow) and the first seed's "
        s += "detections at score ≥ \(StrategyComparison.drawnScoreThreshold) (green); an image without green boxes "
        s += "means no detection reached that score (they still count in AP, which ranks all of them).\n"
        return s
    }

    /// `results.json`: an array with one object per strategy (keys documented on `StrategyResults`).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(strategies)
    }

    /// The loss curves of every strategy (seed means) as an SVG line chart.
    public func lossPlot() -> LinePlot {
        LinePlot(title: "Training loss (\(dataset))", xLabel: "iteration", yLabel: "total loss",
                 series: strategies.map { r in
                     LinePlot.Series(name: r.strategy, points: r.meanLossCurve.map { (Double($0.iteration), $0.loss) })
                 })
    }
}
