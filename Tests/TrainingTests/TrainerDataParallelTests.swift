// The data-parallel trainer in one process (SingleProcessCommunicator; the 2-rank runs are
// MPITests in CLITests): its checks, its exact resume, and checkpoints that name their form.
import Collectives
import Foundation
import Testing
import Detection
import NN
@testable import Training

/// A group of `size` ranks of which this is rank 0, for the checks that read only the size.
final class SizeOnlyCommunicator: Communicator {
    let rank = 0, size: Int
    init(size: Int) { self.size = size }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectivesError) { preconditionFailure("not a group") }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws(CollectivesError) { preconditionFailure("not a group") }
    func allGather(_ bytes: [UInt8]) throws(CollectivesError) -> [[UInt8]] { preconditionFailure("not a group") }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) throws(CollectivesError) { preconditionFailure("not a group") }
    func barrier() throws(CollectivesError) { preconditionFailure("not a group") }
    func send(_ bytes: [UInt8], to destination: Int, tag: Int) throws(CollectivesError) { preconditionFailure("not a group") }
    func receive(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage { preconditionFailure("not a group") }
    func receiveIfAvailable(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage? { preconditionFailure("not a group") }
    func finalize() throws(CollectivesError) {}
}

/// Rank 0 of two, whose peer answers every all-gather with rank 0's bytes, each flipped in its
/// lowest bit when `peerDiffers` (a replica that drifted, or was started with other flags).
final class EchoPeerCommunicator: Communicator {
    let rank = 0, size = 2
    var peerDiffers: Bool
    init(peerDiffers: Bool) { self.peerDiffers = peerDiffers }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws(CollectivesError) {
        for i in buffer.indices { buffer[i] *= 2 }
    }
    func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws(CollectivesError) {
        for i in buffer.indices { buffer[i] *= 2 }
    }
    func allGather(_ bytes: [UInt8]) throws(CollectivesError) -> [[UInt8]] { [bytes, peerDiffers ? bytes.map { $0 ^ 1 } : bytes] }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) throws(CollectivesError) {}
    func barrier() throws(CollectivesError) {}
    func send(_ bytes: [UInt8], to destination: Int, tag: Int) throws(CollectivesError) { preconditionFailure("no messages") }
    func receive(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage { preconditionFailure("no messages") }
    func receiveIfAvailable(from source: Int?, tag: Int) throws(CollectivesError) -> ReceivedMessage? { preconditionFailure("no messages") }
    func finalize() throws(CollectivesError) {}
}

@Suite("Trainer, data-parallel")
struct TrainerDataParallelTests {
    func configuration(iterations: Int, batchSize: Int = 2) -> TrainingConfiguration {
        var c = TrainingConfiguration(iterations: iterations, seed: 11)
        c.batchSize = batchSize
        return c
    }

    @Test("a batch that does not split evenly over the ranks is refused, naming both counts")
    func batchNotDivisible() throws {
        var trainer = Trainer(samples: try digitsSamples(count: 4), classCount: 10, configuration: configuration(iterations: 2))
        #expect(throws: TrainingError.batchNotDivisible(batchSize: 2, ranks: 3)) { try trainer.distribute(over: SizeOnlyCommunicator(size: 3)) }
        #expect(trainer.communicator == nil)
        try trainer.distribute(over: SizeOnlyCommunicator(size: 2))
        #expect(trainer.communicator?.size == 2)
    }

    @Test("a rank with another configuration is named at the start; replicas that differ stop the run")
    func replicaChecks() throws {
        var trainer = Trainer(samples: try digitsSamples(count: 4), classCount: 10, configuration: configuration(iterations: 2))
        let peer = EchoPeerCommunicator(peerDiffers: true)
        try trainer.distribute(over: peer)
        #expect(throws: TrainingError.configurationDiffers(rank: 1)) { try trainer.synchronizeReplicas() }
        peer.peerDiffers = false
        try trainer.synchronizeReplicas()
        _ = try trainer.step()
        try trainer.verifyReplicas()
        peer.peerDiffers = true
        let own = trainer.replicaChecksum()
        #expect(throws: TrainingError.replicasDiverged(iteration: 1, checksums: [own, own ^ 0x0101_0101_0101_0101])) {
            try trainer.verifyReplicas()
        }
    }

    @Test("one rank: finite steps, replicas verified, and an exact resume from a per-image checkpoint",
          arguments: [StrategyKind.random, .hardNegativeBuffer, .hardNegativeBufferSeparate])
    func resume(_ strategy: StrategyKind) throws {
        let samples = try digitsSamples(count: 4)
        let url = TrainerTests.temporaryCheckpoint()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        func trainer() throws -> Trainer {
            var t = Trainer(samples: samples, classCount: 10, strategy: strategy, configuration: configuration(iterations: 6))
            try t.distribute(over: SingleProcessCommunicator())
            return t
        }
        var straight = try trainer(), interrupted = try trainer()
        try straight.synchronizeReplicas()
        var expected: [StepRecord] = []
        for _ in 0..<6 { expected.append(try straight.step()) }
        #expect(expected.allSatisfy { $0.total.isFinite && $0.total > 0 })
        for _ in 0..<3 { _ = try interrupted.step() }
        try interrupted.saveCheckpoint(to: url, strategyName: strategy.rawValue)
        let stored = try Checkpoint(contentsOf: url).metadata
        #expect(stored["quarry.sampling_streams"] == "per-image" && stored["quarry.world_size"] == "1")
        var resumed = try trainer()
        try resumed.resume(from: url, strategyName: strategy.rawValue)
        try resumed.synchronizeReplicas()
        var rest: [StepRecord] = []
        for _ in 0..<3 { rest.append(try resumed.step()) }
        #expect(rest.map(\.terms) == expected[3...].map(\.terms))
        // A plain run cannot continue a data-parallel checkpoint: their selections draw differently.
        var plain = Trainer(samples: samples, classCount: 10, strategy: strategy, configuration: configuration(iterations: 6))
        #expect(throws: TrainingError.self) { try plain.resume(from: url, strategyName: strategy.rawValue) }
        do { try plain.resume(from: url, strategyName: strategy.rawValue) } catch {
            #expect(error.description.contains("quarry.sampling_streams"), "\(error)")
        }
    }
}
