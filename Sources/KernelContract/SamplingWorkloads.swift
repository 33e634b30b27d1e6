// Sampling-strategy workloads: K8 (the hard-negative buffer: 10,000 candidates into capacity
// 1,000, then a visit of every image replaying the best half of its entries) and the
// strategy-level costs of K4a (OHEM at the RPN), K5 (random) and K8, which add input checks,
// result arrays and the mining statistics (a pass over the labels and losses) to the raw
// kernels of SelectionWorkloads.swift.
//
// Legend: N candidates (10,000 for the buffer, 120,000 anchors for the strategies), K capacity.
// Ceiling: memory copy. The buffer reads each candidate record once (MemoryLayout stride of
// `HardNegative`); the strategies read each anchor's Int32 label, Float32 loss and Float32
// foreground probability (12 B; the RPN's boxes are not read).
import Detection
import Kernels
import Randomness
import TensorCore

/// K8's candidates: 10,000 hard negatives over 65 images (the NEON training tiles), scores
/// uniform in (0.5, 1), anchor indices uniform in 0 ..< 22,500, all mined at step 0 (seed 8).
private func bufferCandidates() -> [HardNegative] {
    var generator = SplitMix64(seed: 8)
    return (0..<10_000).map { _ in
        HardNegative(imageID: generator.uniformIndex(below: 65),
                     location: .anchor(index: generator.uniformIndex(below: 22_500)),
                     score: 0.5 + Float(generator.next() >> 40) / Float(1 << 25), stepMined: 0)
    }
}

/// One RPN image of 120,000 anchors (K4a/K5's size): 1% foreground, 5% ignored, losses uniform
/// in [0, 10) (0 when ignored), foreground probabilities uniform in [0, 1) (seed 11).
@Sendable private func anchorInput() -> SamplingInput {
    var generator = SplitMix64(seed: 11)
    func uniform() -> Float { Float(generator.next() >> 40) / Float(1 << 24) }
    let n = 120_000
    var labels = [Int32](repeating: 0, count: n), losses = [Float](repeating: 0, count: n)
    var probabilities = [Float](repeating: 0, count: n)
    for i in 0..<n {
        let u = uniform()
        labels[i] = u < 0.01 ? 1 : (u < 0.06 ? -1 : 0)
        losses[i] = labels[i] < 0 ? 0 : 10 * uniform()
        probabilities[i] = uniform()
    }
    return SamplingInput(image: SamplingImage(id: 0, width: 400, height: 400), labels: labels,
                         boxes: .zeros([n, 4]), losses: losses, foregroundProbabilities: probabilities)
}

/// A strategy's whole `sample` call on the RPN workload.
private func strategyWorkload(id: String, name: String, _ strategy: some SamplingStrategy & Sendable, seed: UInt64) -> Workload {
    Workload(id: id, name: name, role: .variant, unit: "anchors/s", workPerRun: 120_000,
             benchmarkMetric: (unit: "M anchors/s", scale: 1e6),
             ceiling: .memoryCopy(bytesPerUnit: 12, basis: "12 B/anchor: Int32 label, Float32 loss and foreground probability read"),
             prepare: {
                 let input = anchorInput()
                 var sampler = strategy
                 var generator = SplitMix64(seed: seed)
                 return { blackHole(sampler.sample(input, using: &generator)) }
             })
}

extension KernelContract {
    /// K8 as the strategy inserts (one batch per pass: the contract row) and one candidate at a
    /// time (for comparison with Python's heappushpop loop), then the three whole-strategy rows.
    static var samplingWorkloads: [Workload] {
        let recordBytes = Double(MemoryLayout<HardNegative>.stride)
        var workloads = [true, false].map { batched in
            Workload(id: "K8",
                     name: "K8 hard-negative buffer \(batched ? "batch insert" : "one-by-one insert") + sample 50%, "
                         + "10,000 candidates into capacity 1,000 (M candidates/s)",
                     role: batched ? .contract : .variant, unit: "cand/s", workPerRun: 10_000,
                     benchmarkMetric: (unit: "M candidates/s", scale: 1e6),
                     ceiling: .memoryCopy(bytesPerUnit: recordBytes, basis: "\(Int(recordBytes)) B/candidate: its HardNegative record read once"),
                     prepare: {
                         let candidates = bufferCandidates()
                         var buffer = HardNegativeBuffer(capacity: 1_000)
                         var replayed = 0
                         return {
                             if batched {
                                 buffer.insert(contentsOf: candidates)
                             } else {
                                 for candidate in candidates { buffer.insert(candidate) }
                             }
                             _ = buffer.removeExpired(lifetime: 66, currentStep: 1)
                             // Visit every image: take its entries out and replay the best half (the
                             // buffer is empty again afterwards, so every run starts from the same state).
                             for image in 0..<65 {
                                 let taken = buffer.removeEntries(forImage: image)
                                 replayed &+= taken.prefix(taken.count / 2).count
                             }
                             blackHole(replayed)
                         }
                     })
        }
        workloads.append(strategyWorkload(id: "K4a", name: "K4a strategy: OHEMStrategy RPN top-256 of 120,000 anchors, 1% positive (M anchors/s)",
                                          OHEMStrategy(head: .rpn), seed: 1))
        workloads.append(strategyWorkload(id: "K5", name: "K5 strategy: RandomStrategy RPN 256, fraction 0.5, 120,000 anchors (M anchors/s)",
                                          RandomStrategy(head: .rpn), seed: 5))
        // Each call takes the image's entries out, replays up to 64, then stores the pass's hard
        // negatives (probability > 0.5: about 57,000 candidates offered to a 1,000-entry buffer).
        workloads.append(strategyWorkload(id: "K8", name: "K8 strategy: HardNegativeBufferStrategy RPN revisit, 120,000 anchors (M anchors/s)",
                                          HardNegativeBufferStrategy(head: .rpn), seed: 8))
        return workloads
    }
}
