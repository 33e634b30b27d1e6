// Sampling-selection workloads of DESIGN.md's contract, as raw kernels: K4a (OHEM top-256 with
// a positive cap), K4b (OHEM at the RoI head: NMS 0.7 by loss, top 128), K5 (random balanced
// sampler).
//
// Legend: N candidates (120,000 anchors or 2,000 RoIs), k the budget.
// Ceiling: memory copy, each input read once: K4a 8 B per anchor (Float32 loss, Int32 label),
// K4b 24 B per RoI (4 Float32 box corners, loss, Int32 label), K5 4 B per anchor (Int32 label):
// labels are the detection stack's one encoding, Int32 class labels.
// The selected indices (k ≤ 512) are a negligible write.
import DetectionKernels
import Kernels
import Randomness

/// Candidates of one selection workload, from a fixed seed.
///
/// [N] losses uniform in [0, 10); [N] labels +1 with probability `positive`, −1 with probability
/// `ignored`, else 0; [N, 4] boxes with corners in [0, 360) and sides in
/// [8, 128) pixels (for K4b); room for 512 selected and 512 negative indices.
final class SelectionBuffers: Sendable {
    let losses: OwnedBuffer<Float>
    let labels: OwnedBuffer<Int32>
    let boxes: OwnedBuffer<Float>
    let selected, negatives: OwnedBuffer<Int>

    init(count n: Int, positive: Float, ignored: Float, seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Float { Float(generator.next() >> 40) / Float(1 << 24) }
        losses = OwnedBuffer(count: n) { _ in 10 * uniform() }
        labels = OwnedBuffer(count: n) { _ in
            let u = uniform()
            return u < positive ? 1 : (u < positive + ignored ? -1 : 0)
        }
        boxes = OwnedBuffer(count: 4 * n) { _ in 0 }
        for i in 0..<n {
            let x = 360 * uniform(), y = 360 * uniform()
            boxes.mutable[4 * i] = x; boxes.mutable[4 * i + 1] = y
            boxes.mutable[4 * i + 2] = x + 8 + 120 * uniform(); boxes.mutable[4 * i + 3] = y + 8 + 120 * uniform()
        }
        selected = OwnedBuffer(count: 512) { _ in 0 }
        negatives = OwnedBuffer(count: 512) { _ in 0 }
    }

    /// One RPN image: 120,000 anchors, 1% positive, 5% ignored (seed 11).
    @Sendable static func anchors() -> SelectionBuffers { SelectionBuffers(count: 120_000, positive: 0.01, ignored: 0.05, seed: 11) }
    /// The RoI head's proposals: 2,000 RoIs, 25% positive, none ignored (seed 12).
    @Sendable static func rois() -> SelectionBuffers { SelectionBuffers(count: 2_000, positive: 0.25, ignored: 0, seed: 12) }
}

extension KernelContract {
    /// K4a, K4b and K5 on the raw kernels.
    static var selectionWorkloads: [Workload] {
        let anchorRate = (unit: "M anchors/s", scale: 1e6), roiRate = (unit: "M RoIs/s", scale: 1e6)
        return [
            Workload(id: "K4a", name: "K4a OHEM select top-256 by loss, pos cap 0.25, 120000 anchors 1% positive", role: .contract,
                     unit: "anchors/s", workPerRun: 120_000, benchmarkMetric: anchorRate,
                     ceiling: .memoryCopy(bytesPerUnit: 8, basis: "8 B/anchor: Float32 loss and Int32 label read"),
                     prepare: {
                         let w = SelectionBuffers.anchors()
                         return {
                             blackHole(Kernels.ohemSelect(w.selected.mutable, losses: w.losses.readOnly, labels: w.labels.readOnly,
                                                          count: 256, maxPositives: 64))
                         }
                     }),
            Workload(id: "K4b", name: "K4b OHEM RoI select NMS 0.7 by loss, top 128 of 2000 RoIs", role: .contract,
                     unit: "RoIs/s", workPerRun: 2_000, benchmarkMetric: roiRate,
                     ceiling: .memoryCopy(bytesPerUnit: 24, basis: "24 B/RoI: box (4 Float32), loss, Int32 label read"),
                     prepare: {
                         let w = SelectionBuffers.rois()
                         return {
                             blackHole(Kernels.ohemRoISelect(w.selected.mutable, boxes: w.boxes.readOnly, losses: w.losses.readOnly,
                                                             labels: w.labels.readOnly, iouThreshold: 0.7, count: 128))
                         }
                     }),
            Workload(id: "K5", name: "K5 random balanced sampler 256, fraction 0.5, 120000 labels", role: .contract,
                     unit: "anchors/s", workPerRun: 120_000, benchmarkMetric: anchorRate,
                     ceiling: .memoryCopy(bytesPerUnit: 4, basis: "4 B/anchor: Int32 label read"),
                     prepare: {
                         let w = SelectionBuffers.anchors()
                         var generator = SplitMix64(seed: 5)
                         return {
                             blackHole(Kernels.balancedRandomSample(positives: w.selected.mutable, negatives: w.negatives.mutable,
                                                                    labels: w.labels.readOnly, batchSize: 256, positiveFraction: 0.5,
                                                                    using: &generator))
                         }
                     }),
        ]
    }
}
