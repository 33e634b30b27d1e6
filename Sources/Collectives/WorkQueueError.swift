// Why a distributed work queue stopped.

/// An error of ``WorkQueue/map(count:over:_:)`` other than a communication error.
public enum WorkQueueError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Job `index` threw on rank `rank`; `description` is the error's text.
    case jobFailed(index: Int, rank: Int, description: String)
    /// Rank `rank` sent bytes that are not a work-queue message (a different program or
    /// version on that rank).
    case malformedMessage(rank: Int)
    /// Rank `rank` reported job `index`, which it was not given.
    case unexpectedResult(index: Int, rank: Int)

    /// One line naming the rank and the job.
    public var description: String {
        switch self {
        case let .jobFailed(index, rank, description): "job \(index) failed on rank \(rank): \(description)"
        case let .malformedMessage(rank): "rank \(rank) sent a message that is not part of the work queue"
        case let .unexpectedResult(index, rank): "rank \(rank) reported job \(index), which it was not given"
        }
    }
}
