// The group of one: what a run sees without MPI. Every collective is the identity (the sum,
// gather and broadcast over one rank), so code written against `Communicator` runs unchanged
// in one process; messages to oneself queue in a mailbox.

/// The communicator of a job with one process (rank 0 of 1).
///
/// `allReduceSum`, `broadcast` and `barrier` leave their arguments as they are; `allGather`
/// returns `[bytes]`; `send` to rank 0 queues the message, which `receive` then returns in
/// order. A receive with nothing queued throws instead of waiting forever.
public final class SingleProcessCommunicator: Communicator {
    /// Always 0.
    public let rank = 0
    /// Always 1.
    public let size = 1
    private var mailbox: [ReceivedMessage] = []
    private var isFinalized = false

    /// Creates the group of one.
    public init() {}

    /// Leaves `buffer` as it is (the sum over one rank).
    /// - Throws: ``CollectivesError/finalized`` after `finalize()`.
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectivesError) { try checkOpen() }

    /// Leaves `buffer` as it is (the sum over one rank).
    /// - Throws: ``CollectivesError/finalized`` after `finalize()`.
    public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws(CollectivesError) { try checkOpen() }

    /// Returns `[bytes]`.
    /// - Throws: ``CollectivesError/finalized`` after `finalize()`.
    public func allGather(_ bytes: [UInt8]) throws(CollectivesError) -> [[UInt8]] {
        try checkOpen()
        return [bytes]
    }

    /// Leaves `buffer` as it is.
    /// - Throws: ``CollectivesError/invalidRank(_:size:)`` unless `root` is 0; ``CollectivesError/finalized``.
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) throws(CollectivesError) {
        try checkOpen()
        try checkRank(root)
    }

    /// Returns at once.
    /// - Throws: ``CollectivesError/finalized`` after `finalize()`.
    public func barrier() throws(CollectivesError) { try checkOpen() }

    /// Queues `bytes` for a later `receive` by this same rank.
    /// - Throws: ``CollectivesError/invalidRank(_:size:)`` unless `destination` is 0;
    ///   ``CollectivesError/invalidTag(_:)``; ``CollectivesError/finalized``.
    public func send(_ bytes: [UInt8], to destination: Int, tag: Int) throws(CollectivesError) {
        try checkOpen()
        try checkRank(destination)
        try checkTag(tag)
        mailbox.append(ReceivedMessage(source: 0, tag: tag, bytes: bytes))
    }

    /// Returns the oldest queued message with `tag`.
    /// - Throws: ``CollectivesError/noMessageCanArrive(tag:)`` when none is queued (nothing else
    ///   could send one); ``CollectivesError/invalidRank(_:size:)`` for a source other than 0.
    public func receive(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage {
        guard let message = try receiveIfAvailable(from: source, tag: tag) else { throw .noMessageCanArrive(tag: tag) }
        return message
    }

    /// Returns and removes the oldest queued message with `tag`, or nil when there is none.
    /// - Throws: ``CollectivesError/invalidRank(_:size:)`` for a source other than 0 or nil;
    ///   ``CollectivesError/invalidTag(_:)``; ``CollectivesError/finalized``.
    public func receiveIfAvailable(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage? {
        try checkOpen()
        if let source { try checkRank(source) }
        try checkTag(tag)
        guard let index = mailbox.firstIndex(where: { $0.tag == tag }) else { return nil }
        return mailbox.remove(at: index)
    }

    /// Marks the communicator finalized.
    /// - Throws: ``CollectivesError/finalized`` when called twice.
    public func finalize() throws(CollectivesError) {
        try checkOpen()
        isFinalized = true
    }

    private func checkOpen() throws(CollectivesError) {
        if isFinalized { throw .finalized }
    }

    private func checkRank(_ rank: Int) throws(CollectivesError) {
        guard rank == 0 else { throw .invalidRank(rank, size: 1) }
    }

    private func checkTag(_ tag: Int) throws(CollectivesError) {
        guard (0...CommunicatorLimits.maximumTag).contains(tag) else { throw .invalidTag(tag) }
    }
}
