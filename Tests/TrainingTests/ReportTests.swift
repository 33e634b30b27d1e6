import Foundation
import TestSupport
import Testing
@testable import Training
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("Comparison report")
struct ReportTests {
    func run(_ seed: UInt64, ap50: Double) -> SeedRun {
        var mining = MiningTotals()
        mining.candidates = 100; mining.positives = 10; mining.negatives = 20
        mining.meanSelectedLoss = 0.5; mining.meanCandidateLoss = 0.25
        return SeedRun(seed: seed, ap50: ap50, cocoAP: ap50 / 2, cocoAP300: ap50 / 2 + 0.01, ap75: ap50 / 3, ar100: 0.4,
                       secondsPerIteration: 0.25, peakRSSBytes: 300 << 20,
                       lossCurve: [LossPoint(iteration: 0, loss: 2 + Double(seed)), LossPoint(iteration: 10, loss: 1)],
                       mining: ["rpn": mining])
    }

    @Test("seed statistics: mean and sample standard deviation by hand")
    func statistics() {
        let s = SeedStatistics([0.1, 0.2, 0.3])
        #expect(abs(s.mean - 0.2) < 1e-12)
        #expect(abs(s.standardDeviation - 0.1) < 1e-12)   // sqrt((0.01 + 0 + 0.01) / 2)
        #expect(s.formatted() == "0.200 ± 0.100")
        #expect(SeedStatistics([0.5]).standardDeviation == 0)
    }

    /// The strategies of `results.json`, decoded.
    struct ResultsFile: Decodable {
        var strategies: [StrategyResults]
    }

