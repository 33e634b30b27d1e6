import Foundation
import TestSupport
import Testing
import Datasets
import Detection
@testable import Training
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("quarry compare end to end on digits canvases")
struct ComparisonEndToEndTests {
    /// Runs a tiny comparison into a fresh folder, `jobs` runs at a time, and returns the folder,
    /// the report and the data.
    func runTiny(jobs: Int = 1) throws -> (URL, ComparisonReport, TrainingData) {
        let folder = try DatasetLocator.datasetsFolder(currentDirectory: URL(fileURLWithPath: #filePath))
        let data = try TrainingData.load("digits", datasetsFolder: folder, digitsCounts: (6, 3), seed: 1)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-compare-\(UUID().uuidString)")
        let plan = ComparisonPlan(strategies: [.random, .hardNegativeBuffer], seeds: [0, 1], iterations: 3, output: output,
                                  evaluationInterval: 2, jobs: jobs)
        return (output, try StrategyComparison.run(plan, data: data), data)
    }

    @Test("every output file parses, results.json has every key, pairs, intervals and curves, and a rerun two runs at a time gives the same numbers")
    func endToEnd() throws {
        let (output, report, data) = try runTiny()
        defer { try? FileManager.default.removeItem(at: output) }
        #expect(report.strategies.map(\.strategy) == ["random", "hard-negative-buffer"])

        let file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json"))) as? [String: Any])
        #expect(file["eval_every"] as? Int == 2 && file["test_images"] as? Int == 3 && file["short_run"] as? Bool == true)
        let json = try #require(file["strategies"] as? [[String: Any]])
        #expect(json.count == 2)
        for key in ["strategy", "ap50", "coco_ap", "ap75", "ar100", "seconds_per_iteration", "peak_rss_bytes", "seeds", "loss_curve",
                    "mean_learning_curve", "still_rising_seeds"] {
            #expect(json.allSatisfy { $0[key] != nil }, "results.json lacks \(key)")
        }
        #expect(json.allSatisfy { ($0["seeds"] as? [Any])?.count == 2 })

        // Every run: a learning curve at iterations 2 and 3 (the end), each point with training
        // seconds, AP50 and its bootstrap interval; the last point is the run's AP50.
        for strategy in json {
            for seedRun in try #require(strategy["seeds"] as? [[String: Any]]) {
                let curve = try #require(seedRun["learning_curve"] as? [[String: Any]])
                #expect(curve.map { $0["iteration"] as? Int } == [2, 3])
                let seconds = try curve.map { try #require($0["seconds"] as? Double) }
                #expect(seconds[0] >= 0 && seconds[1] >= seconds[0])   // training time so far: it accumulates
                for point in curve {
                    let ap = try #require(point["ap50"] as? Double)
                    let ci = try #require(point["ap50_ci"] as? [Double])
                    #expect((0...1).contains(ap) && ci.count == 2 && 0 <= ci[0] && ci[0] <= ci[1] && ci[1] <= 1)
                }
                #expect(curve.last?["ap50"] as? Double == seedRun["ap50"] as? Double)
                #expect(seedRun["ap50_ci"] as? [Double] == curve.last?["ap50_ci"] as? [Double])
                let check = try #require(seedRun["still_rising"] as? [String: Any])
                #expect(check["from_iteration"] as? Int == 2 && check["to_iteration"] as? Int == 3 && check["still_rising"] is Bool)
                let gain = try #require(check["gain"] as? Double)
                #expect(abs(gain - ((curve[1]["ap50"] as? Double ?? .nan) - (curve[0]["ap50"] as? Double ?? .nan))) < 1e-12)
                #expect((check["gain_ci"] as? [Double])?.count == 2)
                #expect(try #require(seedRun["evaluation_seconds"] as? Double) >= 0)
            }
        }
        // The pair: per-seed AP50 differences, their mean (= the difference of the strategy means),
        // a two-seed t-interval around it, and the verdict sentence.
        let pairs = try #require(file["pairs"] as? [[String: Any]])
        #expect(pairs.count == 1 && pairs[0]["first"] as? String == "random" && pairs[0]["second"] as? String == "hard-negative-buffer")
        let ap50 = try #require(pairs[0]["ap50"] as? [String: Any])
        let differences = try #require(ap50["differences"] as? [Double])
        let runAP = report.strategies.map { $0.runs.map(\.ap50) }
        expectClose(differences, zip(runAP[0], runAP[1]).map { $0 - $1 }, absoluteTolerance: 1e-12)
        let mean = try #require(ap50["mean"] as? Double)
        #expect(abs(mean - ((json[0]["ap50"] as? Double ?? .nan) - (json[1]["ap50"] as? Double ?? .nan))) < 1e-12)
        let ci = try #require(ap50["ci"] as? [Double])
        let sd = try #require(ap50["sd"] as? Double)
        #expect(ci.count == 2 && abs((ci[0] + ci[1]) / 2 - mean) < 1e-12)
        #expect(abs((ci[1] - ci[0]) / 2 - 12.706204736174707 * sd / 2.0.squareRoot()) < 1e-9)
        #expect(report.pairs[0].sentence == pairs[0]["verdict"] as? String)

        let markdown = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("| random |") && markdown.contains("| hard-negative-buffer |"))
        #expect(markdown.contains("**Short run: 2 seeds × 3 iterations**"))
        #expect(markdown.contains("- \(report.pairs[0].sentence)."))
        for name in ["losses.svg", "pr.svg", "ap50-iterations.svg", "ap50-seconds.svg"] {
            let parser = XMLParser(data: try Data(contentsOf: output.appendingPathComponent(name)))
            #expect(parser.parse(), "\(name) is not well-formed XML")
        }
        let curvePlot = try String(contentsOf: output.appendingPathComponent("ap50-iterations.svg"), encoding: .utf8)
        #expect(curvePlot.components(separatedBy: "<polyline").count - 1 == 2)
        for strategy in ["random", "hard-negative-buffer"] {
            let image = try RGBImage(contentsOf: output.appendingPathComponent("detections-\(strategy).png"))
            #expect(image.width == 128 && image.height == 128)
        }
        // What each strategy mines: per strategy and head a row, scored by the random model of
        // seed 0 (saved beside its record), and three tile pictures of the tile's size. 6 tiles at
        // batch 2 over 3 iterations: the window is the whole run, and each recorded tile keeps
        // its last visit.
        #expect(report.minedNegatives.map { "\($0.strategy) \($0.head)" }
                == ["random rpn", "random roi", "hard-negative-buffer rpn", "hard-negative-buffer roi"])
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("runs/random-seed-0.safetensors").path))
        // Every entry's first-seed model is kept with the run's metadata: it loads without a class
        // count or configuration given and scores the test split as the run did; the second seed's
        // is not kept.
        let buffer = try TrainedDetector.load(checkpoint: output.appendingPathComponent("runs/hard-negative-buffer-seed-0.safetensors"))
        #expect(buffer.evaluate(on: data.test, classCount: data.classCount).ap50 == report.strategies[1].runs[0].ap50)
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("runs/hard-negative-buffer-seed-1.safetensors").path))
        for m in report.minedNegatives {
            #expect(m.reference == "random" && m.scored > 0 && m.tiles >= 1 && m.iouBins.reduce(0, +) == m.negatives)
            #expect(m.pictures.count == min(m.tiles, StrategyComparison.picturedTileCount))
            for name in m.pictures {
                #expect(markdown.contains("[\(name)](\(name))"))
                let picture = try RGBImage(contentsOf: output.appendingPathComponent(name))
                #expect(picture.width == 128 && picture.height == 128)
            }
            if m.head == "rpn" { #expect(m.iouBins[2] == 0 && m.iouBins[3] == 0 && m.groundTruthScored == 0) }
            if m.head == "roi" { #expect(m.groundTruthScored > 0 && m.groundTruthObjectLike <= m.groundTruthScored) }
        }
        #expect(markdown.contains("## What each strategy mines"))
        #expect(file["mined_negatives"] is [[String: Any]])

        // Same seeds, same data, now two runs at a time: every number identical except timings
        // and memory. results.json is compared whole, with only the measured keys taken out at
        // every level.
        let (again, rerun, _) = try runTiny(jobs: 2)
        defer { try? FileManager.default.removeItem(at: again) }
        var removed: [String: Int] = [:]
        func withoutTimings(_ folder: URL) throws -> Data {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("results.json")))
            let timed: Set = ["seconds_per_iteration", "seconds_per_iteration_std", "peak_rss_bytes", "seconds", "evaluation_seconds"]
            return try JSONSerialization.data(withJSONObject: Self.removing(timed, from: json, count: &removed), options: [.sortedKeys])
        }
        let first = try withoutTimings(output), second = try withoutTimings(again)
        #expect(first == second, "results.json differs beyond timings and memory")
        // Per comparison: seconds_per_iteration in 2 strategy records, 2 × 2 seed records and the
        // pair; its spread in the 2 strategy records; memory in 2 + 4 records; curve seconds at 2
        // points of 4 seed curves and 2 mean curves; evaluation time in 4 seed records. Two
        // comparisons: nothing else was taken out.
        #expect(removed == ["seconds_per_iteration": 14, "seconds_per_iteration_std": 4, "peak_rss_bytes": 12, "seconds": 24,
                            "evaluation_seconds": 8])
        let text = String(decoding: first, as: UTF8.self)
        for key in ["\"ap50\"", "\"coco_ap_maxdets300\"", "\"loss_curve\"", "\"mining\"", "\"candidates\"", "\"seeds\"",
                    "\"pairs\"", "\"ap50_ci\"", "\"learning_curve\"", "\"still_rising\""] {
            #expect(text.contains(key), "the compared JSON holds \(key)")
        }
        #expect(report.strategies.map { $0.runs.map(\.lossCurve) } == rerun.strategies.map { $0.runs.map(\.lossCurve) })
        // The plots and the detection pictures carry no timings: byte for byte the same.
        for name in ["losses.svg", "pr.svg", "ap50-iterations.svg", "detections-random.png", "detections-hard-negative-buffer.png"]
                        + report.minedNegatives.flatMap(\.pictures) {
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
