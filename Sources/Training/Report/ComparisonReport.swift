// The comparison's human-readable report (Markdown) and its machine-readable twin (JSON).
import Foundation

/// A finished strategy comparison: what was run, what each strategy measured, and the paired
/// comparisons of every two strategies.
public struct ComparisonReport: Sendable, Equatable {
    /// The dataset name (e.g. `neon-trees`).
    public var dataset: String
    /// Training iterations per run.
    public var iterations: Int
    /// The results, one entry per strategy, in the order run.
    public var strategies: [StrategyResults]
    /// Free-form context lines printed under the title (date, machine, threads).
    public var context: [String]
    /// The learning curves' evaluation interval in iterations (0: at the end only).
    public var evaluationInterval: Int
    /// The per-run bootstrap over test images (its confidence is also the paired intervals').
    public var bootstrap: PercentileBootstrap
    /// The number of test images the runs were evaluated on (0 when unknown).
    public var testImageCount: Int
    /// The resolved configuration of the first entry's first-seed run (schedule, model settings,
    /// class names; each entry's strategy parameters are in its results), or nil.
    public var configuration: TrainingConfiguration?
    /// What each strategy mines: per entry and head, its first seed's recorded negatives
    /// (`MinedNegativeSummary`); empty when none were recorded.
    public var minedNegatives: [MinedNegativeSummary] = []

    /// Creates a report.
    public init(dataset: String, iterations: Int, strategies: [StrategyResults], context: [String] = [],
                evaluationInterval: Int = 0, bootstrap: PercentileBootstrap = PercentileBootstrap(), testImageCount: Int = 0,
                configuration: TrainingConfiguration? = nil) {
        self.dataset = dataset; self.iterations = iterations; self.strategies = strategies; self.context = context
        self.evaluationInterval = evaluationInterval; self.bootstrap = bootstrap; self.testImageCount = testImageCount
        self.configuration = configuration
    }

    /// The confidence level of every interval in the report (0.95).
    public var confidence: Double { bootstrap.confidence }

    /// The number of seeds per strategy (the largest, should runs differ).
    public var seedCount: Int { strategies.map(\.runs.count).max() ?? 0 }

    /// Whether the run is smaller than the sizes the verdicts are meant for
    /// (`ComparisonPlan.recommendedSeedCount` seeds, `ComparisonPlan.recommendedIterations`).
    public var isShortRun: Bool {
        seedCount < ComparisonPlan.recommendedSeedCount || iterations < ComparisonPlan.recommendedIterations
    }

    /// Every pair of strategies (i < j in run order), compared seed by seed.
    public var pairs: [StrategyPair] {
        strategies.indices.flatMap { i in
            strategies.indices.filter { $0 > i }.compactMap { j in StrategyPair(strategies[i], strategies[j], confidence: confidence) }
        }
    }

    /// The median over pairs of the smallest resolvable AP50 difference t·s_d/√n; nil with one
    /// seed or fewer than two strategies.
    public var medianSmallestResolvableAP50: Double? {
        let values = pairs.compactMap { $0.difference(.ap50).smallestResolvableDifference }.sorted()
        guard !values.isEmpty else { return nil }
        let mid = values.count / 2
        return values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
    }

