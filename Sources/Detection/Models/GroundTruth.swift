// Legend: M ground-truth objects, D detections; boxes [·, 4] as (x1, y1, x2, y2) in
// input-image pixels.
import TensorCore

/// The annotated objects of one image: boxes and their classes.
public struct GroundTruth: Sendable, Equatable {
    /// [M, 4] boxes, pixels; boxes with a non-positive side are ignored by training.
    public var boxes: Tensor
    /// [M] classes in 1...K (0 is reserved for background).
    public var labels: [Int]

    /// Creates the ground truth of one image.
    /// - Precondition: `boxes` is [M, 4] and `labels` has M entries, each ≥ 1.
    public init(boxes: Tensor, labels: [Int]) {
        precondition(boxes.rank == 2 && boxes.shape[1] == 4 && labels.count == boxes.shape[0],
                     "GroundTruth: boxes \(boxes.shape) must be [M, 4] with M = \(labels.count) labels")
        precondition(labels.allSatisfy { $0 >= 1 }, "GroundTruth: labels \(labels) must be ≥ 1 (0 is background)")
        self.boxes = boxes
        self.labels = labels
    }

    /// An image without objects.
    public static let empty = GroundTruth(boxes: Tensor(shape: [0, 4], scalars: []), labels: [])
}

/// The detections of one image, by decreasing score.
public struct Detections: Sendable, Equatable {
    /// [D, 4] boxes, pixels, inside the image.
    public var boxes: Tensor
    /// [D] classes in 1...K.
    public var labels: [Int]
    /// [D] class probabilities in (0.05, 1].
    public var scores: [Float]

    /// Creates a detection set.
    /// - Precondition: D boxes, labels and scores.
    public init(boxes: Tensor, labels: [Int], scores: [Float]) {
        precondition(boxes.rank == 2 && boxes.shape[1] == 4 && labels.count == boxes.shape[0] && scores.count == labels.count,
                     "Detections: boxes \(boxes.shape), \(labels.count) labels, \(scores.count) scores")
        self.boxes = boxes
        self.labels = labels
        self.scores = scores
    }

    /// No detections.
    public static let empty = Detections(boxes: Tensor(shape: [0, 4], scalars: []), labels: [], scores: [])

    /// The number of detections D.
    public var count: Int { labels.count }
}
