import Foundation

/// Images with their ground-truth boxes and labels, and the names of the classes.
///
/// Whatever the source (the bundled NEON or digits data, a folder of VOC XML files, a COCO JSON,
/// a DeepForest CSV), a dataset holds decoded images in memory, boxes in pixels (x1, y1, x2, y2)
/// clipped to their image, and labels in `1...classCount` (0 is reserved for background).
public struct DetectionDataset: Sendable, Equatable {
    /// The class names; label `i` is `classNames[i - 1]`.
    public var classNames: [String]
    /// The images, in the order of the source (files sorted by name for a VOC folder).
    public var samples: [DetectionSample]
    /// How many boxes were clipped to their image on loading (a warning the caller can report).
    public var clippedBoxCount: Int

    /// Creates a dataset.
    public init(classNames: [String], samples: [DetectionSample], clippedBoxCount: Int = 0) {
        self.classNames = classNames
        self.samples = samples
        self.clippedBoxCount = clippedBoxCount
    }

    /// The number of object classes K (background excluded).
    public var classCount: Int { classNames.count }

    /// The total number of ground-truth boxes over all images.
    public var boxCount: Int { samples.reduce(0) { $0 + $1.target.count } }

    /// Decodes the images and maps the names of annotated objects to labels.
    ///
    /// Each box is clipped to its decoded image (counted in `clippedBoxCount`); a declared size
    /// (VOC `<size>`, COCO `width`/`height`) must match the decoded one.
    /// - Parameters:
    ///   - annotations: the parsed annotations, one per image.
    ///   - labelMap: the classes; inferred from the object names (sorted) when `nil`.
    /// - Throws: `AnnotationError`: `.missingImage`, `.unreadableImage`, `.imageSizeMismatch`,
    ///   `.unknownLabel` (at the object's location), `.invalidBox` (a box outside its image).
    public static func assembling(_ annotations: [ImageAnnotation],
                                  labelMap: LabelMap? = nil) throws(AnnotationError) -> DetectionDataset {
        let map = labelMap ?? .inferred(from: annotations.flatMap { $0.objects.map(\.name) })
        var samples: [DetectionSample] = []
        var clipped = 0
        for annotation in annotations {
            let file = annotation.annotationFile
            // Labels first: a wrong name is reported before paying for the decode.
            var labels: [Int] = []
            for object in annotation.objects {
                guard let label = map.label(for: object.name) else {
                    throw .unknownLabel(file: file, at: object.location, label: object.name)
                }
                labels.append(label)
            }
            guard FileManager.default.fileExists(atPath: annotation.imageURL.path) else {
                throw .missingImage(file: file, image: annotation.imageURL.path)
            }
            let image: RGBImage
            do {
                image = try RGBImage(contentsOf: annotation.imageURL)
            } catch {
                throw .unreadableImage(file: file, error: error)
            }
            let size = PixelSize(width: image.width, height: image.height)
            if let declared = annotation.declaredSize, declared != size {
                throw .imageSizeMismatch(file: file, image: annotation.imageURL.path, declared: declared, actual: size)
            }
            var boxes: [BoundingBox] = []
            for object in annotation.objects {
                let (box, wasClipped) = try BoxValidation.clipped(object.box, to: size, file: file, at: object.location)
                boxes.append(box)
                if wasClipped { clipped += 1 }
            }
            let target = DetectionTarget(boxes: boxes, labels: labels, isDifficult: annotation.objects.map(\.isDifficult))
            let name = annotation.imageURL.deletingPathExtension().lastPathComponent
            samples.append(DetectionSample(name: name, image: image, target: target))
        }
        return DetectionDataset(classNames: map.classNames, samples: samples, clippedBoxCount: clipped)
    }
}

// MARK: - Loading a user's data

extension DetectionDataset {
    /// Loads every `*.xml` file of a folder (sorted by file name) as Pascal VOC annotations.
    /// - Parameters:
    ///   - folder: the folder holding the XML files and their images.
    ///   - labelMap: the classes; inferred from the object names when `nil`.
    /// - Throws: `AnnotationError` naming the file (see `PascalVOCReader.read` and `assembling`);
    ///   `.unreadable` when the folder cannot be listed or holds no XML file.
    public static func loadPascalVOC(folder: URL, labelMap: LabelMap? = nil) throws(AnnotationError) -> DetectionDataset {
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension.lowercased() == "xml" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw .unreadable(file: folder.path, reason: error.localizedDescription)
        }
        guard !files.isEmpty else { throw .unreadable(file: folder.path, reason: "no .xml annotation files") }
        return try loadPascalVOC(files: files, labelMap: labelMap)
    }

    /// Loads the given Pascal VOC XML files, in the order given.
    /// - Throws: `AnnotationError` naming the file (see `PascalVOCReader.read` and `assembling`).
    public static func loadPascalVOC(files: [URL], labelMap: LabelMap? = nil) throws(AnnotationError) -> DetectionDataset {
        var annotations: [ImageAnnotation] = []
        for file in files { annotations.append(try PascalVOCReader.read(file)) }
        return try assembling(annotations, labelMap: labelMap)
    }

    /// Loads a COCO JSON file. Without a label map, the classes are the categories in id order.
    /// - Throws: `AnnotationError` naming the file (see `COCOReader.read` and `assembling`).
    public static func loadCOCO(file: URL, imageFolder: URL? = nil,
                                labelMap: LabelMap? = nil) throws(AnnotationError) -> DetectionDataset {
        let contents = try COCOReader.read(file, imageFolder: imageFolder)
        return try assembling(contents.images, labelMap: labelMap ?? LabelMap(classNames: contents.categoryNames))
    }

    /// Loads a DeepForest-style CSV file.
    /// - Throws: `AnnotationError` naming the file (see `CSVAnnotationReader.read` and `assembling`).
    public static func loadCSV(file: URL, imageFolder: URL? = nil,
                               labelMap: LabelMap? = nil) throws(AnnotationError) -> DetectionDataset {
        try assembling(CSVAnnotationReader.read(file, imageFolder: imageFolder), labelMap: labelMap)
    }

    /// Loads a user's data, choosing the reader from the path: a folder → Pascal VOC XML files,
    /// `*.json` → COCO, `*.csv` → DeepForest CSV.
    /// - Throws: `AnnotationError`; `.unreadable` for a path that is none of these.
    public static func load(from url: URL, labelMap: LabelMap? = nil) throws(AnnotationError) -> DetectionDataset {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw .unreadable(file: url.path, reason: "no such file or folder")
        }
        if isFolder.boolValue { return try loadPascalVOC(folder: url, labelMap: labelMap) }
        switch url.pathExtension.lowercased() {
        case "json": return try loadCOCO(file: url, labelMap: labelMap)
        case "csv": return try loadCSV(file: url, labelMap: labelMap)
        default: throw .unreadable(file: url.path, reason: "expected a folder of VOC XML files, a .json or a .csv file")
        }
    }
}