    /// The report's first lines: whether the run is short (and why that matters), the smallest
    /// AP50 difference its seeds resolve, and which curves were still rising at the end.
    public func headline() -> [String] {
        var lines: [String] = []
        let n = seedCount
        let recommended = "\(ComparisonPlan.recommendedSeedCount) seeds × \(ComparisonPlan.recommendedIterations) iterations"
        if isShortRun {
            var why: [String] = []
            if n < 2 {
                why.append("one seed gives no confidence interval, so no verdict")
            } else if n < ComparisonPlan.recommendedSeedCount {
                let t = StudentT.quantile(1 - (1 - confidence) / 2, degreesOfFreedom: n - 1)
                why.append("with \(n) seeds a paired interval reaches ±\(format(t / Double(n).squareRoot(), 2)) paired standard "
                           + "deviations (t/√n), against ±\(format(Self.intervalFactor(ComparisonPlan.recommendedSeedCount, confidence), 2)) at "
                           + "\(ComparisonPlan.recommendedSeedCount)")
            }
            if iterations < ComparisonPlan.recommendedIterations {
                why.append("at \(iterations) iterations the detector is far from trained (DESIGN.md's PyTorch twin: 0.135 VOC AP50 at "
                           + "600 iterations, 0.259 at 2,000), so the ranking may not hold for trained detectors")
            }
            lines.append("**Short run: \(n) seed\(n == 1 ? "" : "s") × \(iterations) iterations**, below the \(recommended) the "
                         + "verdicts are sized for: \(why.joined(separator: "; ")). Treat it as a preview.")
        }
        if let median = medianSmallestResolvableAP50 {
            let t = StudentT.quantile(1 - (1 - confidence) / 2, degreesOfFreedom: n - 1)
            let count = pairs.count
            lines.append("Smallest resolvable AP50 difference with \(n) seeds: \(format(median, 3)) (the median over the \(count) "
                         + "pair\(count == 1 ? "" : "s") of t_{\(format(1 - (1 - confidence) / 2, 3)), \(n - 1)} · s_d / √\(n) = "
                         + "\(format(t, 3)) · s_d / √\(n), s_d each pair's observed standard deviation of the per-seed "
                         + "differences; per pair under \"Paired differences\"). Smaller true differences cannot be told from seed noise.")
        } else if strategies.count > 1 {
            lines.append("Smallest resolvable AP50 difference: none with one seed (the paired interval needs at least two seeds).")
        }
        let rising = strategies.compactMap { r -> String? in
            let count = r.runs.count { $0.stillRising?.isRising == true }
            return count > 0 ? "`\(r.strategy)` in \(count) of \(r.runs.count) seed\(r.runs.count == 1 ? "" : "s")" : nil
        }
        if !rising.isEmpty {
            lines.append("**Still rising at the end**: \(rising.joined(separator: ", ")) (the last evaluation's AP50 gain over the previous "
                         + "one has a paired bootstrap interval above 0): more iterations would change these numbers.")
        } else if strategies.allSatisfy({ $0.runs.allSatisfy { $0.stillRising == nil } }) {
            lines.append("No learning curve (one evaluation per run): whether AP50 was still rising is unknown; use --eval-every.")
        }
        return lines
    }

