/// A range of object areas over which COCO metrics are computed, in square pixels, bounds included.
public struct COCOAreaRange: Sendable, Equatable {
    /// The label pycocotools prints: `all`, `small`, `medium` or `large`.
    public var label: String
    /// The smallest area in the range, in square pixels (included).
    public var lowerBound: Double
    /// The largest area in the range, in square pixels (included).
    public var upperBound: Double

    /// Creates a range from its label and bounds, in square pixels.
    public init(label: String, lowerBound: Double, upperBound: Double) {
        self.label = label
        self.lowerBound = lowerBound
        self.upperBound = upperBound
    }

    /// Whether `area` lies outside the range. Both bounds belong to the range, so an area of
    /// exactly 32² is both small and medium, as in pycocotools.
    public func excludes(_ area: Double) -> Bool { area < lowerBound || area > upperBound }
}

/// The settings of a COCO bounding-box evaluation: pycocotools' `Params` for `iouType='bbox'`
/// with a configurable detection cap.
///
/// Dimensions used across the evaluation: T IoU thresholds, R recall points, K categories,
/// A area ranges, M detection caps, I images.
/// Reference: pycocotools 2.0.11 `cocoeval.Params.setDetParams`.
public struct COCOEvaluationParameters: Sendable, Equatable {
    /// [T = 10] IoU thresholds 0.50, 0.55, …, 0.95, computed as `numpy.linspace` does
    /// (`0.5 + i * (0.45 / 9)`, last exactly 0.95), so the 9th is 0.8999999999999999.
    public let iouThresholds: [Double]
    /// [R = 101] recall points 0.00, 0.01, …, 1.00, computed as `numpy.linspace` (`i * 0.01`).
    public let recallThresholds: [Double]
    /// [A = 4] area ranges: all [0, 1e5²], small [0, 32²], medium [32², 96²], large [96², 1e5²].
    public let areaRanges: [COCOAreaRange]
    /// [M = 3] caps on detections per image and category, ascending; default [1, 10, 100].
    /// Detections beyond the largest cap (by score) are dropped before matching.
    public let maxDetections: [Int]

    /// Creates the standard COCO bbox settings with the given detection caps.
    /// - Parameter maxDetections: Three ascending positive caps per image and category, e.g.
    ///   [1, 10, 100] (COCO) or [1, 10, 300] for images with more than 100 objects.
    /// - Precondition: `maxDetections` holds three positive, ascending values (the summary reads
    ///   the first, second and third).
    public init(maxDetections: [Int] = [1, 10, 100]) {
        precondition(
            maxDetections.count == 3 && maxDetections.allSatisfy { $0 > 0 } && maxDetections == maxDetections.sorted(),
            "maxDetections must hold 3 positive ascending caps, got \(maxDetections)")
        self.maxDetections = maxDetections
        let step = (0.95 - 0.5) / 9
        iouThresholds = (0..<10).map { $0 == 9 ? 0.95 : Double($0) * step + 0.5 }
        recallThresholds = (0...100).map { Double($0) * (1.0 / 100) }
        areaRanges = [
            COCOAreaRange(label: "all", lowerBound: 0, upperBound: 1e5 * 1e5),
            COCOAreaRange(label: "small", lowerBound: 0, upperBound: 32 * 32),
            COCOAreaRange(label: "medium", lowerBound: 32 * 32, upperBound: 96 * 96),
            COCOAreaRange(label: "large", lowerBound: 96 * 96, upperBound: 1e5 * 1e5),
        ]
    }
}
