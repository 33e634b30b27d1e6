import Foundation

/// Reads COCO detection JSON (`images`, `annotations`, `categories`).
///
/// Per annotation: `bbox` `[x, y, w, h]` in pixels becomes `(x, y, x + w, y + h)`; `iscrowd`
/// (0 when absent) becomes `isDifficult`; `area` is kept when present; the category's `name`
/// becomes the object name. `segmentation` and other fields are ignored. Images are returned in
/// the order of `images`; an image without annotations is kept with no objects. Image files are
/// `file_name` resolved against `imageFolder` (default: the JSON file's folder).
public enum COCOReader {
    /// The result of reading a COCO file: per-image annotations and the categories by id order.
    public struct Contents: Sendable, Equatable {
        /// One entry per element of `images`.
        public var images: [ImageAnnotation]
        /// The category names sorted by category id, suitable for `LabelMap(classNames:)`.
        public var categoryNames: [String]
    }

    /// Parses one COCO JSON file.
    /// - Parameters:
    ///   - url: the JSON file.
    ///   - imageFolder: the folder `file_name` is relative to; the JSON's folder when `nil`.
    /// - Throws: `AnnotationError` naming the file: `.unreadable`; `.malformed` at a JSON path
    ///   (invalid JSON, missing field, wrong type, a fraction where an integer belongs, a
    ///   duplicate category id or name), at an annotation (bbox without 4 numbers, unknown
    ///   `image_id`), or at an image (duplicate id); `.unknownLabel` for a `category_id`
    ///   not in `categories`; `.invalidBox` at an annotation (w ≤ 0, h ≤ 0, negative, non-finite).
    public static func read(_ url: URL, imageFolder: URL? = nil) throws(AnnotationError) -> Contents {
        let bytes: Foundation.Data
        do {
            bytes = try Foundation.Data(contentsOf: url)
        } catch {
            throw .unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try parse(bytes, url: url, imageFolder: imageFolder)
    }

    /// Parses the bytes of a COCO JSON file already in memory (as `read(_:imageFolder:)` does
    /// after reading).
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - url: where the file is (or would be): named in errors, and `file_name` is relative to
    ///     its folder unless `imageFolder` is given; it is not read.
    ///   - imageFolder: the folder `file_name` is relative to; `url`'s folder when `nil`.
    /// - Throws: `AnnotationError` naming `url`'s path, as `read(_:imageFolder:)` (all but `.unreadable`).
    public static func parse(_ bytes: Foundation.Data, url: URL, imageFolder: URL? = nil) throws(AnnotationError) -> Contents {
        let file = url.path
        let document: COCODocument
        do {
            document = try JSONDecoder().decode(COCODocument.self, from: bytes)
        } catch let error as DecodingError {
            throw describe(error, file: file)
        } catch {
            throw .malformed(file: file, at: .file, reason: "\(error)")
        }

        // Labels are keyed by name (`LabelMap`), so ids and names must both be unique.
        var categories: [Int: String] = [:]
        var idsByName: [String: Int] = [:]
        for (index, category) in document.categories.enumerated() {
            guard categories[category.id] == nil else {
                throw .malformed(file: file, at: .jsonPath("categories[\(index)].id"), reason: "duplicate category id \(category.id)")
            }
            if let other = idsByName[category.name] {
                throw .malformed(file: file, at: .jsonPath("categories[\(index)].name"),
                                 reason: "duplicate category name '\(category.name)' (ids \(other) and \(category.id))")
            }
            categories[category.id] = category.name
            idsByName[category.name] = category.id
        }
        var slots: [Int: Int] = [:]  // image id → position in `images`
        let folder = imageFolder ?? url.deletingLastPathComponent()
        var images: [ImageAnnotation] = []
        for (index, image) in document.images.enumerated() {
            guard slots[image.id] == nil else {
                throw .malformed(file: file, at: .image(index: index, id: image.id), reason: "duplicate image id")
            }
            slots[image.id] = index
            let size = image.width.flatMap { w in image.height.map { h in PixelSize(width: w, height: h) } }
            images.append(ImageAnnotation(annotationFile: file,
                                          imageURL: folder.appendingPathComponent(image.fileName),
                                          declaredSize: size.flatMap { $0.width > 0 && $0.height > 0 ? $0 : nil },
                                          objects: []))
        }
        for (index, annotation) in document.annotations.enumerated() {
            let location = AnnotationLocation.annotation(index: index, id: annotation.id)
            guard let slot = slots[annotation.imageID] else {
                throw .malformed(file: file, at: location, reason: "image_id \(annotation.imageID) not in images")
            }
            guard let name = categories[annotation.categoryID] else {
                throw .unknownLabel(file: file, at: location, label: "category_id \(annotation.categoryID)")
            }
            guard annotation.bbox.count == 4 else {
                throw .malformed(file: file, at: location, reason: "bbox has \(annotation.bbox.count) numbers, not 4")
            }
            let (x, y, w, h) = (annotation.bbox[0], annotation.bbox[1], annotation.bbox[2], annotation.bbox[3])
            let box = try BoxValidation.validated(x1: x, y1: y, x2: x + w, y2: y + h, file: file, at: location)
            images[slot].objects.append(ObjectAnnotation(box: box, name: name,
                                                         isDifficult: (annotation.isCrowd ?? 0) != 0,
                                                         area: annotation.area.map(Float.init),
                                                         location: location))
        }
        let names = document.categories.sorted { $0.id < $1.id }.map(\.name)
        return Contents(images: images, categoryNames: names)
    }

    /// Turns a `DecodingError` into a `.malformed` error at its JSON path.
    private static func describe(_ error: DecodingError, file: String) -> AnnotationError {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "(root)" : text
        }
        switch error {
        case let .dataCorrupted(context) where context.codingPath.isEmpty:
            return .malformed(file: file, at: .file, reason: "invalid JSON: \(context.debugDescription)")
        case let .dataCorrupted(context):
            // Valid JSON with a value of the wrong form (a fraction where an integer belongs).
            return .malformed(file: file, at: .jsonPath(path(context.codingPath)), reason: context.debugDescription)
        case let .keyNotFound(key, context):
            return .malformed(file: file, at: .jsonPath(path(context.codingPath + [key])), reason: "missing field")
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return .malformed(file: file, at: .jsonPath(path(context.codingPath)), reason: context.debugDescription)
        @unknown default:
            return .malformed(file: file, at: .file, reason: "\(error)")
        }
    }
}

