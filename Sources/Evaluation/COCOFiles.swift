import AtomicFiles
import Foundation

// Reading, checking and writing COCO ground-truth and result files. Checks are stricter than
// pycocotools, which silently drops annotations on unknown images or categories: here they are
// errors naming the file and the JSON path, so a mislabelled file cannot pass unnoticed.

extension COCOGroundTruth {
    /// Reads and checks a COCO ground-truth file.
    /// - Parameter url: A JSON file with `images`, `annotations` and `categories` lists.
    /// - Returns: The ground truth, lists in file order.
    /// - Throws: `COCOFileError` naming the file and JSON path: unreadable file, malformed JSON,
    ///   missing key, wrong type, non-finite number, negative box size or area, duplicate id,
    ///   annotation on an unknown image or category.
    public static func load(contentsOf url: URL) throws(COCOFileError) -> COCOGroundTruth {
        try decode(readFile(url), file: url.path)
    }

    /// Decodes and checks a COCO ground-truth file already in memory (as `load(contentsOf:)`
    /// does after reading).
    /// - Parameters:
    ///   - data: the file's contents.
    ///   - file: the file name used in errors.
    /// - Throws: `COCOFileError` as `load(contentsOf:)` (all but `.unreadable`).
    public static func decode(_ data: Data, file: String) throws(COCOFileError) -> COCOGroundTruth {
        let groundTruth = try decodeJSON(COCOGroundTruth.self, from: data, file: file)
        try groundTruth.validate(file: file)
        return groundTruth
    }

    /// Reads a COCO result file and checks it against this ground truth.
    /// - Parameter url: A JSON list of `{image_id, category_id, bbox, score}` objects.
    /// - Returns: The detections in file order (which breaks score ties).
    /// - Throws: `COCOFileError` naming the file and the detection's index: unreadable file,
    ///   malformed JSON, missing key, wrong type, non-finite number, negative box size, image or
    ///   category id absent from this ground truth.
    public func loadDetections(contentsOf url: URL) throws(COCOFileError) -> [COCODetection] {
        try decodeDetections(Self.readFile(url), file: url.path)
    }

    /// Decodes a COCO result list already in memory and checks it against this ground truth
    /// (as `loadDetections(contentsOf:)` does after reading).
    /// - Parameters:
    ///   - data: the file's contents.
    ///   - file: the file name used in errors.
    /// - Throws: `COCOFileError` as `loadDetections(contentsOf:)` (all but `.unreadable`).
    public func decodeDetections(_ data: Data, file: String) throws(COCOFileError) -> [COCODetection] {
        let detections = try Self.decodeJSON([COCODetection].self, from: data, file: file)
        try validate(detections, file: file)
        return detections
    }

    /// Checks ids, numbers and references of this ground truth.
    /// - Parameter file: The file name used in errors.
    /// - Throws: `COCOFileError` at the first problem (see `load(contentsOf:)`).
    public func validate(file: String) throws(COCOFileError) {
        func fail(_ location: String, _ kind: COCOFileError.Kind) -> COCOFileError {
            COCOFileError(file: file, location: location, kind: kind)
        }
        var imageIDs = Set<Int>(), categoryIDs = Set<Int>(), annotationIDs = Set<Int>()
        for (index, image) in images.enumerated() where !imageIDs.insert(image.id).inserted {
            throw fail("images[\(index)].id", .duplicateID(image.id))
        }
        for (index, category) in categories.enumerated() where !categoryIDs.insert(category.id).inserted {
            throw fail("categories[\(index)].id", .duplicateID(category.id))
        }
        for (index, annotation) in annotations.enumerated() {
            let location = "annotations[\(index)]"
            if !annotationIDs.insert(annotation.id).inserted { throw fail("\(location).id", .duplicateID(annotation.id)) }
            try Self.check(annotation.box, file: file, location: "\(location).bbox")
            if !annotation.area.isFinite { throw fail("\(location).area", .nonFiniteNumber) }
            if annotation.area < 0 { throw fail("\(location).area", .negativeArea(annotation.area)) }
            if !imageIDs.contains(annotation.imageID) { throw fail("\(location).image_id", .unknownImage(id: annotation.imageID)) }
            if !categoryIDs.contains(annotation.categoryID) {
                throw fail("\(location).category_id", .unknownCategory(id: annotation.categoryID))
            }
        }
    }

