// Ranks as threads of the test process, exchanging messages through shared mailboxes: enough
// of `Communicator` to test the work queue's protocol without MPI. Collectives are not needed
// by the queue and fail the test if called.
import Collectives
import Foundation
import Synchronization
import Testing

/// The mailboxes of N in-process ranks.
final class LoopbackHub: @unchecked Sendable {
    // Invariant: `mailboxes` is read and written only with `condition` locked.
    private let condition = NSCondition()
    private var mailboxes: [[ReceivedMessage]]
    /// How long a blocking receive waits before giving up, in seconds.
    let receiveTimeout: TimeInterval

    init(size: Int, receiveTimeout: TimeInterval) {
        mailboxes = Array(repeating: [], count: size)
        self.receiveTimeout = receiveTimeout
    }

    func post(_ message: ReceivedMessage, to destination: Int) {
        condition.lock()
        mailboxes[destination].append(message)
        condition.broadcast()
        condition.unlock()
    }

    func take(for rank: Int, from source: Int?, tag: Int, wait: Bool) -> ReceivedMessage? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let index = mailboxes[rank].firstIndex(where: { $0.tag == tag && (source == nil || $0.source == source) }) {
                return mailboxes[rank].remove(at: index)
            }
            guard wait else { return nil }
            // A bounded wait, so that a protocol bug fails the test instead of hanging it.
            guard condition.wait(until: Date().addingTimeInterval(receiveTimeout)) else { return nil }
        }
    }
}

/// One rank of a `LoopbackHub`.
final class LoopbackCommunicator: Communicator {
    let rank: Int
    let size: Int
    let hub: LoopbackHub

    init(rank: Int, size: Int, hub: LoopbackHub) {
        self.rank = rank
        self.size = size
        self.hub = hub
    }

    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectivesError) { Issue.record("not used by the queue") }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws(CollectivesError) { Issue.record("not used by the queue") }
    func allGather(_ bytes: [UInt8]) throws(CollectivesError) -> [[UInt8]] {
        Issue.record("not used by the queue")
        return []
    }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) throws(CollectivesError) { Issue.record("not used by the queue") }
    func barrier() throws(CollectivesError) { Issue.record("not used by the queue") }
    func finalize() throws(CollectivesError) {}

    func send(_ bytes: [UInt8], to destination: Int, tag: Int) throws(CollectivesError) {
        guard (0..<size).contains(destination) else { throw .invalidRank(destination, size: size) }
        hub.post(ReceivedMessage(source: rank, tag: tag, bytes: bytes), to: destination)
    }

    func receive(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage {
        guard let message = hub.take(for: rank, from: source, tag: tag, wait: true) else { throw .noMessageCanArrive(tag: tag) }
        return message
    }

    func receiveIfAvailable(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage? {
        hub.take(for: rank, from: source, tag: tag, wait: false)
    }
}

/// Runs `body(communicator)` for every rank of an in-process group of `size`, each on its own
/// thread, and returns each rank's outcome by rank. A receive that waits longer than
/// `receiveTimeout` seconds throws `noMessageCanArrive` (where MPI's launcher would end the job).
func runLoopbackGroup<T: Sendable>(size: Int, receiveTimeout: TimeInterval = 30, _ body: @escaping @Sendable (LoopbackCommunicator) throws -> T) -> [Result<T, any Error>] {
    let hub = LoopbackHub(size: size, receiveTimeout: receiveTimeout)
    let outcomes = Tally<[Result<T, any Error>?]>(Array(repeating: nil, count: size))
    DispatchQueue.concurrentPerform(iterations: size) { rank in
        let outcome = Result { try body(LoopbackCommunicator(rank: rank, size: size, hub: hub)) }
        outcomes.update { $0[rank] = outcome }
    }
    return outcomes.value.map { $0! }
}

/// A value several threads update under a lock (a class, so escaping closures can share it).
final class Tally<Value: Sendable>: Sendable {
    private let state: Mutex<Value>

    init(_ value: Value) { state = Mutex(value) }

    func update(_ change: (inout Value) -> Void) { state.withLock { change(&$0) } }

    var value: Value { state.withLock { $0 } }
}
