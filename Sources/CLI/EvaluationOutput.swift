// What `quarry eval` prints and writes: the evaluation report at the requested caps, plus COCO
// AP at maxDets 300 (DESIGN.md "Evaluation": a test image holds up to 279 trees).
import Foundation
import Quarry

/// The numbers of one `quarry eval` run, as printed text and as JSON.
struct EvaluationOutput: Encodable {
    /// The 12 COCO numbers at the requested caps and VOC AP50.
    var report: EvaluationReport
    /// COCO AP@[.5:.95] at maxDets (1, 10, 300).
    var cocoAP300: Double
    /// The pycocotools line of `cocoAP300`.
    var cocoAP300Line: String
    /// With `--proposal-recall`: the RPN proposals' recall, one line per proposals-per-tile limit.
    var proposalRecall: [ProposalRecallLine] = []

    /// The recall of a detector's first `perTile` proposals of each tile (`ProposalRecall`): its
    /// text line, " Proposal recall (RPN, first 100 per tile, G boxes, p per image): IoU 0.50 r |
    /// IoU 0.70 r | AR@[.5:.95] r", and its JSON object.
    struct ProposalRecallLine: Encodable {
        /// Proposals kept per tile, by objectness.
        var perTile: Int
        /// The tally over the test split's boxes.
        var recall: ProposalRecall

        /// The line, as above (p: proposals per image, all tiles of it together).
        var text: String {
            func f(_ x: Double) -> String { String(format: "%.3f", x) }
            return " Proposal recall (RPN, first \(perTile) per tile, \(recall.groundTruthCount) boxes, "
                + String(format: "%.1f", recall.proposalsPerImage) + " per image): IoU 0.50 "
                + "\(f(recall.recall(atIoU: 0.5))) | IoU 0.70 \(f(recall.recall(atIoU: 0.7))) | AR@[.5:.95] \(f(recall.averageRecall))"
        }

        enum CodingKeys: String, CodingKey {
            case perTile = "per_tile", boxes, proposalsPerImage = "proposals_per_image", recall50 = "recall_50",
                 recall70 = "recall_70", averageRecall = "ar"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(perTile, forKey: .perTile)
            try container.encode(recall.groundTruthCount, forKey: .boxes)
            try container.encode(recall.proposalsPerImage, forKey: .proposalsPerImage)
            try container.encode(recall.recall(atIoU: 0.5), forKey: .recall50)
            try container.encode(recall.recall(atIoU: 0.7), forKey: .recall70)
            try container.encode(recall.averageRecall, forKey: .averageRecall)
        }
    }

    /// The inference settings a checkpoint ran with: its line, " Inference: 512-px tiles, stride
    /// 384; RPN top-N 36864 before NMS, 300 after" (no RPN part for a single-stage detector), and
    /// its JSON object `{"tile_size", "tile_stride", "pre_nms_top_n", "post_nms_top_n"}`.
    struct InferenceLine: Encodable, Equatable {
        /// The inference tile side in pixels.
        var tileSize: Int
        /// The distance between tile origins in pixels.
        var tileStride: Int
        /// The RPN's top-N per tile before NMS; nil for a detector without proposals.
        var preNMSTopN: Int?
        /// The RPN's top-N per tile after NMS; nil for a detector without proposals.
        var postNMSTopN: Int?

        /// The settings of `configuration`, the top-N only when the detector makes proposals.
        init(_ configuration: DetectorConfiguration, makesProposals: Bool) {
            tileSize = configuration.inferenceTileSize
            tileStride = configuration.inferenceTileStride
            preNMSTopN = makesProposals ? configuration.inferencePreNMSTopN : nil
            postNMSTopN = makesProposals ? configuration.inferencePostNMSTopN : nil
        }

        /// "Inference: 512-px tiles, stride 384; RPN top-N 36864 before NMS, 300 after".
        var summary: String {
            let proposals = zip([preNMSTopN].compactMap { $0 }, [postNMSTopN].compactMap { $0 }).map { "; RPN top-N \($0) before NMS, \($1) after" }
            return "Inference: \(tileSize)-px tiles, stride \(tileStride)" + (proposals.first ?? "")
        }

        /// The summary as a line of eval's printout (indented as pycocotools' lines).
        var text: String { " " + summary }

        enum CodingKeys: String, CodingKey {
            case tileSize = "tile_size", tileStride = "tile_stride", preNMSTopN = "pre_nms_top_n", postNMSTopN = "post_nms_top_n"
        }
    }

    /// The inference settings of the checkpoint evaluated, or nil for a result file.
    var inference: InferenceLine?

    /// Scores detections against ground truth at `maxDetections`, and at maxDets 300.
    init(groundTruth: COCOGroundTruth, detections: [COCODetection], maxDetections: [Int]) {
        report = EvaluationReport(groundTruth: groundTruth, detections: detections, maxDetections: maxDetections)
        let at300: COCOSummary.Metric
        if maxDetections.last == 300, let summary = report.summary {
            at300 = summary.metrics[0]
        } else {
            let evaluator = COCOEvaluator(parameters: COCOEvaluationParameters(maxDetections: [1, 10, 300]))
            at300 = evaluator.evaluate(groundTruth: groundTruth, detections: detections).summary.metrics[0]
        }
        cocoAP300 = at300.value
        cocoAP300Line = at300.line
    }

    /// pycocotools' 12 lines, the maxDets-300 AP line (unless the caps already end at 300),
    /// VOC AP50, then any proposal-recall lines, then the inference line of a checkpoint.
    var text: String {
        var lines = report.text.components(separatedBy: "\n")
        if report.maxDetections.last != 300 { lines.insert(cocoAP300Line, at: min(12, lines.count)) }
        return (lines + proposalRecall.map(\.text) + (inference.map { [$0.text] } ?? [])).joined(separator: "\n")
    }

    enum CodingKeys: String, CodingKey {
        case stats
        case vocAP50 = "ap50_voc"
        case maxDetections = "max_dets"
        case cocoAP300 = "coco_ap_maxdets300"
        case proposalRecall = "proposal_recall"
        case inference
    }

    /// `{"stats": [12], "ap50_voc": x or null, "max_dets": [3], "coco_ap_maxdets300": y}`, and
    /// with `--proposal-recall` `"proposal_recall": [{"per_tile", "boxes", "proposals_per_image", "recall_50",
    /// "recall_70", "ar"}]`; for a checkpoint `"inference": {"tile_size", "tile_stride",
    /// "pre_nms_top_n", "post_nms_top_n"}` (the top-N absent for a single-stage detector).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(report.stats, forKey: .stats)
        try container.encode(report.vocAP50, forKey: .vocAP50)
        try container.encode(report.maxDetections, forKey: .maxDetections)
        try container.encode(cocoAP300, forKey: .cocoAP300)
        if !proposalRecall.isEmpty { try container.encode(proposalRecall, forKey: .proposalRecall) }
        try container.encodeIfPresent(inference, forKey: .inference)
    }

    /// Writes the JSON form atomically (`AtomicFile`; a missing folder is created).
    /// - Throws: `COCOFileError` with kind `.unwritable`, naming the file.
    func write(to url: URL) throws(COCOFileError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try AtomicFile.write(try encoder.encode(self), to: url, creatingFolder: true)
        } catch let error as AtomicWriteError {
            throw COCOFileError(file: url.path, location: "", kind: .unwritable(error.reason))
        } catch {
            throw COCOFileError(file: url.path, location: "", kind: .unwritable(error.localizedDescription))
        }
    }
}
