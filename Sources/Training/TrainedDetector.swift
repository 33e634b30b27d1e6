// Loading a detector that `quarry train` (or `Trainer.saveCheckpoint`) wrote, for detection and
// evaluation: the class count comes from the checkpoint's metadata, the weights by name.
import Detection
import Foundation
import NN
import Randomness

extension TinyFasterRCNN {
    /// The class counts a checkpoint may declare: K ≥ 1, and small enough that K + 1 logits of
    /// a 256-wide layer fit in memory.
    static let plausibleClassCounts = 1...100_000

    /// Loads a trained detector from a checkpoint written by `Trainer.saveCheckpoint`.
    ///
    /// K is read from the `quarry.class_count` metadata unless `classCount` is given (for
    /// weights written elsewhere, e.g. by PyTorch, which carry no Quarry metadata). The
    /// optimiser state and the other training metadata in the file are ignored.
    /// - Parameters:
    ///   - url: a safetensors checkpoint.
    ///   - classCount: K ≥ 1 to use instead of the file's metadata, or nil.
    /// - Throws: `TrainingError.checkpoint` for an unreadable file or parameters that do not fit
    ///   a K-class TinyFasterRCNN (naming the file and parameter);
    ///   `TrainingError.incompatibleCheckpoint` naming the file and `quarry.class_count` when the
    ///   metadata is missing or not an integer in 1...100,000, or `classCount` is outside that range.
    public init(checkpoint url: URL, classCount: Int? = nil) throws(TrainingError) {
        let file: Checkpoint
        do { file = try Checkpoint(contentsOf: url) } catch { throw .checkpoint(error) }
        let key = Trainer.MetadataKey.classCount
        let count: Int
        if let classCount {
            guard Self.plausibleClassCounts.contains(classCount) else {
                throw .incompatibleCheckpoint(path: url.path, field: key, expected: "a class count in \(Self.plausibleClassCounts)",
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
            guard let value = Int(stored), Self.plausibleClassCounts.contains(value) else {
                throw .incompatibleCheckpoint(path: url.path, field: key, expected: "an integer in \(Self.plausibleClassCounts)",
                                              found: stored)
            }
            count = value
        }
        // The class logits' bias is [K + 1]: checking it first turns a wrong or absurd count into
        // an error naming the parameter before a model of that size is allocated.
        let logits = "box_head.cls_score.bias"
        guard let bias = file.modelTensors[logits] else { throw .checkpoint(.missingTensor(name: logits, path: url.path)) }
        guard bias.shape == [count + 1] else {
            throw .checkpoint(.shapeMismatch(name: logits, expected: [count + 1], found: bias.shape, path: url.path))
        }
        // Any initialisation works: every parameter is overwritten (or nothing is, on error).
        var generator = SplitMix64(seed: 0)
        self.init(classCount: count, using: &generator)
        do { try file.restore(into: parameters) } catch { throw .checkpoint(error) }
    }
}
