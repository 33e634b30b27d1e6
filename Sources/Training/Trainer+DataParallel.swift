// Legend: N ranks, G images in the global batch (configuration.batchSize), S = G / N images per
// rank; P parameters (981,463 floats for TinyFasterRCNN with one class); H heads.
//
// Synchronous data-parallel training (`mpirun -np N quarry train --distributed`): every rank
// holds a replica of the model, the optimiser and the strategies' state; each step, rank r
// trains images r·S ..< (r + 1)·S of the global batch, which every rank draws from the same
// seeded data stream (skipping the others' draws without building them), each image in a
// forward and backward pass of its own. So that a step equals the step over the whole batch:
//   1. one all-reduce of doubles per step: every head's normaliser counts and its loss terms
//      times their own normaliser (the unnormalised sums), so every rank knows the global
//      normaliser n and the global terms before the backward pass;
//   2. each image's terms are rescaled from its own normaliser to the global one
//      (term · max(1, n_i) / max(1, n)) and back-propagated: the gradient of Σ_i sum_i / n,
//      the batch's pooled loss; the rank adds the images' gradients in image order;
//   3. one all-reduce of floats: every parameter's gradient flattened into one buffer
//      (Horovod's tensor fusion), plus one flag per parameter saying whether any image reached
//      it, so a parameter none reached keeps no gradient, as in one process;
//   4. every rank takes the same optimiser step.
// Because every image is its own pass and the sums run in image order, 1 rank and 2 ranks
// compute bit for bit the same step (a + b = b + a in IEEE arithmetic; with 3 or more ranks
// MPI's reduction order may differ from the image order in the last bits).
// Stateful strategies exchange their step's updates (`ReplicatedSamplingStrategy`) with one
// all-gather per head. Selections draw from one stream per image (`ImageRandomStreams`), so a
// step depends on the global batch only, not on N: a run equals itself at any number of ranks
// (to the rounding of the sums), and resumes at another one.
// Reference: Goyal et al., "Accurate, Large Minibatch SGD", arXiv:1706.02677 (the global batch
// split over workers, gradients summed); Sergeev & Del Balso, "Horovod", arXiv:1802.05799
// (tensor fusion, rank 0's broadcast of the initial state); PyTorch DDP (the same step on
// every replica).
import Autograd
import Collectives
import Datasets
import Detection
import Foundation
import NN
import TensorCore

extension Trainer {
    /// `per-image` when the run is data-parallel (``communicator`` set), else `sequential`:
    /// how selections draw their randomness, recorded in checkpoints.
    var samplingStreams: String { communicator == nil ? "sequential" : "per-image" }

    /// Makes this run one replica of a data-parallel run over `communicator`'s ranks: from now
    /// on ``step()`` trains this rank's share of each global batch and sums with the others.
    ///
    /// Call it on every rank, before ``resume(from:strategyName:)``, then
    /// ``synchronizeReplicas()``. A run distributed over one rank trains as over N (per-image
    /// selection streams), which differs from the plain one-process run in its random draws.
    /// - Throws: `TrainingError.batchNotDivisible` when the global batch does not split evenly;
    ///   `.strategyNotReplicable` for a strategy whose state cannot be shared between ranks, or
    ///   that mines in rounds over every tile (`hard-negative-bootstrap`: not replicated yet).
    public mutating func distribute(over communicator: any Communicator) throws(TrainingError) {
        guard configuration.batchSize % communicator.size == 0 else {
            throw .batchNotDivisible(batchSize: configuration.batchSize, ranks: communicator.size)
        }
        for instance in strategies where instance is any StatefulSamplingStrategy && !(instance is any ReplicatedSamplingStrategy) {
            throw .strategyNotReplicable(strategy: instance.name)
        }
        // Mining rounds would have to split the tiles over the ranks and merge the buffers: not built.
        for instance in strategies where (instance as? any MiningRoundStrategy)?.miningInterval != nil {
            throw .strategyNotReplicable(strategy: instance.name)
        }
        self.communicator = communicator
    }

