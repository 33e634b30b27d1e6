// What can stop a training run, each naming where it happened.
import NN

/// An error that stops training.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A loss term became NaN or infinite at `iteration` (0-based); nothing was updated.
    case nonFiniteLoss(iteration: Int, term: String, value: Float)
    /// Reading or writing a checkpoint failed.
    case checkpoint(CheckpointError)
    /// A checkpoint does not belong to this run (different strategy, seed or dataset), or is
    /// missing the training state it needs (`field` names it).
    case incompatibleCheckpoint(path: String, field: String, expected: String, found: String)

    /// A one-line explanation naming the iteration, term, file or field.
    public var description: String {
        switch self {
        case let .nonFiniteLoss(iteration, term, value):
            return "training stopped: loss term '\(term)' is \(value) at iteration \(iteration); the last checkpoint is unchanged"
        case let .checkpoint(error):
            return "checkpoint: \(error)"
        case let .incompatibleCheckpoint(path, field, expected, found):
            return "\(path): checkpoint \(field) is '\(found)', this run expects '\(expected)'"
        }
    }

    /// Two errors are equal when they describe the same failure (same kind, place and values).
    public static func == (a: TrainingError, b: TrainingError) -> Bool { a.description == b.description }
}
