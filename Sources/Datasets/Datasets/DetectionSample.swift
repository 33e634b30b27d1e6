import TensorCore

// N objects per image.

/// The ground truth of one image: N boxes and their 1-based class labels.
public struct DetectionTarget: Sendable, Equatable {
    /// `[N]` boxes (x1, y1, x2, y2) in pixels of the image, x1 < x2, y1 < y2, inside the image.
    public var boxes: [BoundingBox]
    /// `[N]` class labels in `1...K` (0 is background and never appears here).
    public var labels: [Int]
    /// `[N]` flags: VOC `difficult` / COCO `iscrowd` objects that evaluation should not count.
    public var isDifficult: [Bool]

    /// Creates a target.
    /// - Precondition: the three arrays have the same length and every label is ≥ 1.
    public init(boxes: [BoundingBox], labels: [Int], isDifficult: [Bool]? = nil) {
        precondition(boxes.count == labels.count,
                     "DetectionTarget: \(boxes.count) boxes but \(labels.count) labels")
        precondition(labels.allSatisfy { $0 >= 1 }, "DetectionTarget: labels must be ≥ 1 (0 is background): \(labels)")
        let flags = isDifficult ?? [Bool](repeating: false, count: boxes.count)
        precondition(flags.count == boxes.count,
                     "DetectionTarget: \(boxes.count) boxes but \(flags.count) difficult flags")
        self.boxes = boxes
        self.labels = labels
        self.isDifficult = flags
    }

    /// A target with no objects.
    public static let empty = DetectionTarget(boxes: [], labels: [])

    /// The number of objects, N.
    public var count: Int { boxes.count }

    /// The boxes as a `[N, 4]` tensor (x1, y1, x2, y2), pixels; shape `[0, 4]` when empty.
    public var boxTensor: Tensor {
        Tensor(shape: [boxes.count, 4], scalars: boxes.flatMap(\.coordinates))
    }

    /// The boxes as a flat `[N * 4]` array (x1, y1, x2, y2 per box), pixels.
    public var flatBoxes: [Float] { boxes.flatMap(\.coordinates) }
}

/// One image and its ground truth: a whole annotated image, a tile of one, or a digits canvas.
public struct DetectionSample: Sendable, Equatable {
    /// A name for reports and errors: the image's base name, with `@x,y` for a tile.
    public var name: String
    /// The pixels, `[H, W, 3]`.
    public var image: RGBImage
    /// The boxes and labels, in this image's pixels.
    public var target: DetectionTarget

    /// Creates a sample.
    public init(name: String, image: RGBImage, target: DetectionTarget) {
        self.name = name
        self.image = image
        self.target = target
    }
}
