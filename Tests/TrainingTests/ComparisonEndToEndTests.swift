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

        // Same seeds, same data: every number identical except timings and memory. results.json
        // is compared whole, with only the two measured keys taken out at every level.
        let (again, rerun) = try runTiny()
        defer { try? FileManager.default.removeItem(at: again) }
        var removed: [String: Int] = [:]
        func withoutTimings(_ folder: URL) throws -> Data {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("results.json")))
            return try JSONSerialization.data(withJSONObject: Self.removing(["seconds_per_iteration", "seconds_per_iteration_std", "peak_rss_bytes"], from: json,
                                                                             count: &removed),
                                              options: [.sortedKeys])
        }
        let first = try withoutTimings(output), second = try withoutTimings(again)
        #expect(first == second, "results.json differs beyond timings and memory")
        // 2 strategy records + 2 × 2 seed records per key (the spread only in the 2 strategy
        // records), over two runs: nothing else was taken out.
        #expect(removed == ["seconds_per_iteration": 12, "seconds_per_iteration_std": 4, "peak_rss_bytes": 12])
        let text = String(decoding: first, as: UTF8.self)
        for key in ["\"ap50\"", "\"coco_ap_maxdets300\"", "\"loss_curve\"", "\"mining\"", "\"candidates\"", "\"seeds\""] {
            #expect(text.contains(key), "the compared JSON holds \(key)")
        }
        #expect(report.strategies.map { $0.runs.map(\.lossCurve) } == rerun.strategies.map { $0.runs.map(\.lossCurve) })
        // The plots and the detection pictures carry no timings: byte for byte the same.
        for name in ["losses.svg", "pr.svg", "detections-random.png", "detections-hard-negative-buffer.png"] {
            #expect(try Data(contentsOf: output.appendingPathComponent(name)) == Data(contentsOf: again.appendingPathComponent(name)),
                    "\(name) differs between identical runs")
        }
    }

    /// `json` with every object's `keys` removed, recursively; counts the removals per key.
    static func removing(_ keys: Set<String>, from json: Any, count: inout [String: Int]) -> Any {
        if let object = json as? [String: Any] {
            var result: [String: Any] = [:]
            for (key, value) in object {
                if keys.contains(key) { count[key, default: 0] += 1 } else { result[key] = removing(keys, from: value, count: &count) }
            }
            return result
        }
        if let array = json as? [Any] { return array.map { removing(keys, from: $0, count: &count) } }
        return json
    }
}
