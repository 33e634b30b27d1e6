/// COCO ground truth for bounding-box evaluation: the `images`, `annotations` and `categories`
/// lists of a COCO instances file.
///
/// Keys follow the COCO format (`image_id`, `category_id`, `bbox` as `[x, y, w, h]`, `area`,
/// `iscrowd`); unknown keys (`segmentation`, `info`, `licenses`, …) are skipped. Decoding checks
/// only the JSON form; `COCOGroundTruth.load(contentsOf:)` also checks the values.
/// Reference: the COCO data format, https://cocodataset.org/#format-data
public struct COCOGroundTruth: Sendable, Equatable, Codable {
    /// An image entry; only `id` takes part in evaluation.
    public struct Image: Sendable, Equatable, Codable {
        /// The image id that annotations and detections refer to.
        public var id: Int
        /// The image width in pixels, if given.
        public var width: Int?
        /// The image height in pixels, if given.
        public var height: Int?
        /// The image file name, if given.
        public var fileName: String?

        /// Creates an image entry.
        public init(id: Int, width: Int? = nil, height: Int? = nil, fileName: String? = nil) {
            self.id = id
            self.width = width
            self.height = height
            self.fileName = fileName
        }

        enum CodingKeys: String, CodingKey {
            case id, width, height
            case fileName = "file_name"
        }

        /// Decodes an image entry; `id` is required and must be an integer.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeInteger(forKey: .id)
            width = try container.decodeIntegerIfPresent(forKey: .width)
            height = try container.decodeIntegerIfPresent(forKey: .height)
            fileName = try container.decodeIfPresent(String.self, forKey: .fileName)
        }
    }

    /// A ground-truth object.
    public struct Annotation: Sendable, Equatable, Codable {
        /// The annotation id (pycocotools treats a match to id 0 as no match; use ids from 1).
        public var id: Int
        /// The id of the image holding the object.
        public var imageID: Int
        /// The id of the object's category.
        public var categoryID: Int
        /// The object's box, in pixels; its IoU with detections uses `box.area`.
        public var box: COCOBox
        /// The object's area in square pixels (the mask area in COCO files), which decides its
        /// small/medium/large range; it need not equal `box.area`.
        public var area: Double
        /// Whether the object is a crowd region: never counted, and absorbs detections inside it.
        public var isCrowd: Bool

        /// Creates an annotation; `area` defaults to the box area.
        public init(id: Int, imageID: Int, categoryID: Int, box: COCOBox, area: Double? = nil, isCrowd: Bool = false) {
            self.id = id
            self.imageID = imageID
            self.categoryID = categoryID
            self.box = box
            self.area = area ?? box.area
            self.isCrowd = isCrowd
        }

        enum CodingKeys: String, CodingKey {
            case id, area, iscrowd
            case imageID = "image_id"
            case categoryID = "category_id"
            case box = "bbox"
        }

        /// Decodes an annotation; `iscrowd` may be absent (0), an integer or a boolean.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeInteger(forKey: .id)
            imageID = try container.decodeInteger(forKey: .imageID)
            categoryID = try container.decodeInteger(forKey: .categoryID)
            box = try container.decode(COCOBox.self, forKey: .box)
            area = try container.decode(Double.self, forKey: .area)
            if let flag = try? container.decodeIfPresent(Bool.self, forKey: .iscrowd) {
                isCrowd = flag
            } else {
                isCrowd = try (container.decodeIntegerIfPresent(forKey: .iscrowd) ?? 0) != 0
            }
        }

        /// Encodes an annotation with `iscrowd` as 0 or 1.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(imageID, forKey: .imageID)
            try container.encode(categoryID, forKey: .categoryID)
            try container.encode(box, forKey: .box)
            try container.encode(area, forKey: .area)
            try container.encode(isCrowd ? 1 : 0, forKey: .iscrowd)
        }
    }

    /// An object category.
    public struct Category: Sendable, Equatable, Codable {
        /// The category id that annotations and detections refer to.
        public var id: Int
        /// The category name, if given.
        public var name: String?

        /// Creates a category.
        public init(id: Int, name: String? = nil) {
            self.id = id
            self.name = name
        }

        enum CodingKeys: String, CodingKey { case id, name }

        /// Decodes a category; `id` is required and must be an integer.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeInteger(forKey: .id)
            name = try container.decodeIfPresent(String.self, forKey: .name)
        }
    }

    /// The images evaluated, including images without objects.
    public var images: [Image]
    /// The ground-truth objects, in file order (which decides ties, as in pycocotools).
    public var annotations: [Annotation]
    /// The categories evaluated, including categories without objects.
    public var categories: [Category]

    /// Creates ground truth from its three lists.
    public init(images: [Image], annotations: [Annotation], categories: [Category]) {
        self.images = images
        self.annotations = annotations
        self.categories = categories
    }
}

// MARK: - Integer decoding with located errors

extension KeyedDecodingContainer {
    /// Decodes an integer, reporting a non-integral number (`1.5`) with its coding path, which
    /// Foundation's decoder reports only as "not valid JSON".
    func decodeInteger(forKey key: Key) throws -> Int {
        if let value = try? decode(Int.self, forKey: key) { return value }
        let number = try decode(Double.self, forKey: key)  // throws the located missing-key or type error
        throw DecodingError.dataCorruptedError(
            forKey: key, in: self, debugDescription: "expected an integer, found \(number)")
    }

    /// Decodes an optional integer (absent or null gives nil), reporting non-integral numbers.
    func decodeIntegerIfPresent(forKey key: Key) throws -> Int? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeInteger(forKey: key)
    }
}
