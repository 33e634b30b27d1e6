// T IoU thresholds, R recall points, K categories, A area ranges, M detection caps.

/// The result of a COCO bounding-box evaluation: pycocotools' `COCOeval.eval` arrays.
///
/// Entries are -1 for a category without counted ground truth in an area range (no object, or
/// only crowd objects); such entries are left out of every mean, as in pycocotools.
public struct COCOEvaluation: Sendable, Equatable {
    /// The settings used.
    public let parameters: COCOEvaluationParameters
    /// [I] the evaluated image ids, ascending.
    public let imageIDs: [Int]
    /// [K] the evaluated category ids, ascending.
    public let categoryIDs: [Int]
    /// [T, R, K, A, M] row-major interpolated precision at each IoU threshold, recall point,
    /// category, area range and detection cap; -1 where the category has no counted object.
    public let precision: [Double]
    /// [T, K, A, M] row-major recall reached with all kept detections; -1 as for `precision`.
    public let recall: [Double]

    /// Creates a result from its arrays (as produced by `COCOEvaluator`).
    /// - Precondition: The array sizes match the parameters and category count.
    public init(parameters: COCOEvaluationParameters, imageIDs: [Int], categoryIDs: [Int],
                precision: [Double], recall: [Double]) {
        let perThreshold = categoryIDs.count * parameters.areaRanges.count * parameters.maxDetections.count
        precondition(precision.count == parameters.iouThresholds.count * parameters.recallThresholds.count * perThreshold
                     && recall.count == parameters.iouThresholds.count * perThreshold,
                     "precision \(precision.count) / recall \(recall.count) do not match T, R, K, A, M")
        self.parameters = parameters
        self.imageIDs = imageIDs
        self.categoryIDs = categoryIDs
        self.precision = precision
        self.recall = recall
    }

    /// Returns one precision entry. Indices, not values: `iou` 0 is 0.50, `recallPoint` 0 is 0.00.
    /// - Precondition: Every index is in range.
    public func precision(iou: Int, recallPoint: Int, category: Int, area: Int, cap: Int) -> Double {
        let p = parameters
        precondition(iou < p.iouThresholds.count && recallPoint < p.recallThresholds.count
                     && category < categoryIDs.count && area < p.areaRanges.count && cap < p.maxDetections.count,
                     "precision index out of range")
        let row = (iou * p.recallThresholds.count + recallPoint) * categoryIDs.count + category
        return precision[(row * p.areaRanges.count + area) * p.maxDetections.count + cap]
    }

    /// Returns one recall entry, by indices as `precision(iou:recallPoint:category:area:cap:)`.
    /// - Precondition: Every index is in range.
    public func recall(iou: Int, category: Int, area: Int, cap: Int) -> Double {
        let p = parameters
        precondition(iou < p.iouThresholds.count && category < categoryIDs.count
                     && area < p.areaRanges.count && cap < p.maxDetections.count, "recall index out of range")
        return recall[((iou * categoryIDs.count + category) * p.areaRanges.count + area) * p.maxDetections.count + cap]
    }

    /// Returns the mean of the entries selected by IoU threshold (nil: all), area label and cap,
    /// over entries above -1, or -1 when none is: pycocotools' `_summarize`.
    /// - Parameters:
    ///   - averagePrecision: true for precision (AP), false for recall (AR).
    ///   - iouThreshold: A threshold value that must equal one of `parameters.iouThresholds`, or nil.
    ///   - areaLabel: `all`, `small`, `medium` or `large`.
    ///   - maxDetections: A cap that must equal one of `parameters.maxDetections`.
    public func mean(averagePrecision: Bool, iouThreshold: Double?, areaLabel: String, maxDetections: Int) -> Double {
        let p = parameters
        // A value not in the lists selects nothing and gives -1, as numpy's empty selection does.
        let thresholds = p.iouThresholds.indices.filter { iouThreshold == nil || p.iouThresholds[$0] == iouThreshold }
        let areas = p.areaRanges.indices.filter { p.areaRanges[$0].label == areaLabel }
        let caps = p.maxDetections.indices.filter { p.maxDetections[$0] == maxDetections }
        var sum = 0.0, count = 0
        func add(_ value: Double) {
            if value > -1 { sum += value; count += 1 }
        }
        for t in thresholds {
            for k in categoryIDs.indices {
                for a in areas {
                    for m in caps {
                        if averagePrecision {
                            for r in p.recallThresholds.indices {
                                add(precision(iou: t, recallPoint: r, category: k, area: a, cap: m))
                            }
                        } else {
                            add(recall(iou: t, category: k, area: a, cap: m))
                        }
                    }
                }
            }
        }
        return count == 0 ? -1 : sum / Double(count)
    }

    /// The 12 standard numbers and their pycocotools labels.
    public var summary: COCOSummary { COCOSummary(self) }
}