    @Test("results.json has every key, with seed means per strategy and paired differences per pair")
    func json() throws {
        let report = ComparisonReport(dataset: "digits", iterations: 10, strategies: [
            StrategyResults(strategy: "random", runs: [run(0, ap50: 0.1), run(1, ap50: 0.3)]),
            StrategyResults(strategy: "ohem", runs: [run(0, ap50: 0.2), run(1, ap50: 0.2)]),
        ])
        let file = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        #expect(file["dataset"] as? String == "digits" && file["iterations"] as? Int == 10 && file["seed_count"] as? Int == 2)
        #expect(file["short_run"] as? Bool == true && file["confidence"] as? Double == 0.95 && file["bootstrap_resamples"] as? Int == 1000)
        let parsed = try #require(file["strategies"] as? [[String: Any]])
        #expect(parsed.count == 2)
        for key in ["strategy", "ap50", "coco_ap", "ap75", "ar100", "seconds_per_iteration", "peak_rss_bytes", "seeds", "loss_curve",
                    "mean_learning_curve", "still_rising_seeds"] {
            #expect(parsed.allSatisfy { $0[key] != nil }, "missing \(key)")
        }
        #expect(abs((parsed[0]["ap50"] as! Double) - 0.2) < 1e-12)
        let curve = try #require(parsed[0]["loss_curve"] as? [[Double]])
        #expect(curve == [[0, 2.5], [10, 1]])
        let decoded = try JSONDecoder().decode(ResultsFile.self, from: report.json())
        #expect(decoded.strategies == report.strategies)

        // One pair, random − ohem: AP50 differences 0.1 − 0.2 and 0.3 − 0.2 → mean 0, s_d = √0.02,
        // interval 0 ± 12.706 · √0.02 / √2 = ±1.2706.
        let pairs = try #require(file["pairs"] as? [[String: Any]])
        #expect(pairs.count == 1 && pairs[0]["first"] as? String == "random" && pairs[0]["second"] as? String == "ohem")
        #expect(pairs[0]["seeds"] as? [Int] == [0, 1])
        let ap50 = try #require(pairs[0]["ap50"] as? [String: Any])
        expectClose(try #require(ap50["differences"] as? [Double]), [-0.1, 0.1], absoluteTolerance: 1e-12)
        #expect(abs(try #require(ap50["mean"] as? Double)) < 1e-12)
        #expect(abs(try #require(ap50["sd"] as? Double) - 0.02.squareRoot()) < 1e-12)
        #expect(abs(try #require(ap50["t_quantile"] as? Double) - 12.706204736174707) < 1e-8)
        let ci = try #require(ap50["ci"] as? [Double])
        #expect(ci.count == 2 && abs(ci[0] + 1.2706204736174707) < 1e-8 && abs(ci[1] - 1.2706204736174707) < 1e-8)
        #expect(abs(try #require(ap50["smallest_resolvable"] as? Double) - 1.2706204736174707) < 1e-8)
        #expect(ap50["verdict"] as? String == "unresolved")
        for metric in ComparisonMetric.allCases { #expect(pairs[0][metric.rawValue] != nil, "pair lacks \(metric.rawValue)") }
        #expect((pairs[0]["verdict"] as? String)?.hasPrefix("no resolvable difference between `random` and `ohem`") == true)
        #expect(abs(try #require(file["smallest_resolvable_ap50_median"] as? Double) - 1.2706204736174707) < 1e-8)
    }

    @Test("markdown names every strategy, gives a verdict per pair, and says the mining table is per run")
    func markdown() {
        let report = ComparisonReport(dataset: "neon-trees", iterations: 600, strategies: [
            StrategyResults(strategy: "random", runs: [run(0, ap50: 0.10), run(1, ap50: 0.12)]),
            StrategyResults(strategy: "focal", runs: [run(0, ap50: 0.30), run(1, ap50: 0.32)]),
            StrategyResults(strategy: "ssd", runs: [run(0, ap50: 0.11)]),
        ])
        let md = report.markdown()
        #expect(md.contains("| random | 0.110 ± 0.014 |"))
        let sentences = report.verdictSentences()
        #expect(sentences.count == 3)
        // random − focal is −0.2 in both seeds: s_d = 0, a zero-width interval below 0.
        #expect(sentences[0] == "`random` is worse than `focal` by 0.200 AP50, 95% CI [0.200, 0.200], 2 seeds")
        #expect(sentences[1] == "`random` vs `ssd`: one seed: no interval, no verdict (`random` − `ssd` = -0.010 AP50)")
        #expect(sentences[2] == "`focal` vs `ssd`: one seed: no interval, no verdict (`focal` − `ssd` = +0.190 AP50)")
        for sentence in sentences { #expect(md.contains("- \(sentence).")) }
        // 100 candidates, 10 positives, 20 negatives in each run: the mean per run, not the sum.
        #expect(report.miningTable().contains("| random | rpn | 100 | 10 | 20 | 0.500 / 0.250 |"))
        #expect(md.contains("## Mining statistics (per run: summed over the run's iterations and images, then averaged over the 2 seeds)"))
        #expect(md.contains("| random | 0 | 0.100 | — |"))
    }

    @Test("the first lines say a run is short, state the smallest resolvable difference, and name rising curves")
    func headline() throws {
        func runs(_ values: [Double], rising: Bool = false) -> [SeedRun] {
            values.enumerated().map { seed, ap in
                var r = run(UInt64(seed), ap50: ap)
                r.stillRising = StillRisingCheck(fromIteration: 1800, toIteration: 2000, gain: 0.01,
                                                 gainInterval: ConfidenceInterval(lower: rising ? 0.005 : -0.01, upper: 0.02))
                return r
            }
        }
        let short = ComparisonReport(dataset: "neon-trees", iterations: 300, strategies: [
            StrategyResults(strategy: "random", runs: runs([0.10, 0.12, 0.14], rising: true)),
            StrategyResults(strategy: "ohem", runs: runs([0.05, 0.08, 0.08])),
        ])
        let lines = short.headline()
        #expect(short.isShortRun)
        #expect(lines[0].hasPrefix("**Short run: 3 seeds × 300 iterations**, below the 8 seeds × 2000 iterations"))
        // t_{0.975,2}/√3 = 4.303/1.732 = 2.48; t_{0.975,7}/√8 = 2.365/2.828 = 0.84.
        #expect(lines[0].contains("±2.48 paired standard deviations (t/√n), against ±0.84 at 8"))
        // random − ohem: d = 0.05, 0.04, 0.06 → s_d = 0.01, half-width 4.303 · 0.01 / √3 = 0.0248.
        #expect(lines[1].hasPrefix("Smallest resolvable AP50 difference with 3 seeds: 0.025 (the median over the 1 pair"))
        #expect(abs(try #require(short.medianSmallestResolvableAP50) - 4.302652729749464 * 0.01 / 3.0.squareRoot()) < 1e-9)
        #expect(lines[2].hasPrefix("**Still rising at the end**: `random` in 3 of 3 seeds"))
        #expect(short.markdown().hasPrefix("# Sampling-strategy comparison on neon-trees\n\n**Short run"))

        let full = ComparisonReport(dataset: "neon-trees", iterations: 2000, strategies: [
            StrategyResults(strategy: "random", runs: runs([0.10, 0.12, 0.14, 0.1, 0.2, 0.3, 0.2, 0.1])),
            StrategyResults(strategy: "ohem", runs: runs([0.05, 0.08, 0.08, 0.1, 0.1, 0.2, 0.1, 0.1])),
        ])
        #expect(!full.isShortRun)
        #expect(full.headline().count == 1 && full.headline()[0].hasPrefix("Smallest resolvable AP50 difference with 8 seeds"))

        let single = ComparisonReport(dataset: "d", iterations: 600, strategies: [
            StrategyResults(strategy: "random", runs: [run(0, ap50: 0.1)]), StrategyResults(strategy: "ohem", runs: [run(0, ap50: 0.2)]),
        ])
        #expect(single.headline()[0].contains("one seed gives no confidence interval, so no verdict"))
        #expect(single.headline()[1] == "Smallest resolvable AP50 difference: none with one seed (the paired interval needs at least two seeds).")
        #expect(single.headline()[2].hasPrefix("No learning curve"))
    }

    @Test("the loss plot is well-formed SVG with one polyline per strategy")
    func svg() throws {
        let report = ComparisonReport(dataset: "d", iterations: 10, strategies: [
            StrategyResults(strategy: "a<b", runs: [run(0, ap50: 0.1)]), StrategyResults(strategy: "c", runs: [run(1, ap50: 0.1)]),
        ])
        let text = report.lossPlot().svg()
        final class Counter: NSObject, XMLParserDelegate {
            var polylines = 0
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) { if name == "polyline" { polylines += 1 } }
        }
        let parser = XMLParser(data: Data(text.utf8))
        let counter = Counter()
        parser.delegate = counter
        #expect(parser.parse())
        #expect(counter.polylines == 2)
        #expect(text.contains("a&lt;b"))
    }

    @Test("learning curves: seed means per evaluated iteration; plots against iterations and seconds from 0, with a dot per point")
    func learningCurvePlots() throws {
        func curve(_ points: [(Int, Double, Double)]) -> [LearningCurvePoint] {
            points.map { LearningCurvePoint(iteration: $0.0, seconds: $0.1, ap50: $0.2, ap50Interval: nil) }
        }
        var a0 = run(0, ap50: 0.1), a1 = run(1, ap50: 0.12), b0 = run(0, ap50: 0.08)
        a0.learningCurve = curve([(100, 6, 0.05), (200, 12, 0.10)])
        a1.learningCurve = curve([(100, 8, 0.07), (200, 14, 0.12)])
        b0.learningCurve = curve([(100, 9, 0.03), (200, 18, 0.08)])
        let report = ComparisonReport(dataset: "d", iterations: 200, strategies: [
            StrategyResults(strategy: "random", runs: [a0, a1]), StrategyResults(strategy: "ohem", runs: [b0]),
        ])
        let mean = report.strategies[0].meanLearningCurve
        #expect(mean.map(\.iteration) == [100, 200])
        expectClose(mean.map(\.seconds), [7, 13], relativeTolerance: 1e-12)
        expectClose(mean.map(\.ap50), [0.06, 0.11], relativeTolerance: 1e-12)

        let byIteration = report.learningCurvePlot(against: .iterations), bySeconds = report.learningCurvePlot(against: .seconds)
        #expect(byIteration.series.map(\.name) == ["random", "ohem"])
        #expect(byIteration.series[1].points.map(\.x) == [100, 200] && bySeconds.series[1].points.map(\.x) == [9, 18])
        // Axes from 0: iterations 0…200 (step 50), seconds 0…20 (step 5), AP50 up to 0.11 → 0…0.2 (step 0.05).
        #expect(byIteration.xRange == 0...200 && bySeconds.xRange == 0...20)
        let yRange = try #require(byIteration.yRange)
        #expect(yRange.lowerBound == 0 && abs(yRange.upperBound - 0.2) < 1e-12)
        let svg = bySeconds.svg()
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 4)
        #expect(!report.lossPlot().svg().contains("<circle"))
    }

    @Test("plot axes span four round steps that cover the data", arguments: [
        ([1.0, 600], 0.0...800), ([0.6, 1.9], 0.5...2.5), ([-0.3, 0.95], -0.5...1.5), ([0.0, 1], 0.0...1),
        ([3.0, 3], 2.5...3.5), ([], 0.0...1), ([0.012, 0.0305], 0.01...0.05),
    ] as [([Double], ClosedRange<Double>)])
    func roundAxes(_ values: [Double], _ expected: ClosedRange<Double>) {
        let range = LinePlot.padded(values)
        #expect(abs(range.lowerBound - expected.lowerBound) < 1e-12 && abs(range.upperBound - expected.upperBound) < 1e-12,
                "\(values): \(range)")
    }

    @Test("peak resident memory is readable and resettable on Linux")
    func memory() {
        #if os(Linux)
        let resident = ResourceUsage.residentBytes() ?? 0
        #expect(resident > 1 << 20)
        #expect((ResourceUsage.peakResidentBytes() ?? 0) >= resident)
        // Touch 256 MiB, free it, reset: the peak must drop below the one seen with it held.
        // (Other suites run in the same process at the same time, so only this comparison is
        // robust; absolute bounds are not.)
        var peakWithBuffer = 0
        do {
            var big = [UInt8](repeating: 1, count: 256 << 20)
            big[big.count - 1] = 2
            peakWithBuffer = ResourceUsage.peakResidentBytes() ?? 0
            #expect(peakWithBuffer >= 256 << 20)
            #expect(big[big.count - 1] == 2)
        }
        if ResourceUsage.resetPeakResidentBytes() {
            #expect((ResourceUsage.peakResidentBytes() ?? .max) < peakWithBuffer)
        }
        #endif
    }
}
