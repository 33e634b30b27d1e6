/// A precision-recall curve: one point per counted detection, in descending score order, as data
/// for plots and for average precision.
///
/// Point i holds recall and precision after the i+1 highest-scoring counted detections (ignored
/// detections, e.g. on difficult objects, add no point) and the score of that detection, so a
/// plot can also mark operating points by threshold.
public struct PrecisionRecallCurve: Sendable, Equatable {
    /// [P] recall after each point: true positives / counted ground-truth objects, non-decreasing.
    public var recall: [Double]
    /// [P] precision after each point: true positives / (true + false positives), not interpolated.
    public var precision: [Double]
    /// [P] the score of the detection that adds each point, non-increasing.
    public var scores: [Double]

    /// Creates a curve from its three parallel arrays.
    /// - Precondition: The arrays have equal length.
    public init(recall: [Double], precision: [Double], scores: [Double]) {
        precondition(recall.count == precision.count && recall.count == scores.count,
                     "curve arrays differ in length: recall \(recall.count), precision \(precision.count), scores \(scores.count)")
        self.recall = recall
        self.precision = precision
        self.scores = scores
    }

    /// The area under the curve with all-point interpolation (PASCAL VOC 2010 and later).
    ///
    /// The curve is extended with (recall 0, precision 0) and (recall 1, precision 0); precision
    /// is replaced by its running maximum from the right (the monotone envelope), and the area is
    /// the sum of envelope × recall step at every point where recall changes. An empty curve gives 0.
    /// Worked example: points (r, p) = (1/3, 1), (1/3, 1/2), (2/3, 2/3) give an envelope of 1 on
    /// (0, 1/3] and 2/3 on (1/3, 2/3], so the area is 1/3 + 2/9 = 5/9.
    /// Reference: Everingham et al., "The PASCAL VOC Challenge: a retrospective", IJCV 2015, §4.2;
    /// the devkit's `VOCap.m` (`voc_ap(use_07_metric=False)` in py-faster-rcnn).
    public var allPointAveragePrecision: Double {
        let extendedRecall = [0.0] + recall + [1.0]
        var envelope = [0.0] + precision + [0.0]
        for i in stride(from: envelope.count - 1, to: 0, by: -1) {
            envelope[i - 1] = max(envelope[i - 1], envelope[i])
        }
        var area = 0.0
        for i in 0..<(extendedRecall.count - 1) where extendedRecall[i + 1] != extendedRecall[i] {
            area += (extendedRecall[i + 1] - extendedRecall[i]) * envelope[i + 1]
        }
        return area
    }
}
