import Foundation

/// One annotated object as read from a file, before labels are mapped to class indices.
public struct ObjectAnnotation: Sendable, Equatable {
    /// The box as written (no −1 shift), checked finite, non-negative and non-empty.
    public var box: BoundingBox
    /// The class name: VOC `<name>`, COCO category name, CSV `label`.
    public var name: String
    /// VOC `<difficult>1` or COCO `iscrowd: 1`: an object evaluation should not count.
    public var isDifficult: Bool
    /// COCO's `area` field (segment area, in square pixels) when present; `nil` otherwise.
    public var area: Float?
    /// Where the object sits in its file, for error messages.
    public var location: AnnotationLocation

    /// Creates an object annotation.
    public init(box: BoundingBox, name: String, isDifficult: Bool = false, area: Float? = nil,
                location: AnnotationLocation) {
        self.box = box
        self.name = name
        self.isDifficult = isDifficult
        self.area = area
        self.location = location
    }
}

/// The annotations of one image, as read from a VOC, COCO or CSV file.
public struct ImageAnnotation: Sendable, Equatable {
    /// The annotation file this came from (named in errors).
    public var annotationFile: String
    /// Where the image file is expected.
    public var imageURL: URL
    /// The image size the annotation declares (VOC `<size>`, COCO `width`/`height`), if any.
    public var declaredSize: PixelSize?
    /// The objects in file order; may be empty (images without objects are kept).
    public var objects: [ObjectAnnotation]

    /// Creates the annotations of one image.
    public init(annotationFile: String, imageURL: URL, declaredSize: PixelSize? = nil,
                objects: [ObjectAnnotation]) {
        self.annotationFile = annotationFile
        self.imageURL = imageURL
        self.declaredSize = declaredSize
        self.objects = objects
    }
}

/// The checks every reader applies to a box before it becomes a `BoundingBox`.
enum BoxValidation {
    /// Returns the box if its coordinates are finite, non-negative, `x2 > x1` and `y2 > y1`.
    /// - Throws: `AnnotationError.invalidBox` naming the file and location.
    static func validated(x1: Double, y1: Double, x2: Double, y2: Double,
                          file: String, at location: AnnotationLocation) throws(AnnotationError) -> BoundingBox {
        let values = [x1, y1, x2, y2]
        let text = "[\(values.map { "\($0)" }.joined(separator: ", "))]"
        guard values.allSatisfy(\.isFinite) else {
            throw .invalidBox(file: file, at: location, reason: "non-finite coordinate in \(text)")
        }
        guard values.allSatisfy({ $0 >= 0 }) else {
            throw .invalidBox(file: file, at: location, reason: "negative coordinate in \(text)")
        }
        guard x2 > x1 else { throw .invalidBox(file: file, at: location, reason: "x2 ≤ x1 in \(text)") }
        guard y2 > y1 else { throw .invalidBox(file: file, at: location, reason: "y2 ≤ y1 in \(text)") }
        return BoundingBox(x1: Float(x1), y1: Float(y1), x2: Float(x2), y2: Float(y2))
    }

    /// Clips a validated box to an image.
    /// - Returns: the clipped box and whether clipping changed it.
    /// - Throws: `AnnotationError.invalidBox` when nothing of the box lies inside the image.
    static func clipped(_ box: BoundingBox, to size: PixelSize, file: String,
                        at location: AnnotationLocation) throws(AnnotationError) -> (box: BoundingBox, wasClipped: Bool) {
        let image = BoundingBox(x1: 0, y1: 0, x2: Float(size.width), y2: Float(size.height))
        guard let inside = box.intersection(image) else {
            throw .invalidBox(file: file, at: location, reason: "\(box) lies outside the \(size) image")
        }
        return (inside, inside != box)
    }
}

/// Parses a number written in an annotation file (surrounding white space allowed).
func parseNumber(_ text: String) -> Double? {
    Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
}
