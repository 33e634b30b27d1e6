import ArgumentParser
import Foundation
import Quarry

/// `quarry eval`: COCO bounding-box metrics (pycocotools semantics) and VOC AP50 of detections.
///
/// Prints the 12 numbers with pycocotools' labels, then the VOC AP at IoU 0.5; with `--json`
/// also writes `{"stats": [12 numbers], "ap50_voc": x, "max_dets": [1, 10, N]}` atomically.
/// Bad input files end the command with a message naming the file and JSON location, exit 1.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate detections: COCO bbox AP/AR (pycocotools semantics) and VOC AP50.",
        discussion: """
            Ground truth is a COCO instances file (images, annotations with bbox [x, y, w, h], \
            area and iscrowd, categories); detections are a COCO result list of \
            {image_id, category_id, bbox, score}. Use --max-dets 300 when images hold more than \
            100 objects: the caps become 1, 10 and 300.
            """
    )

    @Option(name: .customLong("ground-truth"), help: ArgumentHelp("COCO ground-truth JSON file.", valueName: "file"))
    var groundTruthPath: String

    // Optional so that another detection source (a checkpoint run on a dataset) can replace it;
    // `validate()` requires it while it is the only source.
    @Option(name: .customLong("detections"), help: ArgumentHelp("COCO detection-result JSON file.", valueName: "file"))
    var detectionsPath: String?

    @Option(name: .customLong("json"), help: ArgumentHelp("Write the numbers as JSON to this file.", valueName: "file"))
    var jsonOutput: String?

    @Option(name: .customLong("max-dets"), help: "The largest detection cap per image and category (caps 1, 10, N).")
    var maxDetections: Int = 100

    func validate() throws {
        guard detectionsPath != nil else {
            throw ValidationError("Missing --detections: a COCO detection-result JSON file.")
        }
        guard maxDetections >= 10 else {
            throw ValidationError("--max-dets must be at least 10 (the caps are 1, 10 and N), got \(maxDetections).")
        }
    }

    /// The COCO caps: 1, 10 and `--max-dets`.
    var caps: [Int] { [1, 10, maxDetections] }

    func run() throws {
        let groundTruth = try COCOGroundTruth.load(contentsOf: URL(fileURLWithPath: groundTruthPath))
        let detections = try loadDetections(checkedAgainst: groundTruth)
        let report = EvaluationReport(groundTruth: groundTruth, detections: detections, maxDetections: caps)
        print(report.text)
        if let jsonOutput {
            try report.write(to: URL(fileURLWithPath: jsonOutput))
        }
    }

    /// The detections to evaluate, from the source the options name (today: a result file).
    func loadDetections(checkedAgainst groundTruth: COCOGroundTruth) throws -> [COCODetection] {
        guard let detectionsPath else { throw ValidationError("Missing --detections.") }
        return try groundTruth.loadDetections(contentsOf: URL(fileURLWithPath: detectionsPath))
    }
}
