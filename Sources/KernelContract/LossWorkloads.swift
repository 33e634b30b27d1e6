// Loss-kernel workloads of DESIGN.md's contract: K1a, K1b (sigmoid focal loss forward +
// backward), K2 (softmax cross-entropy per-sample loss + gradient), K3 (smooth L1 forward +
// backward), each as the forward kernel then the backward kernel: what the autograd primitives
// run in training.
//
// Legend: N elements (rows × classes for the softmax loss), R rows, C classes.
// Ceiling: memory copy. Bytes per unit count each Float32 buffer once (inputs read, outputs
// written): the focal loss pair reads logits, targets and the gradient of the loss and writes
// loss and gradient (20 B per element).
import Kernels
import Randomness

/// Inputs and outputs of one loss workload, from a fixed seed.
///
/// [N] logits uniform in [−6, 6), [N] binary targets (1 with probability `positive`), per-loss
/// gradient 1 / (number of losses), [R] labels uniform in 0..<C, and the loss and gradient outputs.
final class LossBuffers: Sendable {
    let logits, targets, gradOutput, loss, grad: OwnedBuffer<Float>
    let labels: OwnedBuffer<Int32>

    /// - Parameters:
    ///   - count: N, the number of logits.
    ///   - rows: R for the softmax loss (one loss per row), 0 for element-wise losses (one per element).
    init(count: Int, rows: Int, classes: Int, positive: Float, seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Float { Float(generator.next() >> 40) / Float(1 << 24) }
        logits = OwnedBuffer(count: count) { _ in 12 * uniform() - 6 }
        targets = OwnedBuffer(count: count) { _ in uniform() < positive ? 1 : 0 }
        let lossCount = rows > 0 ? rows : count
        gradOutput = OwnedBuffer(count: lossCount) { _ in 1 / Float(lossCount) }
        labels = OwnedBuffer(count: rows) { _ in Int32(generator.uniformIndex(below: classes)) }
        loss = OwnedBuffer(count: lossCount) { _ in 0 }
        grad = OwnedBuffer(count: count) { _ in 0 }
    }
}

extension KernelContract {
    /// K1a, K1b, K2 and K3, each as its contract row: the forward kernel then the backward kernel.
    static var lossWorkloads: [Workload] {
        let elements = (unit: "M elem/s", scale: 1e6), rows = (unit: "M rows/s", scale: 1e6)
        var workloads: [Workload] = []
        for (id, shape, count, positive, seed) in [("K1a", "120000x1", 120_000, Float(0.01), UInt64(1)),
                                                   ("K1b", "120000x80", 120_000 * 80, Float(0.001), UInt64(2))] {
            let make: @Sendable () -> LossBuffers = { LossBuffers(count: count, rows: 0, classes: 1, positive: positive, seed: seed) }
            workloads.append(Workload(
                id: id, name: "\(id) sigmoid focal loss fwd+bwd \(shape)", role: .contract,
                unit: "elem/s", workPerRun: Double(count), benchmarkMetric: elements,
                ceiling: .memoryCopy(bytesPerUnit: 20, basis: "20 B/elem: logits, targets and loss gradient read, loss and gradient written"),
                prepare: {
                    let w = make()
                    return {
                        Kernels.sigmoidFocalLossForward(w.loss.mutable, logits: w.logits.readOnly, targets: w.targets.readOnly)
                        Kernels.sigmoidFocalLossBackward(w.grad.mutable, gradOutput: w.gradOutput.readOnly,
                                                         logits: w.logits.readOnly, targets: w.targets.readOnly)
                        blackHole(w.grad.mutable[0] + w.loss.mutable[0])
                    }
                }))
        }

        // K2: 2,000 rows × 21 classes. Per row: 21 logits, the label and the loss gradient read;
        // the loss and 21 gradients written.
        let k2Bytes = Double(4 * (21 + 1 + 1 + 1 + 21))
        let makeK2: @Sendable () -> LossBuffers = { LossBuffers(count: 2_000 * 21, rows: 2_000, classes: 21, positive: 0, seed: 3) }
        workloads.append(Workload(
            id: "K2", name: "K2 softmax CE per-sample loss + grad 2000x21", role: .contract,
            unit: "rows/s", workPerRun: 2_000, benchmarkMetric: rows,
            ceiling: .memoryCopy(bytesPerUnit: k2Bytes, basis: "180 B/row: 21 logits, label, loss gradient read; loss, 21 gradients written"),
            prepare: {
                let w = makeK2()
                return {
                    Kernels.softmaxCrossEntropyForward(w.loss.mutable, logits: w.logits.readOnly, labels: w.labels.readOnly, classCount: 21)
                    Kernels.softmaxCrossEntropyBackward(w.grad.mutable, gradOutput: w.gradOutput.readOnly, logits: w.logits.readOnly,
                                                        labels: w.labels.readOnly, classCount: 21)
                    blackHole(w.grad.mutable[0] + w.loss.mutable[0])
                }
            }))

        // K3: 2,000 × 4 box deltas against all-zero targets, beta 1/9.
        workloads.append(Workload(
            id: "K3", name: "K3 smooth L1 fwd+bwd 2000x4", role: .contract,
            unit: "elem/s", workPerRun: 8_000, benchmarkMetric: elements,
            ceiling: .memoryCopy(bytesPerUnit: 20, basis: "20 B/elem: input, target, loss gradient read; loss, gradient written"),
            prepare: {
                let w = LossBuffers(count: 2_000 * 4, rows: 0, classes: 1, positive: 0, seed: 4)
                return {
                    Kernels.smoothL1Forward(w.loss.mutable, input: w.logits.readOnly, target: w.targets.readOnly, beta: 1.0 / 9)
                    Kernels.smoothL1Backward(w.grad.mutable, gradOutput: w.gradOutput.readOnly, input: w.logits.readOnly,
                                             target: w.targets.readOnly, beta: 1.0 / 9)
                    blackHole(w.grad.mutable[0] + w.loss.mutable[0])
                }
            }))
        return workloads
    }
}
