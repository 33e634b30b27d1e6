// The split loops and their spinning worker threads: every element is visited exactly once,
// jobs from several threads at once never mix, and a parallel loss kernel equals the scalar
// formula element by element.
import Dispatch
import Foundation
import Synchronization
import Testing
@testable import Kernels
import Randomness

@Suite("Split loops on the spinning workers", .timeLimit(.minutes(1)))
struct LoopWorkersTests {
    /// Counts the visits of each element of 0..<n by `forEachChunk`.
    static func visits(count n: Int, minimumChunk: Int) -> [Int32] {
        var visits = [Int32](repeating: 0, count: n)
        visits.withUnsafeMutableBufferPointer { v in
            Kernels.forEachChunk(count: n, minimumChunk: minimumChunk) { range in
                for i in range { v[i] += 1 }
            }
        }
        return visits
    }

    @Test("each element is visited once, for sizes around the chunk boundaries")
    func coversEveryElementOnce() {
        for n in [0, 1, 63, 64, 65, 1_999, 2_000, 2_001, 100_003, 1_048_576] {
            let v = Self.visits(count: n, minimumChunk: 1_000)
            #expect(v.allSatisfy { $0 == 1 }, "n = \(n): counts \(Set(v))")
        }
    }

    @Test("many back-to-back jobs (the workers spin between them) all complete")
    func backToBackJobs() {
        for round in 0..<2_000 {
            let v = Self.visits(count: 4_096 + round, minimumChunk: 64)
            if !v.allSatisfy({ $0 == 1 }) {
                Issue.record("round \(round): counts \(Set(v))")
                return
            }
        }
    }

    @Test("jobs submitted from four threads at once stay separate")
    func concurrentSubmitters() {
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for round in 0..<300 {
                let n = 10_000 + 97 * thread + round
                var out = [Float](repeating: -1, count: n)
                out.withUnsafeMutableBufferPointer { o in
                    Kernels.forEachChunk(count: n, minimumChunk: 512) { range in
                        for i in range { o[i] = Float(i * (thread + 1)) }
                    }
                }
                if !out.indices.allSatisfy({ out[$0] == Float($0 * (thread + 1)) }) { failures.withLock { $0 += 1 } }
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }

    /// torchvision's sigmoid focal loss (alpha 0.25, gamma 2) of one element, in Double.
    static func focalReference(_ x: Double, _ t: Double) -> Double {
        let p = 1 / (1 + Foundation.exp(-x))
        let ce = max(x, 0) - x * t + Foundation.log1p(Foundation.exp(-abs(x)))
        let pT = p * t + (1 - p) * (1 - t)
        return (0.25 * t + 0.75 * (1 - t)) * (1 - pT) * (1 - pT) * ce
    }

    @Test("the parallel sigmoid focal loss forward and backward equal the per-element formula and its derivative")
    func parallelFocalLossMatchesScalar() {
        let n = 300_001  // > 2 × lossLoopMinimumChunk: both workers run
        var generator = SplitMix64(seed: 11)
        let x = (0..<n).map { _ in Float(generator.next() >> 40) / Float(1 << 24) * 24 - 12 }
        let t = (0..<n).map { _ in generator.next() % 7 == 0 ? Float(1) : 0 }
        var loss = [Float](repeating: 0, count: n), grad = [Float](repeating: 0.5, count: n)
        let gradOutput = [Float](repeating: 2, count: n)
        x.withUnsafeBufferPointer { xb in
            t.withUnsafeBufferPointer { tb in
                loss.withUnsafeMutableBufferPointer { Kernels.sigmoidFocalLossForward($0, logits: xb, targets: tb) }
                grad.withUnsafeMutableBufferPointer { gb in
                    gradOutput.withUnsafeBufferPointer { Kernels.sigmoidFocalLossBackward(gb, gradOutput: $0, logits: xb, targets: tb) }
                }
            }
        }
        var worstLoss = 0.0, worstGrad = 0.0
        for i in stride(from: 0, to: n, by: 7) {
            let xi = Double(x[i]), ti = Double(t[i]), h = 1e-4
            let reference = Self.focalReference(xi, ti)
            let slope = (Self.focalReference(xi + h, ti) - Self.focalReference(xi - h, ti)) / (2 * h)
            worstLoss = max(worstLoss, abs(Double(loss[i]) - reference) / max(1e-6, abs(reference)))
            // grad started at 0.5 and gained gradScale · ∂loss/∂x.
            worstGrad = max(worstGrad, abs((Double(grad[i]) - 0.5) - 2 * slope) / max(1e-3, abs(2 * slope)))
        }
        #expect(worstLoss < 1e-4, "worst relative loss error \(worstLoss)")
        #expect(worstGrad < 1e-3, "worst relative gradient error \(worstGrad)")
    }
}
