// The Open MPI communicator (built with `swift build --traits MPI`; CShims/MPI is the module
// map over mpi.h). Every operation but the all-reduce starts the nonblocking MPI call
// (MPI_Iallgatherv, MPI_Ibcast, MPI_Ibarrier, MPI_Isend, MPI_Irecv; MPI 3.1 §5.12, §3.7) and
// waits with MPI_Test and `PollingBackoff`, so a rank that waits leaves its core to the ranks
// that compute. The all-reduce, the data-parallel step's hot path, is the blocking
// MPI_Allreduce (see `allReduceSum(_:count:type:)`). The world communicator gets MPI_ERRORS_RETURN, so a failing call returns its
// code, which becomes `CollectivesError.mpi` naming the call, instead of aborting the process
// from inside the library.
#if MPI
import CMPI
import Synchronization

/// The communicator of every process an MPI launcher (`mpirun`) started: MPI_COMM_WORLD.
public final class MPICommunicator: Communicator {
    /// This process's rank in MPI_COMM_WORLD.
    public let rank: Int
    /// The number of processes in MPI_COMM_WORLD.
    public let size: Int
    private let communicator: MPI_Comm
    private var isFinalized = false
    /// Whether this process has initialized MPI (once per process, MPI 3.1 §8.7).
    private static let initialized = Mutex(false)