    /// t_{1−α/2, n−1}/√n, the half-width of an n-seed paired interval in paired standard deviations.
    static func intervalFactor(_ n: Int, _ confidence: Double) -> Double {
        StudentT.quantile(1 - (1 - confidence) / 2, degreesOfFreedom: n - 1) / Double(n).squareRoot()
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

    /// The paired-differences table: per pair, the AP50 difference with its interval, s_d and the
    /// smallest resolvable difference, and the COCO AP and seconds-per-iteration differences.
    public func pairedDifferencesTable() -> String {
        let level = "\(format(confidence * 100, 0))% CI"
        var s = "| first − second | seeds | AP50 difference | \(level) | s_d | smallest resolvable | COCO AP difference (\(level)) "
        s += "| s/iter difference (\(level)) |\n|---|---|---|---|---|---|---|---|\n"
        func interval(_ d: PairedDifference) -> String {
            d.interval.map { "[\(format($0.lower, 3)), \(format($0.upper, 3))]" } ?? "—"
        }
        for pair in pairs {
            let ap = pair.difference(.ap50), coco = pair.difference(.cocoAP), time = pair.difference(.secondsPerIteration)
            s += "| \(pair.first) − \(pair.second) | \(pair.seeds.count) | \(String(format: "%+.3f", ap.mean)) | \(interval(ap)) "
            s += "| \(ap.standardDeviation.map { format($0, 3) } ?? "—") | \(ap.smallestResolvableDifference.map { format($0, 3) } ?? "—") "
            s += "| \(String(format: "%+.3f", coco.mean)) \(interval(coco)) | \(String(format: "%+.3f", time.mean)) \(interval(time)) |\n"
        }
        return s
    }

    /// The per-run table: AP50 with its bootstrap interval over test images, cost, and the
    /// learning curve's last gain.
    public func runsTable() -> String {
        let level = "\(format(confidence * 100, 0))% CI"
        var s = "| strategy | seed | AP50 | bootstrap \(level) (test images) | s/iter | evaluation s | last gain (paired \(level)) |\n"
        s += "|---|---|---|---|---|---|---|\n"
        for r in strategies {
            for run in r.runs {
                let ci = run.ap50Interval.map { "[\(format($0.lower, 3)), \(format($0.upper, 3))]" } ?? "—"
                var gain = "—"
                if let check = run.stillRising {
                    gain = "\(String(format: "%+.3f", check.gain)) over \(check.fromIteration)→\(check.toIteration)"
                    if let i = check.gainInterval { gain += " [\(format(i.lower, 3)), \(format(i.upper, 3))]" }
                    if check.isRising { gain += " **rising**" }
                }
                s += "| \(r.strategy) | \(run.seed) | \(format(run.ap50, 3)) | \(ci) | \(format(run.secondsPerIteration, 3)) "
                s += "| \(format(run.evaluationSeconds, 1)) | \(gain) |\n"
            }
        }
        return s
    }

    /// The mining statistics table: per strategy and head, the mean per run over seeds of the
    /// counts each run summed over its iterations and batch images; then the buffer's dose —
    /// replays per visit (image at that head) and their share of the negatives trained
    /// (``MiningTotals/replayShare``), each a ratio of those per-run means.
    public func miningTable() -> String {
        var s = "| strategy | head | candidates / run | positives / run | negatives / run | mean loss selected / all | inserted / run "
        s += "| evicted / run | replayed / run | expired / run | replays / visit | replay share of negatives |\n"
        s += "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for r in strategies {
            let heads = Set(r.runs.flatMap { $0.mining.keys }).sorted()
            for head in heads {
                let totals = r.runs.compactMap { $0.mining[head] }
                func perRun(_ k: (MiningTotals) -> Int) -> String {
                    let mean = Double(totals.map(k).reduce(0, +)) / Double(max(totals.count, 1))
                    return format(mean, mean == mean.rounded() ? 0 : 1)
                }
                let sel = totals.compactMap(\.meanSelectedLoss), all = totals.compactMap(\.meanCandidateLoss)
                let lossText = sel.isEmpty || all.isEmpty ? "—"
                    : "\(format(sel.reduce(0, +) / Double(sel.count), 3)) / \(format(all.reduce(0, +) / Double(all.count), 3))"
                s += "| \(r.strategy) | \(head) | \(perRun(\.candidates)) | \(perRun(\.positives)) | \(perRun(\.negatives)) | \(lossText) "
                s += "| \(perRun(\.insertions)) | \(perRun(\.evictions)) | \(perRun(\.replays)) | \(perRun(\.expirations)) "
                let replays = totals.reduce(0) { $0 + $1.replays }, visits = totals.reduce(0) { $0 + $1.visits }
                let trained = totals.reduce(0) { $0 + $1.negatives + $1.separatePassReplays }
                let perVisit = visits > 0 ? format(Double(replays) / Double(visits), 1) : "—"
                let share = trained > 0 && replays > 0 ? "\(format(100 * Double(replays) / Double(trained), 1)) %" : "—"
                s += "| \(perVisit) | \(share) |\n"
            }
        }
        return s
    }

    /// One verdict sentence per strategy pair on AP50, worded from its paired interval.
    public func verdictSentences() -> [String] { pairs.map(\.sentence) }

    /// The mean time of one evaluation on the test split (curve point plus its bootstrap), in
    /// seconds, over every run; nil when nothing was recorded.
    public var meanEvaluationSeconds: Double? {
        let runs = strategies.flatMap(\.runs).filter { !$0.learningCurve.isEmpty && $0.evaluationSeconds > 0 }
        guard !runs.isEmpty else { return nil }
        return runs.map(\.evaluationSeconds).reduce(0, +) / Double(runs.map(\.learningCurve.count).reduce(0, +))
    }