    /// Checks detections against this ground truth's images and categories.
    /// - Parameters:
    ///   - detections: Detections in file order.
    ///   - file: The file name used in errors.
    /// - Throws: `COCOFileError` at the first problem (see `loadDetections(contentsOf:)`).
    public func validate(_ detections: [COCODetection], file: String) throws(COCOFileError) {
        let imageIDs = Set(images.map(\.id)), categoryIDs = Set(categories.map(\.id))
        for (index, detection) in detections.enumerated() {
            let location = "[\(index)]"
            try Self.check(detection.box, file: file, location: "\(location).bbox")
            if !detection.score.isFinite {
                throw COCOFileError(file: file, location: "\(location).score", kind: .nonFiniteNumber)
            }
            if !imageIDs.contains(detection.imageID) {
                throw COCOFileError(file: file, location: "\(location).image_id", kind: .unknownImage(id: detection.imageID))
            }
            if !categoryIDs.contains(detection.categoryID) {
                throw COCOFileError(file: file, location: "\(location).category_id",
                                    kind: .unknownCategory(id: detection.categoryID))
            }
        }
    }

    /// Writes this ground truth as COCO JSON, atomically (`AtomicFile`: temporary file, fsync, rename).
    /// - Throws: `COCOFileError.Kind.unwritable` with the system's message.
    public func write(to url: URL) throws(COCOFileError) {
        try Self.encodeFile(self, to: url)
    }

    // MARK: - Shared file plumbing

    static func check(_ box: COCOBox, file: String, location: String) throws(COCOFileError) {
        if !box.isFinite { throw COCOFileError(file: file, location: location, kind: .nonFiniteNumber) }
        if box.width < 0 || box.height < 0 {
            throw COCOFileError(file: file, location: location, kind: .negativeSize(width: box.width, height: box.height))
        }
    }

    static func readFile(_ url: URL) throws(COCOFileError) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw COCOFileError(file: url.path, location: "", kind: .unreadable(error.localizedDescription))
        }
    }

    static func decodeJSON<Value: Decodable>(_ type: Value.Type, from data: Data, file: String) throws(COCOFileError) -> Value {
        let decoder = JSONDecoder()
        // "NaN" written as a string decodes, so that the value check can name its location.
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return try decoder.decode(Value.self, from: data)
        } catch let error as DecodingError {
            throw COCOFileError.decoding(error, file: file, data: data)
        } catch {
            throw COCOFileError.malformed(data, file: file)
        }
    }

    /// Encodes `value` as JSON and writes it atomically.
    /// - Throws: `COCOFileError` with kind `.unwritable`: the encoder's message (e.g. a
    ///   non-finite number) or the atomic writer's (the failed step and the system's message).
    static func encodeFile<Value: Encodable>(_ value: Value, to url: URL,
                                             formatting: JSONEncoder.OutputFormatting = [.sortedKeys]) throws(COCOFileError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        let data: Data
        do { data = try encoder.encode(value) } catch {
            throw COCOFileError(file: url.path, location: "", kind: .unwritable(error.localizedDescription))
        }
        do { try AtomicFile.write(data, to: url) } catch {
            throw COCOFileError(file: url.path, location: "", kind: .unwritable(error.reason))
        }
    }
}

extension COCODetection {
    /// Writes detections as a COCO result list, atomically (`AtomicFile`: temporary file, fsync, rename).
    /// - Throws: `COCOFileError.Kind.unwritable` with the system's message; non-finite numbers
    ///   cannot be written as JSON and also fail here.
    public static func write(_ detections: [COCODetection], to url: URL) throws(COCOFileError) {
        try COCOGroundTruth.encodeFile(detections, to: url)
    }
}
