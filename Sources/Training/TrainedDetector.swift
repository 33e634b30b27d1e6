// Loading a detector that `quarry train` or `quarry compare` wrote (`Trainer.saveCheckpoint`,
// `Trainer.saveModel`), for detection and evaluation: the detector kind and the class count come
// from the file's metadata, the weights by name.
import Detection
import Foundation
import NN
import Randomness

/// A detector read back from a checkpoint.
public enum TrainedDetector {
    /// The class counts a checkpoint may declare: K ≥ 1, and small enough that K + 1 logits of
    /// a 256-wide layer fit in memory.
    static let plausibleClassCounts = 1...100_000

    /// Loads a trained detector from a checkpoint written by `Trainer.saveCheckpoint` or
    /// `Trainer.saveModel`.
    ///
    /// The detector kind is read from the `quarry.model` metadata (a checkpoint without it is a
    /// TinyFasterRCNN's, as every checkpoint written before the key existed) unless `model` is
    /// given; K from `quarry.class_count` unless `classCount` is given (for weights written
    /// elsewhere, e.g. by PyTorch, which carry no Quarry metadata). The detector's settings
    /// (anchors, backbone width, proposal counts, RoI size, tiling) come from the run's recorded
    /// configuration (`quarry.configuration`), or are the reference's when the file has none.
    /// The optimiser state and the other training metadata in the file are ignored. `inference`
    /// replaces the recorded inference settings (top-N, tiles); the weights do not depend on them.
    /// - Parameters:
    ///   - url: a safetensors checkpoint.
    ///   - classCount: K ≥ 1 to use instead of the file's metadata, or nil.
    ///   - model: the detector kind to use instead of the file's metadata, or nil.
    ///   - inference: inference settings to use instead of the recorded ones (none by default).
    /// - Returns: the detector with the file's weights.
    /// - Throws: `TrainingError.checkpoint` for an unreadable file or parameters that do not fit
    ///   a K-class detector of that kind (naming the file and parameter);
    ///   `TrainingError.incompatibleCheckpoint` naming the file and the key when `quarry.class_count`
    ///   is missing or not an integer in 1...100,000, `classCount` is outside that range,
    ///   `quarry.model` names no detector, or `model` contradicts it, or `quarry.configuration`
    ///   is not a valid configuration or names another number of classes (the field named);
    ///   `TrainingError.invalidInferenceSettings` naming the file and the field for `inference`
    ///   settings the configuration refuses (`InferenceSettings.applied(to:hasProposals:)`).
    public static func load(checkpoint url: URL, classCount: Int? = nil, model: DetectorKind? = nil,
                            inference: InferenceSettings = InferenceSettings()) throws(TrainingError) -> any Detector {
        let file: Checkpoint
        do { file = try Checkpoint(contentsOf: url) } catch { throw .checkpoint(error) }
        let kind = try detectorKind(of: file, path: url.path, requested: model)
        let key = Trainer.MetadataKey.classCount
        // The run's recorded configuration rebuilds the detector it trained (anchors, width, RoI
        // size, tiling); checkpoints written before it was recorded are the reference detector's.
        var configuration = DetectorConfiguration()
        if let text = file.metadata[Trainer.MetadataKey.configuration] {
            do { configuration = try TrainingConfiguration.decode(Data(text.utf8), file: url.path).model } catch {
                throw .incompatibleCheckpoint(path: url.path, field: "\(Trainer.MetadataKey.configuration) \(error.key)",
                                              expected: "a valid configuration", found: error.reason)
            }
        }
        do { configuration = try inference.applied(to: configuration, hasProposals: kind.makesProposals) } catch {
            throw .invalidInferenceSettings(path: url.path, error)
        }
        let count: Int
        if let classCount {
            guard plausibleClassCounts.contains(classCount) else {
                throw .incompatibleCheckpoint(path: url.path, field: key, expected: "a class count in \(plausibleClassCounts)",
                                              found: String(classCount))
            }
            count = classCount
        } else {
            // Guard the value before it reaches the initialiser's precondition: a bad file
            // must be an error, never a trap.
            guard let stored = file.metadata[key] else {
                throw .incompatibleCheckpoint(path: url.path, field: key,
                                              expected: "the class count quarry train records", found: "(missing)")
            }
            guard let value = Int(stored), plausibleClassCounts.contains(value) else {
                throw .incompatibleCheckpoint(path: url.path, field: key, expected: "an integer in \(plausibleClassCounts)",
                                              found: stored)
            }
            count = value
        }
        // The class logits' bias is sized by K: checking it first turns a wrong or absurd count
        // into an error naming the parameter before a model of that size is allocated.
        if !configuration.classNames.isEmpty, configuration.classCount != count {
            throw .incompatibleCheckpoint(path: url.path, field: "\(Trainer.MetadataKey.configuration) model.classNames",
                                          expected: "\(count) classes", found: configuration.classNames.joined(separator: ", "))
        }
        let logits = kind.classParameter(classCount: count, anchorsPerLocation: configuration.anchorsPerLocation)
        guard let bias = file.modelTensors[logits.name] else { throw .checkpoint(.missingTensor(name: logits.name, path: url.path)) }
        guard bias.shape == logits.shape else {
            throw .checkpoint(.shapeMismatch(name: logits.name, expected: logits.shape, found: bias.shape, path: url.path))
        }
        // Any initialisation works: every parameter is overwritten (or nothing is, on error).
        var generator = SplitMix64(seed: 0)
        let detector = kind.makeDetector(classCount: count, configuration: configuration, using: &generator)
        do { try file.restore(into: detector.parameters) } catch { throw .checkpoint(error) }
        return detector
    }

    /// The kind a checkpoint's `quarry.model` names (TinyFasterRCNN when absent), checked against
    /// the one asked for.
    static func detectorKind(of file: Checkpoint, path: String, requested: DetectorKind?) throws(TrainingError) -> DetectorKind {
        let key = Trainer.MetadataKey.model
        guard let stored = file.metadata[key] else { return requested ?? .fasterRCNN }
        guard let recorded = DetectorKind(rawValue: stored) else {
            throw .incompatibleCheckpoint(path: path, field: key, expected: "one of \(DetectorKind.validNames)", found: stored)
        }
        if let requested, requested != recorded {
            throw .incompatibleCheckpoint(path: path, field: key, expected: requested.rawValue, found: stored)
        }
        return recorded
    }
}