    /// The whole `report.md`.
    public func markdown() -> String {
        var s = "# Sampling-strategy comparison on \(dataset)\n\n"
        for line in headline() { s += line + "\n\n" }
        for line in context { s += "- \(line)\n" }
        s += "- \(seedCount) seed\(seedCount == 1 ? "" : "s") × \(iterations) iterations per strategy; the table's metrics are mean ± "
        s += "sample standard deviation over seeds; every interval is \(format(confidence * 100, 0))%.\n"
        if evaluationInterval > 0 {
            s += "- Learning curves: AP50 on the test split every \(evaluationInterval) iterations and at the end"
            if let e = meanEvaluationSeconds { s += ", \(format(e, 1)) s per evaluation (not counted in s/iter nor on the seconds axis)" }
            s += ".\n"
        }
        s += "- Per-run AP50 intervals: \(format(confidence * 100, 0))% percentile bootstrap over the "
        s += testImageCount > 0 ? "\(testImageCount) test images " : "test images "
        s += "(\(bootstrap.resamples) resamples, seed \(bootstrap.seed); Efron & Tibshirani 1993)"
        if testImageCount > 0 && testImageCount <= 5 {
            s += "; with \(testImageCount) test image\(testImageCount == 1 ? "" : "s") there are only "
            s += "\(Self.distinctResamples(testImageCount)) distinct resamples, so these intervals are coarse"
        }
        s += ".\n\n"
        s += "## Verdicts (AP50, paired over seeds)\n\n"
        s += "Runs with the same seed share initialisation and data order, so each pair is judged on its per-seed differences: "
        s += "mean ± t_{0.975, n−1} · s_d / √n (docs/statistics.md).\n\n"
        s += pairs.isEmpty ? "One strategy: nothing to compare.\n\n" : verdictSentences().map { "- \($0).\n" }.joined() + "\n"
        s += "## Accuracy and cost\n\n" + markdownTable() + "\n"
        if !pairs.isEmpty { s += "## Paired differences (first − second, per seed)\n\n" + pairedDifferencesTable() + "\n" }
        s += "## Runs\n\n" + runsTable() + "\n"
        s += "## Learning curves\n\n"
        s += "`ap50-iterations.svg` and `ap50-seconds.svg`: test AP50 (mean over seeds) against iterations and against seconds of "
        s += "training (evaluation excluded); the mining strategies cost more per step, so at equal time they have trained fewer "
        s += "iterations. A curve is flagged as still rising when the paired bootstrap interval of its last gain lies above 0. "
        s += "The learning rate drops ×0.1 at 2/3 and again at 8/9 of the run, which flattens every curve's end: a flat end "
        s += "does not show that a longer run would not do better.\n\n"
        s += "## Mining statistics (per run: summed over the run's iterations and images, then averaged over the \(seedCount) "
        s += "seed\(seedCount == 1 ? "" : "s"))\n\n" + miningTable() + "\n"
        s += minedNegativesSection()
        s += "Plots: `losses.svg` (training loss), `pr.svg` (precision–recall at IoU 0.5), `ap50-iterations.svg`, `ap50-seconds.svg`. "
        s += "`detections-<strategy>.png`: the first test image with its ground truth (yellow) and the first seed's "
        s += "detections at score ≥ \(StrategyComparison.drawnScoreThreshold) (green); an image without green boxes "
        s += "means no detection reached that score (they still count in AP, which ranks all of them).\n"
        return s
    }

    /// The number of distinct multisets of n items drawn n times: C(2n − 1, n).
    static func distinctResamples(_ n: Int) -> Int {
        var result = 1
        for k in 1...max(n, 1) { result = result * (n - 1 + k) / k }
        return result
    }