    /// Initializes MPI (MPI_Init_thread at MPI_THREAD_SERIALIZED) and returns the world
    /// communicator, with MPI_ERRORS_RETURN as its error handler.
    ///
    /// Outside a launcher Open MPI starts a singleton job of one process.
    /// - Throws: ``CollectivesError/alreadyInitialized`` on a second call in one process;
    ///   ``CollectivesError/insufficientThreadSupport(provided:)``; ``CollectivesError/mpi(call:code:message:)``.
    public static func world() throws(CollectivesError) -> MPICommunicator {
        let first = initialized.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { throw .alreadyInitialized }
        var provided: Int32 = 0
        try check(MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SERIALIZED), &provided), "MPI_Init_thread")
        guard provided >= Int32(MPI_THREAD_SERIALIZED) else { throw .insufficientThreadSupport(provided: provided) }
        let world = quarry_mpi_comm_world()!
        try check(MPI_Comm_set_errhandler(world, quarry_mpi_errors_return()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0, size: Int32 = 0
        try check(MPI_Comm_rank(world, &rank), "MPI_Comm_rank")
        try check(MPI_Comm_size(world, &size), "MPI_Comm_size")
        return MPICommunicator(communicator: world, rank: Int(rank), size: Int(size))
    }

    private init(communicator: MPI_Comm, rank: Int, size: Int) {
        self.communicator = communicator
        self.rank = rank
        self.size = size
    }

    /// Sums `buffer` over the ranks in place (MPI_Allreduce with MPI_IN_PLACE and MPI_SUM).
    /// - Throws: see ``Communicator/allReduceSum(_:)-(UnsafeMutableBufferPointer<Float>)``.
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectivesError) {
        try allReduceSum(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, type: quarry_mpi_float())
    }

    /// Sums `buffer` over the ranks in place, in double precision.
    /// - Throws: see ``Communicator/allReduceSum(_:)-(UnsafeMutableBufferPointer<Double>)``.
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws(CollectivesError) {
        try allReduceSum(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, type: quarry_mpi_double())
    }

    /// The one blocking call: MPI_Allreduce, Open MPI's tuned collective (segmented ring or
    /// recursive doubling by size), took 1–10 ms for 981,463 floats on 2 loopback ranks where
    /// its nonblocking twin (libnbc's schedule), polled, took 10–40 ms. All ranks of a
    /// data-parallel step reach the sum at about the same time, so its busy wait is short.
    private func allReduceSum(_ base: UnsafeMutableRawPointer?, count: Int, type: MPI_Datatype) throws(CollectivesError) {
        try checkOpen()
        let count = try Self.mpiCount(count, call: "MPI_Allreduce")
        try Self.check(MPI_Allreduce(quarry_mpi_in_place(), base, count, type, quarry_mpi_sum(), communicator), "MPI_Allreduce")
    }

    /// Gathers every rank's bytes: first each contribution's length (MPI_Iallgather of an
    /// Int64), then the bytes (MPI_Iallgatherv).
    /// - Throws: see ``Communicator/allGather(_:)``.
    public func allGather(_ bytes: [UInt8]) throws(CollectivesError) -> [[UInt8]] {
        try checkOpen()
        var length = Int64(bytes.count)
        var lengths = [Int64](repeating: 0, count: size)
        var request = quarry_mpi_request_null()
        try lengths.withUnsafeMutableBufferPointer { (lengths) throws(CollectivesError) in
            try Self.check(MPI_Iallgather(&length, 1, quarry_mpi_int64(), lengths.baseAddress, 1, quarry_mpi_int64(), communicator,
                                          &request), "MPI_Iallgather")
            try Self.complete(&request, "MPI_Iallgather")
        }
        let total = lengths.reduce(0, +)
        let counts = try lengths.map { (length) throws(CollectivesError) in try Self.mpiCount(Int(length), call: "MPI_Iallgatherv") }
        _ = try Self.mpiCount(Int(total), call: "MPI_Iallgatherv")
        var displacements = [Int32](repeating: 0, count: size)
        for r in 1..<max(size, 1) { displacements[r] = displacements[r - 1] + counts[r - 1] }
        // At least one byte each: an empty array may have no storage, and MPI reads or writes
        // nothing through a zero count.
        var gathered = [UInt8](repeating: 0, count: max(Int(total), 1))
        var sendBuffer = bytes.isEmpty ? [0] : bytes
        try sendBuffer.withUnsafeMutableBufferPointer { (send) throws(CollectivesError) in
            try gathered.withUnsafeMutableBufferPointer { (receive) throws(CollectivesError) in
                try Self.check(MPI_Iallgatherv(send.baseAddress, counts[rank], quarry_mpi_byte(), receive.baseAddress, counts,
                                               displacements, quarry_mpi_byte(), communicator, &request), "MPI_Iallgatherv")
                try Self.complete(&request, "MPI_Iallgatherv")
            }
        }
        return (0..<size).map { r in Array(gathered[Int(displacements[r])..<Int(displacements[r] + counts[r])]) }
    }

    /// Overwrites `buffer` with the root's (MPI_Ibcast of bytes).
    /// - Throws: see ``Communicator/broadcast(_:from:)``.
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) throws(CollectivesError) {
        try checkOpen()
        try checkRank(root)
        let count = try Self.mpiCount(buffer.count, call: "MPI_Ibcast")
        var request = quarry_mpi_request_null()
        try Self.check(MPI_Ibcast(buffer.baseAddress, count, quarry_mpi_byte(), Int32(root), communicator, &request), "MPI_Ibcast")
        try Self.complete(&request, "MPI_Ibcast")
    }

    /// Waits until every rank has called it (MPI_Ibarrier).
    /// - Throws: see ``Communicator/barrier()``.
    public func barrier() throws(CollectivesError) {
        try checkOpen()
        var request = quarry_mpi_request_null()
        try Self.check(MPI_Ibarrier(communicator, &request), "MPI_Ibarrier")
        try Self.complete(&request, "MPI_Ibarrier")
    }

    /// Sends `bytes` (MPI_Isend) and waits until the buffer may be reused.
    /// - Throws: see ``Communicator/send(_:to:tag:)``.
    public func send(_ bytes: [UInt8], to destination: Int, tag: Int) throws(CollectivesError) {
        try checkOpen()
        try checkRank(destination)
        try Self.checkTag(tag)
        let count = try Self.mpiCount(bytes.count, call: "MPI_Isend")
        var message = bytes.isEmpty ? [0] : bytes
        var request = quarry_mpi_request_null()
        try message.withUnsafeMutableBufferPointer { (buffer) throws(CollectivesError) in
            try Self.check(MPI_Isend(buffer.baseAddress, count, quarry_mpi_byte(), Int32(destination), Int32(tag), communicator, &request),
                           "MPI_Isend")
            try Self.complete(&request, "MPI_Isend")
        }
    }

    /// Waits for the next message with `tag` from `source` (any rank when nil), polling.
    /// - Throws: see ``Communicator/receive(from:tag:)``.
    public func receive(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage {
        var backoff = PollingBackoff()
        while true {
            if let message = try receiveIfAvailable(from: source, tag: tag) { return message }
            backoff.pause()
        }
    }

    /// Returns the next message with `tag` from `source` (any rank when nil) if one has
    /// arrived: MPI_Iprobe, MPI_Get_count, then MPI_Irecv of exactly that message.
    /// - Throws: see ``Communicator/receiveIfAvailable(from:tag:)``.
    public func receiveIfAvailable(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage? {
        try checkOpen()
        if let source { try checkRank(source) }
        try Self.checkTag(tag)
        var flag: Int32 = 0
        var status = MPI_Status()
        try Self.check(MPI_Iprobe(Int32(source ?? Int(MPI_ANY_SOURCE)), Int32(tag), communicator, &flag, &status), "MPI_Iprobe")
        guard flag != 0 else { return nil }
        var count: Int32 = 0
        try Self.check(MPI_Get_count(&status, quarry_mpi_byte(), &count), "MPI_Get_count")
        // Receive from the probed sender: messages from one sender with one tag do not overtake
        // each other (MPI 3.1 §3.5), so this is the probed message.
        let sender = status.MPI_SOURCE
        var bytes = [UInt8](repeating: 0, count: max(Int(count), 1))
        var request = quarry_mpi_request_null()
        try bytes.withUnsafeMutableBufferPointer { (buffer) throws(CollectivesError) in
            try Self.check(MPI_Irecv(buffer.baseAddress, count, quarry_mpi_byte(), sender, Int32(tag), communicator, &request), "MPI_Irecv")
            try Self.complete(&request, "MPI_Irecv")
        }
        return ReceivedMessage(source: Int(sender), tag: tag, bytes: Array(bytes.prefix(Int(count))))
    }

    /// Waits for every rank at a polled barrier, then calls MPI_Finalize.
    ///
    /// Why the barrier first: MPI_Finalize synchronizes the ranks too, but busy-polls while it
    /// waits, and a rank that finished its work early would spin a core until the last rank ends.
    /// - Throws: see ``Communicator/finalize()``.
    public func finalize() throws(CollectivesError) {
        try barrier()
        isFinalized = true
        try Self.check(MPI_Finalize(), "MPI_Finalize")
    }

    // MARK: - Checks and waits

    private func checkOpen() throws(CollectivesError) {
        if isFinalized { throw .finalized }
    }

    private func checkRank(_ rank: Int) throws(CollectivesError) {
        guard (0..<size).contains(rank) else { throw .invalidRank(rank, size: size) }
    }

    private static func checkTag(_ tag: Int) throws(CollectivesError) {
        guard (0...CommunicatorLimits.maximumTag).contains(tag) else { throw .invalidTag(tag) }
    }

    /// `count` as an MPI count (C `int`).
    private static func mpiCount(_ count: Int, call: String) throws(CollectivesError) -> Int32 {
        guard let value = Int32(exactly: count) else {
            throw .countTooLarge(count: count, limit: CommunicatorLimits.maximumCount, call: call)
        }
        return value
    }

    /// Turns an MPI return code into ``CollectivesError/mpi(call:code:message:)``.
    private static func check(_ code: Int32, _ call: String) throws(CollectivesError) {
        guard code != Int32(MPI_SUCCESS) else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        let message = MPI_Error_string(code, &text, &length) == Int32(MPI_SUCCESS)
            ? String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown error"
        throw .mpi(call: call, code: code, message: message)
    }

    /// Waits for `request` with MPI_Test and `PollingBackoff`.
    private static func complete(_ request: inout MPI_Request?, _ call: String) throws(CollectivesError) {
        var backoff = PollingBackoff()
        while true {
            var done: Int32 = 0
            try check(MPI_Test(&request, &done, quarry_mpi_status_ignore()), "MPI_Test (\(call))")
            if done != 0 { return }
            backoff.pause()
        }
    }
}
#endif