// MARK: - The JSON schema (the subset Quarry reads)

private struct COCODocument: Decodable {
    var images: [COCOImage]
    var annotations: [COCOAnnotation]
    var categories: [COCOCategory]
}

private struct COCOImage: Decodable {
    var id: Int
    var fileName: String
    var width: Int?
    var height: Int?

    enum CodingKeys: String, CodingKey {
        case id, width, height
        case fileName = "file_name"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeInteger(forKey: .id)
        fileName = try container.decode(String.self, forKey: .fileName)
        width = try container.decodeIntegerIfPresent(forKey: .width)
        height = try container.decodeIntegerIfPresent(forKey: .height)
    }
}

private struct COCOAnnotation: Decodable {
    var id: Int?
    var imageID: Int
    var categoryID: Int
    var bbox: [Double]
    var isCrowd: Int?
    var area: Double?

    enum CodingKeys: String, CodingKey {
        case id, bbox, area
        case imageID = "image_id"
        case categoryID = "category_id"
        case isCrowd = "iscrowd"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIntegerIfPresent(forKey: .id)
        imageID = try container.decodeInteger(forKey: .imageID)
        categoryID = try container.decodeInteger(forKey: .categoryID)
        bbox = try container.decode([Double].self, forKey: .bbox)
        isCrowd = try container.decodeIntegerIfPresent(forKey: .isCrowd)
        area = try container.decodeIfPresent(Double.self, forKey: .area)
    }
}

private struct COCOCategory: Decodable {
    var id: Int
    var name: String

    enum CodingKeys: String, CodingKey { case id, name }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeInteger(forKey: .id)
        name = try container.decode(String.self, forKey: .name)
    }
}

extension KeyedDecodingContainer {
    /// Decodes an integer written as `3` or `3.0`; a fraction (`2.5`) is reported at its coding
    /// path, which Foundation's decoder reports only as "not valid JSON" at the file.
    fileprivate func decodeInteger(forKey key: Key) throws -> Int {
        if let value = try? decode(Int.self, forKey: key) { return value }
        let number = try decode(Double.self, forKey: key)  // throws the located missing-key or type error
        guard number.rounded() == number, let value = Int(exactly: number) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                   debugDescription: "expected an integer, found \(number)")
        }
        return value
    }

    /// Decodes an optional integer (absent or null gives nil), as `decodeInteger(forKey:)`.
    fileprivate func decodeIntegerIfPresent(forKey key: Key) throws -> Int? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeInteger(forKey: key)
    }
}