    /// `results.json`: `{"dataset", "iterations", "seed_count", "confidence", "bootstrap_resamples",
    /// "bootstrap_seed", "eval_every", "test_images", "short_run", "recommended_seeds",
    /// "recommended_iterations", "smallest_resolvable_ap50_median", "headline": [first lines of
    /// report.md], "strategies": [one object per strategy, see `StrategyResults`], "pairs": [one
    /// object per pair, see `StrategyPair`], "configuration": the resolved run configuration
    /// (when known; `quarry train --config results.json` reads it), "mined_negatives": [one
    /// object per strategy and head, see `MinedNegativeSummary`] (when recorded)}`.
    /// - Throws: `EncodingError` (not expected: non-finite numbers are written as strings).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(ResultsFile(report: self))
    }

    /// The JSON document `json()` writes.
    struct ResultsFile: Encodable {
        var report: ComparisonReport
        enum CodingKeys: String, CodingKey {
            case dataset, iterations, confidence, strategies, pairs, headline
            case seedCount = "seed_count", bootstrapResamples = "bootstrap_resamples", bootstrapSeed = "bootstrap_seed"
            case evalEvery = "eval_every", testImages = "test_images", shortRun = "short_run"
            case recommendedSeeds = "recommended_seeds", recommendedIterations = "recommended_iterations"
            case smallestResolvable = "smallest_resolvable_ap50_median", configuration
            case minedNegatives = "mined_negatives"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(report.dataset, forKey: .dataset); try c.encode(report.iterations, forKey: .iterations)
            try c.encode(report.seedCount, forKey: .seedCount); try c.encode(report.confidence, forKey: .confidence)
            try c.encode(report.bootstrap.resamples, forKey: .bootstrapResamples); try c.encode(report.bootstrap.seed, forKey: .bootstrapSeed)
            try c.encode(report.evaluationInterval, forKey: .evalEvery); try c.encode(report.testImageCount, forKey: .testImages)
            try c.encode(report.isShortRun, forKey: .shortRun)
            try c.encode(ComparisonPlan.recommendedSeedCount, forKey: .recommendedSeeds)
            try c.encode(ComparisonPlan.recommendedIterations, forKey: .recommendedIterations)
            try c.encode(report.medianSmallestResolvableAP50, forKey: .smallestResolvable)
            try c.encode(report.headline(), forKey: .headline)
            try c.encode(report.strategies, forKey: .strategies)
            try c.encode(report.pairs, forKey: .pairs)
            try c.encodeIfPresent(report.configuration, forKey: .configuration)
            if !report.minedNegatives.isEmpty { try c.encode(report.minedNegatives, forKey: .minedNegatives) }
        }
    }

    /// The loss curves of every strategy (seed means) as an SVG line chart.
    public func lossPlot() -> LinePlot {
        LinePlot(title: "Training loss (\(dataset))", xLabel: "iteration", yLabel: "total loss",
                 series: strategies.map { r in
                     LinePlot.Series(name: r.strategy, points: r.meanLossCurve.map { (Double($0.iteration), $0.loss) })
                 })
    }

    /// The x axis of a learning-curve plot.
    public enum CurveAxis: Sendable {
        /// Iterations trained.
        case iterations
        /// Wall-clock seconds of training (evaluation excluded), for equal-time comparison.
        case seconds
    }

    /// The learning curves of every strategy (seed means of AP50 and of training seconds at
    /// each evaluated iteration) as an SVG line chart against iterations or seconds. Both axes
    /// start at 0, so that gaps between curves are not magnified.
    public func learningCurvePlot(against axis: CurveAxis) -> LinePlot {
        let seeds = "mean over \(seedCount) seed\(seedCount == 1 ? "" : "s")"
        let series = strategies.map { r in
            LinePlot.Series(name: r.strategy, points: r.meanLearningCurve.map {
                (axis == .iterations ? Double($0.iteration) : $0.seconds, $0.ap50)
            })
        }
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        var plot = LinePlot(title: "Test AP50 (VOC) during training (\(dataset), \(seeds))",
                            xLabel: axis == .iterations ? "iteration" : "training seconds (evaluation excluded)",
                            yLabel: "AP50", series: series,
                            xRange: LinePlot.padded([0] + points.map(\.x)), yRange: LinePlot.padded([0] + points.map(\.y)))
        plot.showsMarkers = true
        return plot
    }
}