    /// Checks that every rank runs the same configuration, overwrites every rank's parameters
    /// with rank 0's (one broadcast of P floats) and compares the replicas' checksums.
    ///
    /// Every rank initialises from the same seed, or resumes from the same checkpoint, so the
    /// broadcast normally changes nothing; it makes rank 0's state the run's by construction,
    /// as Horovod's `broadcast_parameters` does. Call it on every rank after ``distribute(over:)``
    /// (and ``resume(from:strategyName:)``).
    /// - Throws: `TrainingError.configurationDiffers` naming the first rank whose configuration
    ///   differs from rank 0's; `.replicasDiverged` when optimiser or strategy state differs;
    ///   `.collective` when a collective fails.
    /// - Precondition: ``distribute(over:)`` was called.
    public func synchronizeReplicas() throws(TrainingError) {
        guard let communicator else { preconditionFailure("synchronizeReplicas: call distribute(over:) first") }
        let fingerprint = Self.checksum(of: configuration.jsonData())
        let fingerprints = try Self.collective(nil) { () throws in
            try communicator.allGather(withUnsafeBytes(of: fingerprint.littleEndian) { Array($0) })
        }
        if let rank = fingerprints.firstIndex(where: { $0 != fingerprints[0] }) { throw .configurationDiffers(rank: rank) }
        let parameters = model.parameters
        var flat = parameters.flatMap(\.variable.value.scalars)
        try Self.collective(nil) { () throws in
            try flat.withUnsafeMutableBytes { try communicator.broadcast($0, from: 0) }
        }
        var offset = 0
        for parameter in parameters {
            let value = parameter.variable.value
            let count = value.scalars.count
            parameter.variable.value = Tensor(shape: value.shape, scalars: Array(flat[offset..<(offset + count)]))
            offset += count
        }
        try verifyReplicas()
    }

    /// Compares a checksum of this rank's parameters, optimiser state and strategy state with
    /// every other rank's (one all-gather of 8 bytes per rank).
    ///
    /// The replicas apply the same all-reduced gradient, so they stay bit for bit equal as long
    /// as MPI hands every rank the same sum (which MPI advises but does not promise, MPI 3.1
    /// §5.9.1); a difference means the run no longer trains one model.
    /// - Throws: `TrainingError.replicasDiverged` with every rank's checksum; `.collective`.
    /// - Precondition: ``distribute(over:)`` was called.
    public func verifyReplicas() throws(TrainingError) {
        guard let communicator else { preconditionFailure("verifyReplicas: call distribute(over:) first") }
        let sum = replicaChecksum()
        let gathered = try Self.collective(iteration) { () throws in
            try communicator.allGather(withUnsafeBytes(of: sum.littleEndian) { Array($0) })
        }
        let sums = gathered.map { bytes in bytes.reduce(into: (UInt64(0), UInt64(0))) { acc, byte in
            acc.0 |= UInt64(byte) << acc.1
            acc.1 += 8
        }.0 }
        if sums.contains(where: { $0 != sums[0] }) { throw .replicasDiverged(iteration: iteration, checksums: sums) }
    }

