import Foundation
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
        #expect(SeedStatistics([0.1, 0.2, 0.3]).differenceExceedsSpread(SeedStatistics([0.6, 0.7, 0.8])) == true)
        #expect(SeedStatistics([0.1, 0.2, 0.3]).differenceExceedsSpread(SeedStatistics([0.25, 0.35, 0.45])) == false)
        #expect(SeedStatistics([0.1]).differenceExceedsSpread(SeedStatistics([0.9])) == nil)
    }

    @Test("results.json has every key, with seed means at the top level")
    func json() throws {
        let report = ComparisonReport(dataset: "digits", iterations: 10, strategies: [
            StrategyResults(strategy: "random", runs: [run(0, ap50: 0.1), run(1, ap50: 0.3)]),
            StrategyResults(strategy: "ohem", runs: [run(0, ap50: 0.2), run(1, ap50: 0.2)]),
        ])
        let parsed = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [[String: Any]])
        #expect(parsed.count == 2)
        for key in ["strategy", "ap50", "coco_ap", "ap75", "ar100", "seconds_per_iteration", "peak_rss_bytes", "seeds", "loss_curve"] {
            #expect(parsed.allSatisfy { $0[key] != nil }, "missing \(key)")
        }
        #expect(abs((parsed[0]["ap50"] as! Double) - 0.2) < 1e-12)
        let curve = try #require(parsed[0]["loss_curve"] as? [[Double]])
        #expect(curve == [[0, 2.5], [10, 1]])
        let decoded = try JSONDecoder().decode([StrategyResults].self, from: report.json())
        #expect(decoded == report.strategies)
    }

    @Test("markdown names every strategy and judges each pair against the spread")
    func markdown() {
        let report = ComparisonReport(dataset: "neon-trees", iterations: 600, strategies: [
            StrategyResults(strategy: "random", runs: [run(0, ap50: 0.10), run(1, ap50: 0.12)]),
            StrategyResults(strategy: "focal", runs: [run(0, ap50: 0.30), run(1, ap50: 0.32)]),
            StrategyResults(strategy: "ssd", runs: [run(0, ap50: 0.11)]),
        ])
        let md = report.markdown()
        #expect(md.contains("| random | 0.110 ± 0.014 |"))
        let sentences = report.pairwiseSentences()
        #expect(sentences.count == 3)
        #expect(sentences[0].contains("more than the seed spread"))
        #expect(sentences[1].contains("one seed gives no spread"))
        #expect(report.miningTable().contains("| random | rpn | 200 | 20 | 40 | 0.500 / 0.250 |"))
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
