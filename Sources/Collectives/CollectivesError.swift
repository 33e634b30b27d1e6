// The typed errors of the Collectives module. An MPI failure keeps the call's name, the error
// code and MPI's own text (MPI_Error_string), so a log line says which operation failed.

/// An error of a collective or point-to-point operation, or of starting the group.
public enum CollectivesError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An MPI call returned an error code (the communicator uses MPI_ERRORS_RETURN, MPI 3.1 §8.3,
    /// so MPI reports instead of aborting the process).
    /// - call: the MPI function, e.g. `MPI_Iallreduce`; code: its return value; message: MPI_Error_string's text.
    case mpi(call: String, code: Int32, message: String)
    /// A rank outside 0..<size was named as a root, destination or source.
    case invalidRank(Int, size: Int)
    /// A tag outside 0...32767 (MPI guarantees at least MPI_TAG_UB = 32767, MPI 3.1 §8.1.2).
    case invalidTag(Int)
    /// More elements than one MPI call can count (MPI counts are C `int`: 2³¹ − 1).
    case countTooLarge(count: Int, limit: Int, call: String)
    /// A receive that no message can ever satisfy (a single process with an empty mailbox):
    /// thrown instead of waiting forever.
    case noMessageCanArrive(tag: Int)
    /// The process was started by an MPI launcher with `worldSize` > 1 processes, but this
    /// build has no MPI: every process would run the whole job alone. Rebuild with
    /// `swift build --traits MPI`.
    case notBuiltWithMPI(worldSize: Int)
    /// MPI offers less thread support than MPI_THREAD_SERIALIZED (MPI 3.1 §12.4.3).
    case insufficientThreadSupport(provided: Int32)
    /// MPI was already initialized in this process (it can be only once, MPI 3.1 §8.7).
    case alreadyInitialized
    /// The communicator was used after ``Communicator/finalize()``.
    case finalized
    /// The system refused a thread (`pthread_create` returned `code`, e.g. EAGAIN).
    case threadUnavailable(code: Int32)
    /// A value sent between ranks could not be encoded or decoded (JSON); `what` names it.
    case transfer(what: String, description: String)

    /// One line naming the failed operation and the reason.
    public var description: String {
        switch self {
        case let .mpi(call, code, message): "\(call) failed with MPI error \(code): \(message)"
        case let .invalidRank(rank, size): "rank \(rank) is not in 0..<\(size)"
        case let .invalidTag(tag): "tag \(tag) is not in 0...32767"
        case let .countTooLarge(count, limit, call): "\(call): \(count) elements exceed one MPI call's limit of \(limit)"
        case let .noMessageCanArrive(tag): "receive with tag \(tag) would wait forever: one process and no message queued"
        case let .notBuiltWithMPI(worldSize):
            "started by an MPI launcher as one of \(worldSize) processes, but this quarry was built without MPI; rebuild with `swift build --traits MPI`"
        case let .insufficientThreadSupport(provided):
            "the MPI library provides thread level \(provided), below MPI_THREAD_SERIALIZED"
        case .alreadyInitialized: "MPI is already initialized in this process"
        case .finalized: "the communicator was used after finalize()"
        case let .threadUnavailable(code): "cannot start a thread (pthread_create error \(code))"
        case let .transfer(what, description): "cannot transfer \(what) between ranks: \(description)"
        }
    }
}
