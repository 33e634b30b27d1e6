// The datasets a run trains and evaluates on: the bundled NEON tree crowns (DESIGN.md split,
// 400×400 training tiles), generated digits canvases, or a user's own annotated folder/file.
import Datasets
import Foundation

/// A training set and a test set with their class names.
public struct TrainingData: Sendable {
    /// The dataset's name as given on the command line (`neon-trees`, `digits`, or a path).
    public var name: String
    /// Training samples (tiles for NEON).
    public var train: [DetectionSample]
    /// Test samples (whole images, evaluated tiled).
    public var test: [DetectionSample]
    /// Class names; label i (1-based) is `classNames[i − 1]`.
    public var classNames: [String]
    /// True when the dataset has no held-out split, so `test` is the training samples (a user's
    /// own VOC folder, COCO JSON or CSV): its AP measures the fit, not generalisation.
    public var testIsTrainingData = false

    /// K, the number of foreground classes.
    public var classCount: Int { classNames.count }

    /// Loads a dataset by name.
    /// - Parameters:
    ///   - name: `neon-trees` (DESIGN.md split and tiling), `digits` (generated canvases: 600
    ///     train and 100 test by default), `digits-4x` (the same at 4× scale: 512-px canvases,
    ///     64–160 px digits), or a path to a VOC folder, COCO JSON or CSV file
    ///     (used for both training and testing, untiled; a detection practitioner's quick check).
    ///   - datasetsFolder: the bundled `Datasets/` folder (found by `DatasetLocator` when nil).
    ///   - digitsCounts: train and test canvas counts for `digits`.
    ///   - seed: the digits generator's seed.
    ///   - tiling: the training tiles of `neon-trees` (DESIGN.md's 400 px at stride 300 by default).
    /// - Throws: `LocatorError` when the bundled data cannot be found; `AnnotationError` naming
    ///   the file and object for bad annotations; `TrainingError.unusableDataset` for a user's
    ///   dataset without images or without any class (no category and no annotated object).
    public static func load(_ name: String, datasetsFolder: URL? = nil, digitsCounts: (train: Int, test: Int) = (600, 100),
                            seed: UInt64 = 0, tiling: Tiling = .reference) throws -> TrainingData {
        switch name {
        case "neon-trees":
            let folder = try DatasetLocator.datasetsFolder(explicit: datasetsFolder, containing: "neon-trees")
            let tiles = try NEONTrees.trainingTiles(from: folder, tiling: tiling)
            let test = try NEONTrees.load(.test, from: folder)
            return TrainingData(name: name, train: tiles.samples, test: test.samples, classNames: tiles.classNames)
        case "digits", "digits-4x":
            let folder = try DatasetLocator.datasetsFolder(explicit: datasetsFolder, containing: "digits")
            let generator = DigitsDetection(glyphs: try DigitGlyphs.load(datasetsFolder: folder),
                                            configuration: name == "digits" ? .init() : .fourTimesScale)
            let train = generator.dataset(.train, count: digitsCounts.train, seed: seed)
            let test = generator.dataset(.test, count: digitsCounts.test, seed: seed)
            return TrainingData(name: name, train: train.samples, test: test.samples, classNames: train.classNames)
        default:
            let dataset = try DetectionDataset.load(from: URL(fileURLWithPath: name))
            // The library reads empty datasets as empty; a run cannot use one (the trainer and
            // the detector require samples and a class), so it is refused here with its reason.
            guard !dataset.samples.isEmpty else { throw TrainingError.unusableDataset(name: name, reason: "it holds no images") }
            guard dataset.classCount >= 1 else {
                throw TrainingError.unusableDataset(
                    name: name, reason: "none of its \(dataset.samples.count) images has an annotated object, so it names no class to learn")
            }
            return TrainingData(name: name, train: dataset.samples, test: dataset.samples, classNames: dataset.classNames,
                                testIsTrainingData: true)
        }
    }
}
