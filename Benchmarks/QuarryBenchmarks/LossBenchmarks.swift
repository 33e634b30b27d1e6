// Loss-kernel workloads of DESIGN.md's benchmark contract: K1a, K1b (sigmoid focal loss forward
// + backward), K2 (softmax cross-entropy per-sample loss + gradient), K3 (smooth L1 forward +
// backward). K1 and K2 run the forward kernel then the backward kernel, as the autograd primitives do.
// Each reports the contract's unit (M elem/s, M rows/s) through `recordRate` (RateMeasurement.swift).
import Benchmark
import Kernels
import Randomness

/// A buffer owned by a workload for the life of the benchmark process.
func filledBuffer<T>(_ count: Int, _ make: (Int) -> T) -> UnsafeMutableBufferPointer<T> {
    let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
    for i in 0..<count { (buffer.baseAddress! + i).initialize(to: make(i)) }
    return UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
}

/// Inputs and outputs of one loss workload, built on first use from a fixed seed.
///
/// N elements (rows × classes for the softmax losses) with logits in [−6, 6), a fraction
/// `positive` of binary targets equal to 1, per-row labels in 0..<C and grad_output 1/rows.
final class LossWorkload {
    let logits, targets, gradOutput, loss, grad: UnsafeMutableBufferPointer<Float>
    let labels: UnsafeMutableBufferPointer<Int32>

    init(count: Int, rows: Int, classes: Int, positive: Float, seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Float { Float(generator.next() >> 40) / Float(1 << 24) }
        logits = filledBuffer(count) { _ in 12 * uniform() - 6 }
        targets = filledBuffer(count) { _ in uniform() < positive ? 1 : 0 }
        let perLoss = rows > 0 ? rows : count
        gradOutput = filledBuffer(perLoss) { _ in 1 / Float(perLoss) }
        labels = filledBuffer(rows) { _ in Int32(generator.uniformIndex(below: classes)) }
        loss = filledBuffer(perLoss) { _ in 0 }
        grad = filledBuffer(count) { _ in 0 }
    }

    deinit {
        for buffer in [logits, targets, gradOutput, loss, grad] { buffer.baseAddress?.deallocate() }
        labels.baseAddress?.deallocate()
    }
}

/// Creates a workload on first access, so benchmarks filtered out allocate nothing.
final class BuiltOnFirstUse<Value> {
    private let make: () -> Value
    private var value: Value?
    init(_ make: @escaping () -> Value) { self.make = make }
    var get: Value {
        if let value { return value }
        let made = make()
        value = made
        return made
    }
}

func registerLossBenchmarks() {
    let k1a = BuiltOnFirstUse { LossWorkload(count: 120_000, rows: 0, classes: 1, positive: 0.01, seed: 1) }
    let k1b = BuiltOnFirstUse { LossWorkload(count: 120_000 * 80, rows: 0, classes: 1, positive: 0.001, seed: 2) }
    let k2 = BuiltOnFirstUse { LossWorkload(count: 2_000 * 21, rows: 2_000, classes: 21, positive: 0, seed: 3) }
    let k3 = BuiltOnFirstUse { LossWorkload(count: 2_000 * 4, rows: 0, classes: 1, positive: 0, seed: 4) }
    let elements = "M elem/s", rows = "M rows/s"

    for (id, shape, count, workload) in [("K1a", "120000x1", 120_000, k1a), ("K1b", "120000x80", 9_600_000, k1b)] {
        Benchmark("\(id) sigmoid focal loss fwd+bwd \(shape), forward then backward", configuration: .init(metrics: rateMetrics(elements))) { benchmark in
            let w = workload.get
            recordRate(benchmark, unit: elements, work: Double(count), scale: 1e6) {
                Kernels.sigmoidFocalLossForward(w.loss, logits: UnsafeBufferPointer(w.logits), targets: UnsafeBufferPointer(w.targets))
                Kernels.sigmoidFocalLossBackward(w.grad, gradOutput: UnsafeBufferPointer(w.gradOutput),
                                                 logits: UnsafeBufferPointer(w.logits), targets: UnsafeBufferPointer(w.targets))
            }
            blackHole(w.grad[0] + w.loss[0])
        }
    }

    Benchmark("K2 softmax CE per-sample loss + grad 2000x21, forward then backward", configuration: .init(metrics: rateMetrics(rows))) { benchmark in
        let w = k2.get
        recordRate(benchmark, unit: rows, work: 2_000, scale: 1e6) {
            Kernels.softmaxCrossEntropyForward(w.loss, logits: UnsafeBufferPointer(w.logits), labels: UnsafeBufferPointer(w.labels),
                                               classCount: 21)
            Kernels.softmaxCrossEntropyBackward(w.grad, gradOutput: UnsafeBufferPointer(w.gradOutput),
                                                logits: UnsafeBufferPointer(w.logits), labels: UnsafeBufferPointer(w.labels),
                                                classCount: 21)
        }
        blackHole(w.grad[0] + w.loss[0])
    }

    Benchmark("K3 smooth L1 fwd+bwd 2000x4", configuration: .init(metrics: rateMetrics(elements))) { benchmark in
        let w = k3.get
        recordRate(benchmark, unit: elements, work: 8_000, scale: 1e6) {
            Kernels.smoothL1Forward(w.loss, input: UnsafeBufferPointer(w.logits), target: UnsafeBufferPointer(w.targets), beta: 1.0 / 9)
            Kernels.smoothL1Backward(w.grad, gradOutput: UnsafeBufferPointer(w.gradOutput), input: UnsafeBufferPointer(w.logits),
                                     target: UnsafeBufferPointer(w.targets), beta: 1.0 / 9)
        }
        blackHole(w.grad[0] + w.loss[0])
    }
}
