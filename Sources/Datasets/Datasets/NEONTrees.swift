import Foundation

/// Which half of a dataset.
public enum DatasetSplit: String, Sendable, CaseIterable {
    /// The training images.
    case train
    /// The held-out test images.
    case test
}

/// The bundled NEON tree-crown images (aerial RGB, 10 cm pixels, Pascal VOC boxes, one class).
///
/// Source: the sample data of the DeepForest 2.1.0 package (MIT), see `Datasets/neon-trees/SOURCE.md`.
/// Every object is class 1 `Tree`: SOAP_061 names its trees `Alive`/`Dead`, which
/// `LabelMap.neonTrees` maps to `Tree`.
public enum NEONTrees {
    /// The folder name under `Datasets/`.
    public static let folderName = "neon-trees"

    /// The training images (574 + 61 boxes).
    public static let trainingImageNames = ["2019_YELL_2_528000_4978000_image_crop2", "OSBS_029"]
    /// The test images (279 + 37 boxes).
    public static let testImageNames = ["2019_YELL_2_541000_4977000_image_crop", "SOAP_061"]

    /// The base names (no extension) of a split's images, in the split's order.
    public static func imageNames(of split: DatasetSplit) -> [String] {
        split == .train ? trainingImageNames : testImageNames
    }

    /// Loads a split's whole images and boxes.
    /// - Parameter datasetsFolder: the `Datasets/` folder (see `DatasetLocator`).
    /// - Returns: one sample per image, named by its base name, class names `["Tree"]`.
    /// - Throws: `AnnotationError` naming the XML file (missing, corrupt, invalid box, image missing).
    public static func load(_ split: DatasetSplit, from datasetsFolder: URL) throws(AnnotationError) -> DetectionDataset {
        let folder = datasetsFolder.appendingPathComponent(folderName, isDirectory: true)
        let files = imageNames(of: split).map { folder.appendingPathComponent($0).appendingPathExtension("xml") }
        return try DetectionDataset.loadPascalVOC(files: files, labelMap: .neonTrees)
    }

    /// Loads the training images and cuts them into tiles (`Tiling.reference`: 400 × 400,
    /// stride 300, half-area rule): 64 tiles of the large image, then OSBS_029's single tile,
    /// 65 in all, 3 of them without boxes (kept).
    /// - Throws: `AnnotationError` as `load(_:from:)`.
    public static func trainingTiles(from datasetsFolder: URL, tiling: Tiling = .reference) throws(AnnotationError) -> DetectionDataset {
        let whole = try load(.train, from: datasetsFolder)
        return DetectionDataset(classNames: whole.classNames,
                                samples: whole.samples.flatMap { tiling.tiles(of: $0) },
                                clippedBoxCount: whole.clippedBoxCount)
    }
}