    /// FNV-1a over the parameters' and optimiser state's float bit patterns (state tensors by
    /// name) and the stateful strategies' checkpoint state.
    func replicaChecksum() -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ word: UInt64) {
            hash ^= word
            hash &*= 0x0000_0100_0000_01B3
        }
        for parameter in model.parameters {
            for value in parameter.variable.value.scalars { mix(UInt64(value.bitPattern)) }
        }
        let state = optimizer.stateTensors()
        for name in state.keys.sorted() {
            for value in state[name]!.scalars { mix(UInt64(value.bitPattern)) }
        }
        for instance in strategies {
            if let stateful = instance as? any StatefulSamplingStrategy {
                for byte in stateful.checkpointState.utf8 { mix(UInt64(byte)) }
            }
        }
        return hash
    }

    /// FNV-1a of bytes.
    static func checksum(of bytes: some Sequence<UInt8>) -> UInt64 {
        bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }

    /// Runs a collective, wrapping its error with the iteration. (The body's type is untyped
    /// because `withUnsafeMutableBytes` rethrows as `any Error`; only collectives throw in it.)
    static func collective<T>(_ iteration: Int?, _ body: () throws -> T) throws(TrainingError) -> T {
        do { return try body() } catch let error as CollectivesError { throw .collective(iteration: iteration, error) } catch {
            preconditionFailure("a collective threw \(error), not a CollectivesError")
        }
    }

    /// One data-parallel iteration (see the file's comment): this rank's images one at a time
    /// (forward, selection), the strategies' exchange, the normaliser all-reduce, each image's
    /// backward summed in image order, the gradient all-reduce, the step; every
    /// `replicaCheckInterval` iterations, the replicas' checksums.
    mutating func dataParallelStep(over communicator: any Communicator) throws(TrainingError) -> StepRecord {
        let start = DispatchTime.now().uptimeNanoseconds
        let learningRate = schedule.learningRate(at: iteration)
        optimizer.learningRate = learningRate
        let share = configuration.batchSize / communicator.size, first = communicator.rank * share
        let progress = TrainingProgress(step: iteration, stepsPerEpoch: stepsPerEpoch)
        for index in strategies.indices {
            if var replicated = strategies[index] as? any ReplicatedSamplingStrategy {
                replicated.beginSharedStep()
                strategies[index] = replicated
            }
        }
        // Every rank draws the whole batch from the same stream; the others' draws are skipped
        // (no pixels built when the list holds only flips). Each image is a forward pass of its
        // own: a rank then computes an image's losses and gradient bit for bit as any other
        // number of ranks would, and the sum over images below is the all-reduce's order.
        dataStream.skip(first)
        var shards: [DetectorLosses] = []
        for slot in first..<(first + share) {
            let draw = dataStream.nextSample()
            let sample = draw.sample.sample
            // The id rule of `step()`, with the slot in the global batch.
            let id = draw.sample.flip == nil ? samples.count + iteration * configuration.batchSize + slot : draw.index
            let image = SamplingImage(id: id, width: sample.image.width, height: sample.image.height, flip: draw.sample.flip ?? .none)
            var streams = ImageRandomStreams(seed: configuration.streamSeeds.sampling, step: iteration, firstImage: slot, count: 1)
            shards.append(model.trainingLoss(images: RGBImage.pixelTensor([sample.image]),
                                             groundTruth: [GroundTruth(boxes: sample.target.boxTensor, labels: sample.target.labels)],
                                             samplingImages: [image], progress: progress, strategies: &strategies, using: &streams))
        }
        dataStream.skip(configuration.batchSize - first - share)
        // The strategies' state: every rank's updates, applied in rank order (= global image order).
        for index in strategies.indices {
            guard var replicated = strategies[index] as? any ReplicatedSamplingStrategy else { continue }
            let updates = replicated.sharedStepUpdates()
            let gathered = try Self.collective(iteration) { () throws in try communicator.allGather(updates) }
            do { try replicated.endSharedStep(applying: gathered) } catch { throw .replicatedStrategyState(iteration: iteration, error) }
            strategies[index] = replicated
        }

        // 1. Counts and unnormalised sums per head: [n, b, s, classification · max(1, n_i),
        //    separate pass · max(1, s_i), box · max(1, b_i)] summed over the images in order,
        //    then over the ranks (n, b: the classification and box divisors' counts).
        let heads = shards[0].heads.map(\.head)
        let width = 6
        var sums = [Double](repeating: 0, count: width * heads.count)
        for shard in shards {
            for (h, head) in shard.heads.enumerated() {
                let n = Double(max(1, head.normalizerCount)), b = Double(max(1, head.boxNormalizerCount))
                let s = Double(max(1, head.separatePassCount))
                sums[width * h] += Double(head.normalizerCount)
                sums[width * h + 1] += Double(head.boxNormalizerCount)
                sums[width * h + 2] += Double(head.separatePassCount)
                sums[width * h + 3] += Double(head.batchLoss.classification.value.scalar) * n
                // A separate pass over the batch's divisor sums with the batch's term.
                if head.separatePassDivisor == .batch {
                    sums[width * h + 3] += Double(head.separatePass?.value.scalar ?? 0) * n
                } else {
                    sums[width * h + 4] += Double(head.separatePass?.value.scalar ?? 0) * s
                }
                sums[width * h + 5] += Double(head.batchLoss.box.value.scalar) * b
            }
        }
        try Self.collective(iteration) { () throws in
            try sums.withUnsafeMutableBufferPointer { try communicator.allReduceSum($0) }
        }
        // The classification divisor per head: the batch's count, or a strategy's own (focal's
        // moving average, updated with the global count by the exchange above).
        precondition(strategies.count == heads.count, "dataParallelStep: \(strategies.count) strategies for \(heads.count) heads")
        let classificationDivisors = heads.indices.map { h in
            (strategies[h] as? any ReplicatedSamplingStrategy)?.sharedStepClassificationDivisor ?? max(1, sums[width * h])
        }
        var terms: [LossTermValue] = []
        for (h, head) in heads.enumerated() {
            let n = classificationDivisors[h], b = max(1, sums[width * h + 1]), s = max(1, sums[width * h + 2])
            let classification = sums[width * h + 3] / n + sums[width * h + 4] / s, box = sums[width * h + 5] / b
            for (name, value) in [("\(head.name)_\(head.classificationTermName)", classification), ("\(head.name)_box", box)] {
                if !value.isFinite { throw .nonFiniteLoss(iteration: iteration, term: name, value: Float(value)) }
                terms.append(LossTermValue(name: name, value: value))
            }
        }

        // 2–3. Each image's terms rescaled to the global normalisers, back-propagated alone and
        //    added to one fused buffer in image order; then one flag per parameter (whether any
        //    image reached it), and the sum over the ranks.
        let parameters = model.parameters
        let total = parameters.reduce(0) { $0 + $1.variable.value.scalars.count }
        var flat = [Float](repeating: 0, count: total + parameters.count)
        for shard in shards {
            var objective: Variable?
            for (h, head) in shard.heads.enumerated() {
                let classificationScale = Float(Double(max(1, head.normalizerCount)) / classificationDivisors[h])
                let boxScale = Float(Double(max(1, head.boxNormalizerCount)) / max(1, sums[width * h + 1]))
                var parts = [head.batchLoss.classification * classificationScale, head.batchLoss.box * boxScale]
                if let separate = head.separatePass {
                    parts.append(head.separatePassDivisor == .batch ? separate * classificationScale
                                 : separate * Float(Double(max(1, head.separatePassCount)) / max(1, sums[width * h + 2])))
                }
                for part in parts { objective = objective.map { $0 + part } ?? part }
            }
            optimizer.zeroGradients()
            objective!.backward()
            var offset = 0
            for (p, parameter) in parameters.enumerated() {
                let count = parameter.variable.value.scalars.count
                if let gradient = parameter.variable.gradient {
                    gradient.scalars.withUnsafeBufferPointer { g in
                        for i in 0..<count { flat[offset + i] += g[i] }
                    }
                    flat[total + p] = 1
                }
                offset += count
            }
        }
        try Self.collective(iteration) { () throws in
            try flat.withUnsafeMutableBufferPointer { try communicator.allReduceSum($0) }
        }
        var offset = 0
        for (p, parameter) in parameters.enumerated() {
            let shape = parameter.variable.value.shape, count = parameter.variable.value.scalars.count
            parameter.variable.gradient = flat[total + p] > 0 ? Tensor(shape: shape, scalars: Array(flat[offset..<(offset + count)])) : nil
            offset += count
        }
        if let parameter = parameters.first(where: { !($0.variable.gradient?.scalars.allSatisfy(\.isFinite) ?? true) }) {
            throw .nonFiniteGradient(iteration: iteration, parameter: parameter.name)
        }
        // 4. The same step on every replica.
        optimizer.step()
        var mining: [String: MiningStatistics] = [:]
        for shard in shards {
            for head in shard.heads { mining[head.head.name, default: MiningStatistics()].merge(head.mining) }
        }
        let record = StepRecord(iteration: iteration, learningRate: learningRate, terms: terms,
                                seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, mining: mining)
        iteration += 1
        if replicaCheckInterval > 0 && (iteration % replicaCheckInterval == 0 || isFinished) { try verifyReplicas() }
        return record
    }
}
