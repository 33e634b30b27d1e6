/// Where in an annotation file a problem sits.
public enum AnnotationLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file as a whole.
    case file
    /// A 1-based line (CSV rows count the header as line 1; XML syntax errors).
    case line(Int)
    /// A Pascal VOC `<object>`, 0-based in file order.
    case object(Int)
    /// A COCO `annotations` entry: 0-based position in the array and its `id` field.
    case annotation(index: Int, id: Int?)
    /// A COCO `images` entry: 0-based position in the array and its `id` field.
    case image(index: Int, id: Int)
    /// A JSON coding path such as `annotations[3].bbox` (a COCO file that does not decode).
    case jsonPath(String)

    /// A human-readable location, e.g. `object 3` or `line 17`.
    public var description: String {
        switch self {
        case .file: "file"
        case let .line(line): "line \(line)"
        case let .object(index): "object \(index)"
        case let .annotation(index, id): "annotations[\(index)]" + (id.map { " (id \($0))" } ?? "")
        case let .image(index, id): "images[\(index)] (id \(id))"
        case let .jsonPath(path): path
        }
    }
}

/// A recoverable problem in an annotation file or the images it names; every case names the file.
public enum AnnotationError: Error, Equatable, CustomStringConvertible {
    /// The annotation file could not be read.
    case unreadable(file: String, reason: String)
    /// The file's syntax or structure is wrong (bad XML/JSON/CSV, missing field, not a number).
    case malformed(file: String, at: AnnotationLocation, reason: String)
    /// A box has a non-finite or negative coordinate, `x2 ≤ x1` or `y2 ≤ y1`, or lies entirely
    /// outside its image.
    case invalidBox(file: String, at: AnnotationLocation, reason: String)
    /// A label name (or COCO category id) that the label map does not know.
    case unknownLabel(file: String, at: AnnotationLocation, label: String)
    /// The image an annotation refers to does not exist; `image` is the path looked for.
    case missingImage(file: String, image: String)
    /// The image exists but does not decode.
    case unreadableImage(file: String, error: ImageCodecError)
    /// The size written in the annotation differs from the decoded image's size.
    case imageSizeMismatch(file: String, image: String, declared: PixelSize, actual: PixelSize)

    /// A one-line message naming the file and, where known, the object or line.
    public var description: String {
        switch self {
        case let .unreadable(file, reason): "cannot read annotations '\(file)': \(reason)"
        case let .malformed(file, at, reason): "\(file): \(at): \(reason)"
        case let .invalidBox(file, at, reason): "\(file): \(at): invalid box: \(reason)"
        case let .unknownLabel(file, at, label): "\(file): \(at): unknown label '\(label)'"
        case let .missingImage(file, image): "\(file): image '\(image)' not found"
        case let .unreadableImage(file, error): "\(file): \(error)"
        case let .imageSizeMismatch(file, image, declared, actual):
            "\(file): '\(image)' is \(actual) but the annotation says \(declared)"
        }
    }
}
