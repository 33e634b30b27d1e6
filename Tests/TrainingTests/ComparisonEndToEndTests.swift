import Foundation
import Testing
import Datasets
import Detection
@testable import Training
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("quarry compare end to end on digits canvases")
struct ComparisonEndToEndTests {
    /// Runs a tiny comparison into a fresh folder and returns the folder and the report.
    func runTiny() throws -> (URL, ComparisonReport) {
        let folder = try DatasetLocator.datasetsFolder(currentDirectory: URL(fileURLWithPath: #filePath))
        let data = try TrainingData.load("digits", datasetsFolder: folder, digitsCounts: (6, 3), seed: 1)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-compare-\(UUID().uuidString)")
        let plan = ComparisonPlan(strategies: [.random, .hardNegativeBuffer], seeds: [0, 1], iterations: 3, output: output)
        return (output, try StrategyComparison.run(plan, data: data))
    }

    @Test("every output file parses, results.json has every key, and a rerun gives the same numbers")
    func endToEnd() throws {
        let (output, report) = try runTiny()
        defer { try? FileManager.default.removeItem(at: output) }
        #expect(report.strategies.map(\.strategy) == ["random", "hard-negative-buffer"])

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json"))) as? [[String: Any]])
        #expect(json.count == 2)
        for key in ["strategy", "ap50", "coco_ap", "ap75", "ar100", "seconds_per_iteration", "peak_rss_bytes", "seeds", "loss_curve"] {
            #expect(json.allSatisfy { $0[key] != nil }, "results.json lacks \(key)")
        }
        #expect(json.allSatisfy { ($0["seeds"] as? [Any])?.count == 2 })

        let markdown = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("| random |") && markdown.contains("| hard-negative-buffer |"))
        for name in ["losses.svg", "pr.svg"] {
            let parser = XMLParser(data: try Data(contentsOf: output.appendingPathComponent(name)))
            #expect(parser.parse(), "\(name) is not well-formed XML")
        }
        for strategy in ["random", "hard-negative-buffer"] {
            let image = try RGBImage(contentsOf: output.appendingPathComponent("detections-\(strategy).png"))
            #expect(image.width == 128 && image.height == 128)
        }

        // Same seeds, same data: identical numbers except timings and memory.
        let (again, rerun) = try runTiny()
        defer { try? FileManager.default.removeItem(at: again) }
        func strip(_ r: ComparisonReport) -> [[Double]] {
            r.strategies.flatMap { $0.runs.map { [$0.ap50, $0.cocoAP, $0.cocoAP300, $0.ap75, $0.ar100] + $0.lossCurve.map(\.loss) } }
        }
        #expect(strip(report) == strip(rerun))
        #expect(report.strategies.map { $0.runs.map(\.mining) } == rerun.strategies.map { $0.runs.map(\.mining) })
    }
}
