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
