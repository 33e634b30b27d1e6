/// One detection in a COCO result file: `{"image_id", "category_id", "bbox": [x, y, w, h], "score"}`.
///
/// A result file is a JSON list of these. As in pycocotools' `loadRes`, a detection's area is
/// `w * h` (an `area` key in the file is ignored) and its order in the list breaks score ties.
/// Reference: the COCO results format, https://cocodataset.org/#format-results
public struct COCODetection: Sendable, Equatable, Codable {
    /// The id of the image the detection belongs to.
    public var imageID: Int
    /// The predicted category id.
    public var categoryID: Int
    /// The predicted box, in pixels.
    public var box: COCOBox
    /// The confidence; higher ranks first. Any finite value.
    public var score: Double

    /// Creates a detection.
    public init(imageID: Int, categoryID: Int, box: COCOBox, score: Double) {
        self.imageID = imageID
        self.categoryID = categoryID
        self.box = box
        self.score = score
    }

    enum CodingKeys: String, CodingKey {
        case score
        case imageID = "image_id"
        case categoryID = "category_id"
        case box = "bbox"
    }

    /// Decodes a detection; the ids must be integers.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        imageID = try container.decodeInteger(forKey: .imageID)
        categoryID = try container.decodeInteger(forKey: .categoryID)
        box = try container.decode(COCOBox.self, forKey: .box)
        score = try container.decode(Double.self, forKey: .score)
    }
}
