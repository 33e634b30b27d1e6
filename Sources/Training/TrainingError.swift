// What can stop a training run, each naming where it happened.
import Collectives
import Detection
import NN

/// An error that stops training.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A loss term became NaN or infinite at `iteration` (0-based); nothing was updated.
    case nonFiniteLoss(iteration: Int, term: String, value: Float)
    /// The gradient of `parameter` (its state-dict name) holds NaN or infinity at `iteration`
    /// (0-based) although every loss term is finite; nothing was updated.
    case nonFiniteGradient(iteration: Int, parameter: String)
    /// A user's dataset that cannot be trained on (no images, or no class to learn); `name` is
    /// the path given, `reason` says what is missing.
    case unusableDataset(name: String, reason: String)
    /// Reading or writing a checkpoint failed.
    case checkpoint(CheckpointError)
    /// A checkpoint does not belong to this run (different strategy, seed or dataset), or is
    /// missing the training state it needs (`field` names it).
    case incompatibleCheckpoint(path: String, field: String, expected: String, found: String)
    /// Inference settings given for a trained detector that its configuration refuses (`key`
    /// names the `DetectorConfiguration` field: a top-N for a detector without an RPN, a count
    /// below 1, a post-NMS top-N above the pre-NMS one, a tile under the backbone's stride).
    case invalidInferenceSettings(path: String, ConfigurationError)
    /// Data-parallel training: the global batch of `batchSize` images cannot be split evenly
    /// over `ranks` ranks.
    case batchNotDivisible(batchSize: Int, ranks: Int)
    /// Data-parallel training: the strategy keeps state that this build cannot keep identical
    /// on every rank (it is not a `ReplicatedSamplingStrategy`).
    case strategyNotReplicable(strategy: String)
    /// Data-parallel training: a collective operation failed (`iteration` nil: while setting
    /// the run up).
    case collective(iteration: Int?, CollectivesError)
    /// Data-parallel training: rank `rank`'s run configuration differs from rank 0's (each
    /// rank was given other flags, files or data).
    case configurationDiffers(rank: Int)
    /// Data-parallel training: the replicas' checksums of parameters, optimiser state and
    /// strategy state (by rank) differ after `iteration` iterations.
    case replicasDiverged(iteration: Int, checksums: [UInt64])
    /// Data-parallel training: a rank's update of the strategy state did not apply.
    case replicatedStrategyState(iteration: Int, StrategyStateError)

    /// A one-line explanation naming the iteration, term, file or field.
    public var description: String {
        switch self {
        case let .nonFiniteLoss(iteration, term, value):
            return "training stopped: loss term '\(term)' is \(value) at iteration \(iteration); the last checkpoint is unchanged"
        case let .nonFiniteGradient(iteration, parameter):
            return "training stopped: the gradient of '\(parameter)' holds NaN or infinity at iteration \(iteration) (the losses were finite); nothing was updated and the last checkpoint is unchanged"
        case let .unusableDataset(name, reason):
            return "\(name): cannot train on this dataset: \(reason)"
        case let .checkpoint(error):
            return Self.describe(error)
        case let .incompatibleCheckpoint(path, field, expected, found):
            return "\(path): checkpoint \(field) is '\(found)', this run expects '\(expected)'"
        case let .invalidInferenceSettings(path, error):
            return "\(path): inference setting \(error.key): \(error.reason)"
        case let .batchNotDivisible(batchSize, ranks):
            return "--distributed: the batch of \(batchSize) images cannot be split evenly over \(ranks) ranks; use a batch size that is a multiple of the rank count (--batch-size), or start \(batchSize) ranks or a divisor of it"
        case let .strategyNotReplicable(strategy):
            return "--distributed: strategy '\(strategy)' keeps state across steps that cannot be shared between ranks; train it in one process"
        case let .collective(iteration, error):
            return "data-parallel training" + (iteration.map { " at iteration \($0)" } ?? " setup") + ": \(error)"
        case let .configurationDiffers(rank):
            return "data-parallel training: rank \(rank)'s run configuration differs from rank 0's; give every rank the same flags, --config file and dataset"
        case let .replicasDiverged(iteration, checksums):
            return "data-parallel training: after \(iteration) iterations the ranks' parameters, optimiser or strategy state differ (checksums by rank: \(checksums.map { String($0, radix: 16) }.joined(separator: ", "))); the replicas no longer train one model"
        case let .replicatedStrategyState(iteration, error):
            return "data-parallel training at iteration \(iteration): \(error)"
        }
    }

    /// Two errors are equal when they describe the same failure (same kind, place and values).
    public static func == (a: TrainingError, b: TrainingError) -> Bool { a.description == b.description }

    // MARK: - Messages

    /// "FILE: problem" for a checkpoint that does not fit the model or optimiser.
    static func describe(_ error: CheckpointError) -> String {
        func place(_ path: String?) -> String { (path ?? "checkpoint") + ": " }
        switch error {
        case let .file(error):
            return describe(error)
        case let .missingTensor(name, path):
            return place(path) + "lacks parameter '\(name)' that the model has"
        case let .unexpectedTensor(name, path):
            return place(path) + "holds parameter '\(name)' that the model does not have"
        case let .shapeMismatch(name, expected, found, path):
            return place(path) + "parameter '\(name)' has shape \(found), the model expects \(expected)"
        case let .dtypeMismatch(name, expected, found, path):
            return place(path) + "parameter '\(name)' is stored as \(found), \(expected) is required"
        case let .invalidValue(name, reason, path):
            return place(path) + "'\(name)': \(reason)"
        }
    }

    /// "FILE: problem" for a malformed or unreadable safetensors file.
    static func describe(_ error: SafetensorsError) -> String {
        switch error {
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .fileTooShort(path, size):
            return "\(path): not a safetensors file (\(size) bytes, shorter than the 8-byte header length)"
        case let .headerLengthOutOfRange(path, length, available):
            return "\(path): header length \(length) exceeds the \(available) bytes after it (truncated or corrupt)"
        case let .invalidHeader(path, reason):
            return "\(path): invalid safetensors header: \(reason)"
        case let .unsupportedDType(path, name, dtype):
            return "\(path): tensor '\(name)' has unsupported dtype \(dtype)"
        case let .byteCountMismatch(path, name, expected, actual):
            return "\(path): tensor '\(name)' holds \(actual) bytes, its shape needs \(expected)"
        case let .offsetsNotContiguous(path, name, expectedBegin, begin):
            return "\(path): tensor '\(name)' starts at byte \(begin), expected \(expectedBegin) (corrupt offsets)"
        case let .offsetsOutOfRange(path, name, end, dataSize):
            return "\(path): tensor '\(name)' ends at byte \(end), past the \(dataSize)-byte data section (truncated file)"
        case let .trailingBytes(path, covered, dataSize):
            return "\(path): the tensors cover \(covered) of \(dataSize) data bytes (trailing garbage)"
        }
    }
}
