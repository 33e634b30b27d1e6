/// A ground-truth object for VOC evaluation.
public struct VOCGroundTruth: Sendable, Equatable {
    /// The image holding the object.
    public var imageID: Int
    /// The object's class.
    public var classID: Int
    /// The object's box, in pixels.
    public var box: VOCBox
    /// Whether the object is marked difficult: not counted, and detections on it are ignored.
    public var isDifficult: Bool

    /// Creates a ground-truth object.
    public init(imageID: Int, classID: Int, box: VOCBox, isDifficult: Bool = false) {
        self.imageID = imageID
        self.classID = classID
        self.box = box
        self.isDifficult = isDifficult
    }
}

/// A detection for VOC evaluation.
public struct VOCDetection: Sendable, Equatable {
    /// The image the detection belongs to.
    public var imageID: Int
    /// The predicted class.
    public var classID: Int
    /// The predicted box, in pixels.
    public var box: VOCBox
    /// The confidence; higher ranks first.
    public var score: Double

    /// Creates a detection.
    public init(imageID: Int, classID: Int, box: VOCBox, score: Double) {
        self.imageID = imageID
        self.classID = classID
        self.box = box
        self.score = score
    }
}

/// The VOC result for one class.
public struct VOCClassEvaluation: Sendable, Equatable {
    /// The class.
    public var classID: Int
    /// The number of counted (not difficult) ground-truth objects.
    public var groundTruthCount: Int
    /// All-point average precision in [0, 1]; nil when the class has no counted object.
    public var averagePrecision: Double?
    /// The raw precision-recall points (empty recall when the class has no counted object:
    /// recall is then 0/0 and each point holds recall 0).
    public var curve: PrecisionRecallCurve
    /// [P] the counted detections in rank order (the order of `curve`'s points), each with its
    /// image and whether it matched: the per-image matching records from which `VOCResampling`
    /// recomputes AP for a multiset of images without matching again.
    public var rankedDetections: [VOCRankedDetection]
    /// Counted (not difficult) objects per image id; images without one are absent.
    public var groundTruthCountByImage: [Int: Int]
}

/// One counted detection of a class after matching: its image, score and outcome.
///
/// Whether a detection is a true positive depends only on the detections of its own image and
/// class ranked above it (matching never crosses images), so these records stay valid when the
/// images are resampled.
public struct VOCRankedDetection: Sendable, Equatable {
    /// The image the detection belongs to.
    public var imageID: Int
    /// The confidence it was ranked by.
    public var score: Double
    /// True if it matched a not-yet-matched counted object at IoU ≥ the threshold; false if it
    /// is a false positive (detections ignored on difficult objects have no record).
    public var isTruePositive: Bool

    /// Creates a record.
    public init(imageID: Int, score: Double, isTruePositive: Bool) {
        self.imageID = imageID
        self.score = score
        self.isTruePositive = isTruePositive
    }
}

/// The VOC result over all classes.
public struct VOCEvaluation: Sendable, Equatable {
    /// Per class, ascending by class id: every class with ground truth or detections.
    public var classes: [VOCClassEvaluation]

    /// The mean of the per-class APs over classes with counted ground truth; nil if there is none.
    public var meanAveragePrecision: Double? {
        let values = classes.compactMap(\.averagePrecision)
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Returns the AP of one class, or nil if the class has no counted ground truth or is absent.
    public func averagePrecision(ofClass classID: Int) -> Double? {
        classes.first { $0.classID == classID }?.averagePrecision
    }
}
