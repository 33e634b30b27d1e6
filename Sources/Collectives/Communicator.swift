// The collective operations Quarry's distributed runs need, behind one protocol: a
// single-process implementation (the default build, and any run not started by an MPI
// launcher) and an Open MPI one (`swift build --traits MPI`). Data-parallel training sums one
// fused, flattened gradient buffer per step with `allReduceSum`; the comparison grid hands runs
// out with `send`/`receive` (WorkQueue.swift). docs/distributed.md shows both.
//
// Legend: N ranks (processes) in the group, numbered 0..<N; rank 0 is the root by convention.

/// A fixed group of processes ("ranks") and the operations they perform together.
///
/// Every collective (`allReduceSum`, `allGather`, `broadcast`, `barrier`) must be called by
/// every rank of the group, in the same order, with matching arguments (the same element count
/// in `allReduceSum`, the same root in `broadcast`), as MPI requires (MPI 3.1 §5.1). A call
/// returns once this rank's part is complete. Waits poll with sleeps, leaving the core to
/// ranks that still compute, except in `allReduceSum` (see ``MPICommunicator``). None of them hangs on a rank that died: under
/// `mpirun` the launcher ends the whole job when a process exits without finalizing
/// (docs/distributed.md, "When a rank dies"), and an error MPI reports becomes a thrown
/// ``CollectivesError`` naming the call.
///
/// One thread at a time may call a communicator (MPI_THREAD_SERIALIZED, MPI 3.1 §12.4.3).
public protocol Communicator: AnyObject {
    /// This process's rank in 0..<size.
    var rank: Int { get }
    /// The number of ranks N in the group (≥ 1).
    var size: Int { get }

    /// Replaces `buffer` on every rank by the element-wise sum of every rank's `buffer`
    /// (MPI_Allreduce with MPI_SUM, in place; MPI 3.1 §5.9.6).
    ///
    /// This is the data-parallel step's one call: each rank's gradients, flattened into one
    /// contiguous buffer, become the sum over ranks (Horovod's "tensor fusion"). The summation
    /// order is the MPI library's, and MPI only advises that every rank get the same bits
    /// (MPI 3.1 §5.9.1), so replicas that must stay identical should be compared by checksum.
    /// - Parameter buffer: [E] values, E the same on every rank; summed in place.
    /// - Throws: ``CollectivesError/countTooLarge(count:limit:call:)`` when E > 2³¹ − 1,
    ///   ``CollectivesError/mpi(call:code:message:)`` when MPI reports an error.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectivesError)

    /// Replaces `buffer` on every rank by the element-wise sum of every rank's `buffer`, in
    /// double precision (loss sums, selection counts; MPI_Allreduce, MPI 3.1 §5.9.6).
    /// - Parameter buffer: [E] values, E the same on every rank; summed in place.
    /// - Throws: as the `Float` form.
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws(CollectivesError)

    /// Returns every rank's `bytes`, indexed by rank; the ranks may contribute different
    /// lengths, including none (MPI_Allgather of the lengths, then MPI_Allgatherv; MPI 3.1 §5.7).
    /// - Parameter bytes: this rank's contribution.
    /// - Returns: N byte arrays, element r from rank r.
    /// - Throws: ``CollectivesError/countTooLarge(count:limit:call:)`` when the contributions
    ///   total more than 2³¹ − 1 bytes; ``CollectivesError/mpi(call:code:message:)``.
    func allGather(_ bytes: [UInt8]) throws(CollectivesError) -> [[UInt8]]

    /// Overwrites `buffer` on every rank with the root's `buffer` (MPI_Bcast of bytes,
    /// MPI 3.1 §5.4). The bytes are copied as they are, so every machine must share the byte
    /// order and float format (every x86-64 and AArch64 Linux does).
    /// - Parameters:
    ///   - buffer: the same byte count on every rank; the root's is sent, the others' replaced.
    ///   - root: the rank whose bytes everyone gets.
    /// - Throws: ``CollectivesError/invalidRank(_:size:)`` when `root` is not in 0..<N;
    ///   ``CollectivesError/countTooLarge(count:limit:call:)``; ``CollectivesError/mpi(call:code:message:)``.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) throws(CollectivesError)

    /// Returns once every rank has called it (MPI_Barrier, MPI 3.1 §5.3).
    /// - Throws: ``CollectivesError/mpi(call:code:message:)``.
    func barrier() throws(CollectivesError)

    /// Sends `bytes` to one rank, returning once the buffer may be reused (MPI_Isend and a
    /// wait, MPI 3.1 §3.7). Messages from one rank to another with the same tag arrive in the
    /// order sent (MPI 3.1 §3.5).
    /// - Parameters:
    ///   - bytes: the message.
    ///   - destination: the receiving rank.
    ///   - tag: the message's kind, in 0...32767 (the smallest upper bound MPI guarantees).
    /// - Throws: ``CollectivesError/invalidRank(_:size:)``, ``CollectivesError/invalidTag(_:)``,
    ///   ``CollectivesError/countTooLarge(count:limit:call:)``, ``CollectivesError/mpi(call:code:message:)``.
    func send(_ bytes: [UInt8], to destination: Int, tag: Int) throws(CollectivesError)

    /// Returns the next message with `tag` from `source` (from any rank when nil), waiting for
    /// one to arrive.
    /// - Throws: ``CollectivesError/noMessageCanArrive(tag:)`` when none can ever arrive (a
    ///   single process with an empty mailbox); otherwise as `send`.
    func receive(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage

    /// Returns the next message with `tag` from `source` (any rank when nil) if one has
    /// arrived, nil otherwise; never waits (MPI_Iprobe then a receive, MPI 3.1 §3.8.1).
    /// - Throws: as `send`.
    func receiveIfAvailable(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage?

    /// Ends this process's part in the group: waits for every rank to call `finalize` too
    /// (without spinning a core), then releases the library (MPI_Finalize, MPI 3.1 §8.7).
    /// Call it once, at the end of a successful job; after an error, exit without it, so the
    /// launcher ends the other ranks. Later calls of any method throw ``CollectivesError/finalized``.
    /// - Throws: ``CollectivesError/mpi(call:code:message:)``, ``CollectivesError/finalized``.
    func finalize() throws(CollectivesError)
}
