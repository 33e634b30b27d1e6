// A point-to-point message as it arrived: who sent it, its tag and its bytes.

/// A message returned by ``Communicator/receive(from:tag:)``.
public struct ReceivedMessage: Sendable, Equatable {
    /// The sending rank.
    public var source: Int
    /// The tag the sender gave.
    public var tag: Int
    /// The message's bytes.
    public var bytes: [UInt8]

    /// Creates a message record.
    public init(source: Int, tag: Int, bytes: [UInt8]) {
        self.source = source
        self.tag = tag
        self.bytes = bytes
    }
}
