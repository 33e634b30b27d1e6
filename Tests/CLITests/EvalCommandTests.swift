import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import QuarryCLI

@Suite("quarry eval")
struct EvalCommandTests {
    /// Writes the inputs of a fixture case as gt.json and dets.json in a fresh directory.
    func writeInputs(of entry: [String: Any]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-eval-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: try #require(entry["ground_truth"]))
            .write(to: directory.appendingPathComponent("gt.json"))
        try JSONSerialization.data(withJSONObject: try #require(entry["detections"]))
            .write(to: directory.appendingPathComponent("dets.json"))
        return directory
    }

    /// Runs `quarry eval` on the inputs in `directory` and returns the parsed JSON output.
    func runEval(in directory: URL, extra: [String] = []) throws -> [String: Any] {
        let output = directory.appendingPathComponent("out.json")
        let command = try EvalCommand.parse([
            "--ground-truth", directory.appendingPathComponent("gt.json").path,
            "--detections", directory.appendingPathComponent("dets.json").path,
            "--json", output.path,
        ] + extra)
        try command.run()
        return try #require(JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
    }

    @Test("coco_eval.json: the JSON output holds pycocotools' 12 stats and VOC AP50")
    func referenceCase() throws {
        let entry = try #require(Fixtures.json("coco_eval.json") as? [String: Any])
        let expected = try #require(entry["stats"] as? [Double])
        let json = try runEval(in: writeInputs(of: entry))
        let stats = try #require(json["stats"] as? [Double])
        #expect(stats.count == 12)
        for (index, (value, reference)) in zip(stats, expected).enumerated() {
            #expect(abs(value - reference) <= 1e-6, "stats[\(index)]: \(value) vs pycocotools \(reference)")
        }
        // VOC AP50 of this case's own inputs, by the naive devkit port (TestSupport's
        // ReferenceVOC, checked against the generator on every generated case).
        let groundTruth = try #require(entry["ground_truth"] as? [String: Any])
        let detections = try #require(entry["detections"] as? [[String: Any]])
        let reference = try #require(ReferenceVOC.averagePrecision(groundTruth: groundTruth, detections: detections).mean)
        #expect(abs(try #require(json["ap50_voc"] as? Double) - reference) <= 1e-9)
        #expect(json["max_dets"] as? [Int] == [1, 10, 100])
    }

    @Test("--max-dets 300 on 279 objects: stats and VOC AP50 of the fixture")
    func maxDetections300() throws {
        let root = try #require(Fixtures.json("coco_eval_cases.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        let entry = try #require(cases.first { $0["name"] as? String == "max_dets_300" })
        let json = try runEval(in: writeInputs(of: entry), extra: ["--max-dets", "300"])
        let stats = try #require(json["stats"] as? [Double])
        let expected = try #require(entry["stats"] as? [Double])
        for (index, (value, reference)) in zip(stats, expected).enumerated() {
            #expect(abs(value - reference) <= 1e-6, "stats[\(index)]")
        }
        let voc = try #require((entry["voc"] as? [String: Any])?["mean"] as? Double)
        #expect(abs(try #require(json["ap50_voc"] as? Double) - voc) <= 1e-9)
        #expect(json["max_dets"] as? [Int] == [1, 10, 300])
    }

    @Test("a bad detection file fails with a message naming file and index, exit code 1")
    func badFile() throws {
        let entry = try #require(Fixtures.json("coco_eval.json") as? [String: Any])
        let directory = try writeInputs(of: entry)
        let detections = directory.appendingPathComponent("dets.json")
        try Data(#"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, -3, 4], "score": 0.5}]"#.utf8).write(to: detections)
        let command = try EvalCommand.parse([
            "--ground-truth", directory.appendingPathComponent("gt.json").path, "--detections", detections.path,
            "--json", directory.appendingPathComponent("out.json").path,
        ])
        do {
            try command.run()
            Issue.record("expected the run to fail")
        } catch {
            #expect(EvalCommand.exitCode(for: error) == .failure)
            #expect(EvalCommand.message(for: error) == "\(detections.path): [0].bbox: negative box size (w -3.0, h 4.0)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out.json").path))
    }

    @Test("options are validated: one source (files or checkpoint), both halves of it, --max-dets at least 10")
    func validation() throws {
        #expect(throws: (any Error).self) { try EvalCommand.parse(["--ground-truth", "gt.json"]) }
        #expect(throws: (any Error).self) {
            try EvalCommand.parse(["--ground-truth", "gt.json", "--detections", "d.json", "--max-dets", "5"])
        }
        let command = try? EvalCommand.parse(["--ground-truth", "gt.json", "--detections", "d.json", "--max-dets", "300"])
        #expect(command?.caps == [1, 10, 300])
        #expect(try command?.source() == .resultFile(groundTruth: "gt.json", detections: "d.json"))
        let model = try EvalCommand.parse(["--checkpoint", "c.safetensors", "--dataset", "digits"])
        #expect(try model.source() == .checkpoint("c.safetensors", dataset: "digits"))

        /// The message ArgumentParser prints for the options.
        func message(_ arguments: [String]) -> String {
            do {
                _ = try EvalCommand.parse(arguments)
                return "(accepted)"
            } catch {
                return EvalCommand.message(for: error)
            }
        }
        let usage = "Give --ground-truth FILE --detections FILE to score a COCO result file, or --checkpoint FILE "
            + "--dataset neon-trees|digits|PATH to run a model trained by quarry train on the dataset's test split."
        #expect(message([]) == "Nothing to evaluate. " + usage)
        #expect(message(["--ground-truth", "g", "--detections", "d", "--checkpoint", "c", "--dataset", "digits"])
                == "--ground-truth, --detections, --checkpoint, --dataset mix the two sources of detections. " + usage)
        #expect(message(["--detections", "d", "--dataset", "digits"])
                == "--detections, --dataset mix the two sources of detections. " + usage)
        #expect(message(["--ground-truth", "g"]) == "--ground-truth needs --detections. " + usage)
        #expect(message(["--checkpoint", "c"]) == "--checkpoint needs --dataset. " + usage)
        #expect(message(["--dataset", "digits"]) == "--dataset needs --checkpoint. " + usage)
    }
}
