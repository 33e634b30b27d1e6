// What a dataset holds, in the numbers a detection practitioner checks first: how many images
// and objects, how they spread over images and classes, and how large the boxes are.
// Legend: N images, M boxes over all images, K classes; sizes in image pixels.

/// The statistics of a set of detection samples: counts per image and class, box widths,
/// heights and aspect ratios as quantiles, and COCO's size classes.
///
/// Aspect ratio is height / width (the anchors' convention, torchvision's `aspect_ratios`).
/// COCO's size classes by box area: small < 32², medium < 96², large ≥ 96² (pycocotools'
/// `areaRng`; here the box area, not a segmentation area).
public struct DatasetStatistics: Sendable, Hashable {
    /// N, the number of images (training tiles for a tiled dataset).
    public var imageCount: Int
    /// M, the number of boxes.
    public var objectCount: Int
    /// Images without any box.
    public var emptyImageCount: Int
    /// Boxes per image.
    public var objectsPerImage: Quantiles
    /// Boxes per class, in `classNames` order (label i counts at index i − 1).
    public var classCounts: [Int]
    /// The class names, label i is `classNames[i − 1]`.
    public var classNames: [String]
    /// Box widths, pixels.
    public var widths: Quantiles
    /// Box heights, pixels.
    public var heights: Quantiles
    /// Box aspect ratios h/w.
    public var aspectRatios: Quantiles
    /// Boxes with area < 32² px².
    public var smallCount: Int
    /// Boxes with 32² ≤ area < 96² px².
    public var mediumCount: Int
    /// Boxes with area ≥ 96² px².
    public var largeCount: Int

    /// Computes the statistics of `samples`.
    /// - Parameters:
    ///   - samples: the images and their boxes.
    ///   - classNames: K names; a label outside 1...K is not counted in ``classCounts``.
    public init(samples: [DetectionSample], classNames: [String]) {
        imageCount = samples.count
        self.classNames = classNames
        let boxes = samples.flatMap(\.target.boxes)
        objectCount = boxes.count
        emptyImageCount = samples.filter { $0.target.boxes.isEmpty }.count
        objectsPerImage = Quantiles(samples.map { Double($0.target.boxes.count) })
        var counts = [Int](repeating: 0, count: classNames.count)
        for label in samples.flatMap(\.target.labels) where (1...max(classNames.count, 1)).contains(label) && !classNames.isEmpty {
            counts[label - 1] += 1
        }
        classCounts = counts
        widths = Quantiles(boxes.map { Double($0.width) })
        heights = Quantiles(boxes.map { Double($0.height) })
        aspectRatios = Quantiles(boxes.filter { $0.width > 0 }.map { Double($0.height / $0.width) })
        let areas = boxes.map(\.area)
        smallCount = areas.filter { $0 < 32 * 32 }.count
        mediumCount = areas.filter { $0 >= 32 * 32 && $0 < 96 * 96 }.count
        largeCount = areas.filter { $0 >= 96 * 96 }.count
    }
}
