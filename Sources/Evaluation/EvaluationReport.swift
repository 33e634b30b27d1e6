import Foundation

/// The numbers `quarry eval` reports for one detection run: the 12 COCO bbox numbers and the
/// VOC AP at IoU 0.5, as printed text and as JSON `{"stats": [12], "ap50_voc": x, "max_dets": [3]}`.
public struct EvaluationReport: Sendable, Codable {
    /// [12] the COCO numbers in pycocotools' `stats` order (see `COCOSummary`).
    public var stats: [Double]
    /// The VOC mean AP at IoU 0.5 (all-point, crowd objects as difficult) over categories with
    /// counted objects; nil when no category has one (written as JSON null).
    public var vocAP50: Double?
    /// [3] the detection caps the COCO numbers used, e.g. [1, 10, 100].
    public var maxDetections: [Int]
    /// The COCO summary behind `stats`, with its pycocotools labels (not encoded).
    public var summary: COCOSummary?
    /// The VOC result behind `vocAP50`, with per-class APs and curves (not encoded).
    public var voc: VOCEvaluation?

    enum CodingKeys: String, CodingKey {
        case stats
        case vocAP50 = "ap50_voc"
        case maxDetections = "max_dets"
    }

    /// Evaluates detections against ground truth with both metrics.
    /// - Parameters:
    ///   - groundTruth: COCO ground truth.
    ///   - detections: COCO detections in file order.
    ///   - maxDetections: The three COCO caps, ascending (default [1, 10, 100]).
    /// - Precondition: `maxDetections` holds three positive ascending caps; boxes and scores are
    ///   finite (file loading checks this).
    public init(groundTruth: COCOGroundTruth, detections: [COCODetection], maxDetections: [Int] = [1, 10, 100]) {
        let parameters = COCOEvaluationParameters(maxDetections: maxDetections)
        let summary = COCOEvaluator(parameters: parameters).evaluate(groundTruth: groundTruth, detections: detections).summary
        let voc = VOCEvaluator().evaluate(groundTruth: groundTruth, detections: detections)
        self.stats = summary.stats
        self.vocAP50 = voc.meanAveragePrecision
        self.maxDetections = maxDetections
        self.summary = summary
        self.voc = voc
    }

    /// Decodes the JSON form; `summary` and `voc` are nil.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        stats = try container.decode([Double].self, forKey: .stats)
        vocAP50 = try container.decodeIfPresent(Double.self, forKey: .vocAP50)
        maxDetections = try container.decode([Int].self, forKey: .maxDetections)
    }

    /// Encodes the JSON form, with `ap50_voc` null rather than absent when there is no value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stats, forKey: .stats)
        try container.encode(vocAP50, forKey: .vocAP50)
        try container.encode(maxDetections, forKey: .maxDetections)
    }

    /// The printed report: pycocotools' 12 lines, then VOC AP50 (and per class when several).
    public var text: String {
        var lines = summary.map { $0.metrics.map(\.line) } ?? stats.map { String(format: "%0.3f", $0) }
        let classes = voc?.classes.filter { $0.averagePrecision != nil } ?? []
        let mean = vocAP50.map { String(format: "%0.3f", $0) } ?? "n/a (no ground-truth objects)"
        lines.append(" VOC AP50 (all-point, IoU>=0.50, mean of \(classes.count) \(classes.count == 1 ? "class" : "classes")) = \(mean)")
        if classes.count > 1 {
            for entry in classes {
                lines.append("   class \(entry.classID): AP50 = \(String(format: "%0.3f", entry.averagePrecision ?? 0))"
                             + " (\(entry.groundTruthCount) objects)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Writes the JSON form atomically (`AtomicFile`: temporary file, fsync, rename).
    /// - Throws: `COCOFileError` with kind `.unwritable` and the system's message.
    public func write(to url: URL) throws(COCOFileError) {
        try COCOGroundTruth.encodeFile(self, to: url, formatting: [.prettyPrinted, .sortedKeys])
    }
}
