import Foundation

/// The 12 standard COCO bounding-box numbers, labelled as pycocotools' `summarize()` prints them.
///
/// Order: AP@[.50:.95], AP50, AP75, AP small, AP medium, AP large, AR@cap₁, AR@cap₂, AR@cap₃,
/// AR small, AR medium, AR large; the AP numbers and the area-range ARs use the largest cap.
/// One departure from pycocotools: the first number uses the largest cap rather than a
/// hard-coded 100, so that caps [1, 10, 300] give AP@[.50:.95] at 300 instead of -1 (the fix of
/// detectron2's `COCOevalMaxDets`); with the default caps the numbers are identical.
/// Reference: pycocotools 2.0.11 `COCOeval.summarize` (`_summarizeDets`).
public struct COCOSummary: Sendable, Equatable, CustomStringConvertible {
    /// One of the 12 numbers with what it averages over.
    public struct Metric: Sendable, Equatable {
        /// true for average precision (AP), false for average recall (AR).
        public var isAveragePrecision: Bool
        /// The single IoU threshold, or nil for the mean over 0.50:0.95.
        public var iouThreshold: Double?
        /// The area range label: `all`, `small`, `medium` or `large`.
        public var areaLabel: String
        /// The detection cap per image and category.
        public var maxDetections: Int
        /// The value in [0, 1], or -1 when no category has counted objects in the range.
        public var value: Double

        /// The line pycocotools prints, e.g.
        /// ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.144`.
        public var line: String {
            // The format of pycocotools: ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'.
            let title = isAveragePrecision ? "Average Precision" : "Average Recall"
            let kind = isAveragePrecision ? "(AP)" : "(AR)"
            let iou = iouThreshold.map { String(format: "%0.2f", $0) } ?? "0.50:0.95"
            return " " + title.padding(toLength: max(18, title.count), withPad: " ", startingAt: 0)
                + " \(kind) @[ IoU=" + iou.padding(toLength: max(9, iou.count), withPad: " ", startingAt: 0)
                + " | area=" + String(repeating: " ", count: max(0, 6 - areaLabel.count)) + areaLabel
                + " | maxDets=" + String(repeating: " ", count: max(0, 3 - "\(maxDetections)".count)) + "\(maxDetections)"
                + " ] = " + String(format: "%0.3f", value)
        }
    }

    /// [12] the numbers in pycocotools' order.
    public let metrics: [Metric]

    /// Computes the 12 numbers of an evaluation.
    public init(_ evaluation: COCOEvaluation) {
        let caps = evaluation.parameters.maxDetections
        let largest = caps[2]
        let layout: [(Bool, Double?, String, Int)] = [
            (true, nil, "all", largest), (true, 0.5, "all", largest), (true, 0.75, "all", largest),
            (true, nil, "small", largest), (true, nil, "medium", largest), (true, nil, "large", largest),
            (false, nil, "all", caps[0]), (false, nil, "all", caps[1]), (false, nil, "all", largest),
            (false, nil, "small", largest), (false, nil, "medium", largest), (false, nil, "large", largest),
        ]
        metrics = layout.map { isAP, iou, area, cap in
            Metric(isAveragePrecision: isAP, iouThreshold: iou, areaLabel: area, maxDetections: cap,
                   value: evaluation.mean(averagePrecision: isAP, iouThreshold: iou, areaLabel: area, maxDetections: cap))
        }
    }

    /// [12] the values in pycocotools' `stats` order.
    public var stats: [Double] { metrics.map(\.value) }

    /// The 12 lines pycocotools prints, joined by newlines.
    public var description: String { metrics.map(\.line).joined(separator: "\n") }
}
