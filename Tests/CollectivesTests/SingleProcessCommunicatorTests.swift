import Collectives
import Testing

@Suite("The single-process communicator: every collective over one rank")
struct SingleProcessCommunicatorTests {
    @Test("rank 0 of 1; sums, gathers and broadcasts leave the values as they are")
    func identity() throws {
        let group = SingleProcessCommunicator()
        #expect(group.rank == 0 && group.size == 1)
        var floats: [Float] = [1.5, -2, 0]
        try group.allReduceSum(&floats)
        #expect(floats == [1.5, -2, 0])
        var doubles: [Double] = [3.25]
        try group.allReduceSum(&doubles)
        #expect(doubles == [3.25])
        #expect(try group.allGather([7, 8]) == [[7, 8]])
        #expect(try group.allGather([UInt8]()) == [[]])
        var parameters: [Float] = [4, 5]
        try group.broadcast(&parameters, from: 0)
        #expect(parameters == [4, 5])
        #expect(try group.broadcastBytes([1, 2, 3], from: 0) == [1, 2, 3])
        #expect(try group.allGather(["a": 1.0]) == [["a": 1.0]])
        try group.barrier()
    }

    @Test("messages to oneself arrive in order per tag; an empty mailbox throws instead of waiting")
    func mailbox() throws {
        let group = SingleProcessCommunicator()
        try group.send([1], to: 0, tag: 5)
        try group.send([2], to: 0, tag: 6)
        try group.send([3], to: 0, tag: 5)
        #expect(try group.receive(from: nil, tag: 6) == ReceivedMessage(source: 0, tag: 6, bytes: [2]))
        #expect(try group.receive(from: 0, tag: 5).bytes == [1])
        #expect(try group.receiveIfAvailable(from: nil, tag: 5)?.bytes == [3])
        #expect(try group.receiveIfAvailable(from: nil, tag: 5) == nil)
        #expect(throws: CollectivesError.noMessageCanArrive(tag: 5)) { try group.receive(from: nil, tag: 5) }
    }

    @Test("ranks other than 0, tags beyond 32767 and use after finalize are typed errors")
    func errors() throws {
        let group = SingleProcessCommunicator()
        #expect(throws: CollectivesError.invalidRank(1, size: 1)) { try group.send([], to: 1, tag: 0) }
        #expect(throws: CollectivesError.invalidRank(2, size: 1)) { try group.broadcastBytes([1], from: 2) }
        #expect(throws: CollectivesError.invalidTag(32768)) { try group.send([], to: 0, tag: 32768) }
        #expect(throws: CollectivesError.invalidTag(-1)) { try group.receiveIfAvailable(from: nil, tag: -1) }
        try group.finalize()
        #expect(throws: CollectivesError.finalized) { try group.barrier() }
        #expect(throws: CollectivesError.finalized) { try group.finalize() }
    }
}
