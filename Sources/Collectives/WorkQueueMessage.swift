// The two messages of the work queue, as bytes. A worker's message to rank 0 is one kind byte,
// the job index as a little-endian Int64, then the payload; rank 0's answer is the next job
// index as a little-endian Int64, or −1 for "no more work".

/// A worker's message to rank 0.
enum WorkerMessage: Equatable {
    /// The worker has nothing to report and wants a job (its first message).
    case ready
    /// The worker finished job `index`; `result` is the job's value as JSON. It wants another job.
    case finished(index: Int, result: [UInt8])
    /// Job `index` threw; `description` is the error's text. The worker stops after sending it.
    case failed(index: Int, description: String)

    /// The tag of a worker's messages to rank 0.
    static let tag = 1

    /// The message as bytes.
    var bytes: [UInt8] {
        switch self {
        case .ready: [0] + Self.bytes(of: -1)
        case let .finished(index, result): [1] + Self.bytes(of: Int64(index)) + result
        case let .failed(index, description): [2] + Self.bytes(of: Int64(index)) + Array(description.utf8)
        }
    }

    /// Reads a message that `bytes` wrote; nil when `bytes` is not one.
    init?(bytes: [UInt8]) {
        guard bytes.count >= 9, let index = Self.integer(bytes[1..<9]) else { return nil }
        let payload = Array(bytes[9...])
        switch bytes[0] {
        case 0 where index == -1 && payload.isEmpty: self = .ready
        case 1 where index >= 0: self = .finished(index: Int(index), result: payload)
        case 2 where index >= 0: self = .failed(index: Int(index), description: String(decoding: payload, as: UTF8.self))
        default: return nil
        }
    }

    /// The 8 little-endian bytes of `value`.
    static func bytes(of value: Int64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    /// The Int64 that `bytes(of:)` wrote; nil unless there are exactly 8 bytes.
    static func integer(_ bytes: ArraySlice<UInt8>) -> Int64? {
        guard bytes.count == 8 else { return nil }
        return bytes.reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }
}

/// Rank 0's answer to a worker: the next job, or no more work.
enum Assignment: Equatable {
    /// Run job `index` next.
    case job(Int)
    /// There is no more work: the worker leaves the queue.
    case stop

    /// The tag of rank 0's answers.
    static let tag = 2

    /// The answer as bytes.
    var bytes: [UInt8] {
        switch self {
        case .job(let index): WorkerMessage.bytes(of: Int64(index))
        case .stop: WorkerMessage.bytes(of: -1)
        }
    }

    /// Reads an answer that `bytes` wrote; nil when `bytes` is not one.
    init?(bytes: [UInt8]) {
        guard let value = WorkerMessage.integer(bytes[...]) else { return nil }
        if value == -1 { self = .stop } else if value >= 0 { self = .job(Int(value)) } else { return nil }
    }
}
