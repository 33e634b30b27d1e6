// Sampling-strategy workloads: K8 (the hard-negative buffer: 10,000 candidates into capacity
// 1,000, then a visit of every image replaying the best half of its entries) and the
// strategy-level costs of K4a (OHEM at the RPN) and K5 (random), which add input checks,
// result arrays and the mining statistics (a pass over the labels and losses) to the raw
// kernels of SelectionBenchmarks.swift. Throughput in candidates (anchors) per second.
import Benchmark
import Detection
import Kernels
import Randomness

/// K8's candidates: 10,000 hard negatives over 65 images (the NEON training tiles), scores
/// uniform in (0.5, 1), anchor indices uniform in 0 ..< 22,500, all mined at step 0.
private func bufferCandidates() -> [HardNegative] {
    var generator = SplitMix64(seed: 8)
    return (0..<10_000).map { _ in
        HardNegative(imageID: generator.uniformIndex(below: 65),
                     location: .anchor(index: generator.uniformIndex(below: 22_500)),
                     score: 0.5 + Float(generator.next() >> 40) / Float(1 << 25), stepMined: 0)
    }
}

/// One RPN image of 120,000 anchors (K4a/K5's size): 1% foreground, 5% ignored, losses uniform
/// in [0, 10) (0 when ignored), foreground probabilities uniform in [0, 1).
private func anchorInput() -> SamplingInput {
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

func registerSamplingBenchmarks() {
    // K8 as the strategy inserts (one batch per pass) and, for comparison with Python's
    // heappushpop loop, one candidate at a time.
    for batched in [true, false] {
        let label = batched ? "batch insert" : "one-by-one insert"
        Benchmark("K8 hard-negative buffer \(label) + sample 50%, 10,000 candidates into capacity 1,000 (M candidates/s)",
                  configuration: .init(metrics: rateMetrics("M candidates/s"))) { benchmark in
            let candidates = bufferCandidates()
            var buffer = HardNegativeBuffer(capacity: 1_000)
            var replayed = 0
            recordRate(benchmark, unit: "M candidates/s", work: Double(candidates.count), scale: 1e6) {
                if batched {
                    buffer.insert(contentsOf: candidates)
                } else {
                    for candidate in candidates { buffer.insert(candidate) }
                }
                _ = buffer.removeExpired(lifetime: 66, currentStep: 1)
                // Visit every image: take its entries out and replay the best half (the buffer is
                // empty again afterwards, so every iteration starts from the same state).
                for image in 0..<65 {
                    let taken = buffer.removeEntries(forImage: image)
                    replayed &+= taken.prefix(taken.count / 2).count
                }
            }
            blackHole(replayed)
        }
    }

    strategyBenchmark("K4a strategy: OHEMSampler RPN top-256 of 120,000 anchors, 1% positive (M anchors/s)",
                      OHEMSampler(head: .rpn), seed: 1, input: anchorInput)
    strategyBenchmark("K5 strategy: RandomSampler RPN 256, fraction 0.5, 120,000 anchors (M anchors/s)",
                      RandomSampler(head: .rpn), seed: 5, input: anchorInput)
    // Each call takes the image's entries out, replays up to 64, then stores the pass's hard
    // negatives (probability > 0.5: about 57,000 candidates offered to a 1,000-entry buffer).
    strategyBenchmark("K8 strategy: HardNegativeBufferSampler RPN revisit, 120,000 anchors (M anchors/s)",
                      HardNegativeBufferSampler(head: .rpn), seed: 8, input: anchorInput)
}

/// A strategy's whole `sample` call on the RPN workload, in M anchors/s.
private func strategyBenchmark(_ name: String, _ strategy: some SamplingStrategy, seed: UInt64, input: @escaping () -> SamplingInput) {
    Benchmark(name, configuration: .init(metrics: rateMetrics("M anchors/s"))) { benchmark in
        let input = input()
        var sampler = strategy
        var generator = SplitMix64(seed: seed)
        recordRate(benchmark, unit: "M anchors/s", work: Double(input.candidateCount), scale: 1e6) {
            blackHole(sampler.sample(input, using: &generator))
        }
    }
}
