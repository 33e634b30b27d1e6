// Array and Codable forms of the protocol's buffer operations, written once over the protocol
// so every implementation gets them.

extension Communicator {
    /// Replaces `values` on every rank by the element-wise sum over ranks (see
    /// ``Communicator/allReduceSum(_:)-(UnsafeMutableBufferPointer<Float>)``).
    /// - Parameter values: [E] values, E the same on every rank.
    /// - Throws: as the buffer form.
    public func allReduceSum(_ values: inout [Float]) throws(CollectivesError) {
        let result: Result<Void, CollectivesError> = values.withUnsafeMutableBufferPointer { buffer in
            Result { () throws(CollectivesError) in try allReduceSum(buffer) }
        }
        try result.get()
    }

    /// Replaces `values` on every rank by the element-wise sum over ranks, in double precision.
    /// - Parameter values: [E] values, E the same on every rank.
    /// - Throws: as the buffer form.
    public func allReduceSum(_ values: inout [Double]) throws(CollectivesError) {
        let result: Result<Void, CollectivesError> = values.withUnsafeMutableBufferPointer { buffer in
            Result { () throws(CollectivesError) in try allReduceSum(buffer) }
        }
        try result.get()
    }

    /// Overwrites `values` on every rank with the root's (same count on every rank), e.g. the
    /// initial parameters from rank 0.
    /// - Throws: as ``Communicator/broadcast(_:from:)``.
    public func broadcast(_ values: inout [Float], from root: Int) throws(CollectivesError) {
        let result: Result<Void, CollectivesError> = values.withUnsafeMutableBytes { bytes in
            Result { () throws(CollectivesError) in try broadcast(bytes, from: root) }
        }
        try result.get()
    }

    /// Returns the root's `bytes` on every rank, whatever length the other ranks pass (the
    /// length goes first, as an Int64, then the bytes).
    /// - Parameters:
    ///   - bytes: the root's message; ignored on the other ranks.
    ///   - root: the sending rank.
    /// - Throws: as ``Communicator/broadcast(_:from:)``.
    public func broadcastBytes(_ bytes: [UInt8], from root: Int) throws(CollectivesError) -> [UInt8] {
        var count = [Int64(rank == root ? bytes.count : 0)]
        let sent: Result<Void, CollectivesError> = count.withUnsafeMutableBytes { raw in
            Result { () throws(CollectivesError) in try broadcast(raw, from: root) }
        }
        try sent.get()
        guard count[0] >= 0, count[0] <= Int64(CommunicatorLimits.maximumCount) else {
            throw .countTooLarge(count: Int(clamping: count[0]), limit: CommunicatorLimits.maximumCount, call: "broadcastBytes")
        }
        var message = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count[0]))
        let received: Result<Void, CollectivesError> = message.withUnsafeMutableBytes { raw in
            Result { () throws(CollectivesError) in try broadcast(raw, from: root) }
        }
        try received.get()
        return message
    }

    /// Returns every rank's `value`, indexed by rank (JSON through ``Communicator/allGather(_:)``).
    /// - Throws: ``CollectivesError/transfer(what:description:)`` when a value does not encode
    ///   or decode; otherwise as ``Communicator/allGather(_:)``.
    public func allGather<Value: Codable>(_ value: Value) throws(CollectivesError) -> [Value] {
        let gathered = try allGather(try TransferCoding.encode(value, what: "rank \(rank)'s \(Value.self)"))
        var values: [Value] = []
        for (source, bytes) in gathered.enumerated() {
            values.append(try TransferCoding.decode(Value.self, from: bytes, what: "rank \(source)'s \(Value.self)"))
        }
        return values
    }
}
