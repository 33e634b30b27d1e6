// Sampling-selection workloads of DESIGN.md's benchmark contract: K4a (OHEM top-256 with a
// positive cap), K4b (OHEM at the RoI head: NMS 0.7 by loss, top 128), K5 (random balanced
// sampler). Each reports M anchors/s or M RoIs/s through `recordRate` (RateMeasurement.swift).
import Benchmark
import DetectionKernels
import Kernels
import Randomness

/// Candidates of one selection workload, built on first use from a fixed seed.
///
/// Losses uniform in [0, 10), labels +1 with probability `positive`, −1 with probability
/// `ignored`, else 0; boxes (for K4b) with corners in [0, 360) and sides in [8, 128) pixels.
final class SelectionWorkload {
    let losses: UnsafeMutableBufferPointer<Float>
    let labels: UnsafeMutableBufferPointer<Int32>
    let boxes: UnsafeMutableBufferPointer<Float>
    let selected, negatives: UnsafeMutableBufferPointer<Int>

    init(count n: Int, positive: Float, ignored: Float, seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Float { Float(generator.next() >> 40) / Float(1 << 24) }
        losses = filledBuffer(n) { _ in 10 * uniform() }
        labels = filledBuffer(n) { _ in
            let u = uniform()
            return u < positive ? 1 : (u < positive + ignored ? -1 : 0)
        }
        boxes = filledBuffer(4 * n) { _ in 0 }
        for i in 0..<n {
            let x = 360 * uniform(), y = 360 * uniform()
            boxes[4 * i] = x; boxes[4 * i + 1] = y
            boxes[4 * i + 2] = x + 8 + 120 * uniform(); boxes[4 * i + 3] = y + 8 + 120 * uniform()
        }
        selected = filledBuffer(512) { _ in 0 }
        negatives = filledBuffer(512) { _ in 0 }
    }

    deinit {
        losses.baseAddress?.deallocate(); labels.baseAddress?.deallocate()
        boxes.baseAddress?.deallocate(); selected.baseAddress?.deallocate(); negatives.baseAddress?.deallocate()
    }
}

func registerSelectionBenchmarks() {
    let anchors = BuiltOnFirstUse { SelectionWorkload(count: 120_000, positive: 0.01, ignored: 0.05, seed: 11) }
    let rois = BuiltOnFirstUse { SelectionWorkload(count: 2_000, positive: 0.25, ignored: 0, seed: 12) }
    let anchorRate = "M anchors/s", roiRate = "M RoIs/s"

    Benchmark("K4a OHEM select top-256 by loss, pos cap 0.25, 120000 anchors 1% positive",
              configuration: .init(metrics: rateMetrics(anchorRate))) { benchmark in
        let w = anchors.get
        recordRate(benchmark, unit: anchorRate, work: 120_000, scale: 1e6) {
            blackHole(Kernels.ohemSelect(w.selected, losses: UnsafeBufferPointer(w.losses), labels: UnsafeBufferPointer(w.labels),
                                         count: 256, maxPositives: 64))
        }
    }

    Benchmark("K4b OHEM RoI select NMS 0.7 by loss, top 128 of 2000 RoIs", configuration: .init(metrics: rateMetrics(roiRate))) { benchmark in
        let w = rois.get
        recordRate(benchmark, unit: roiRate, work: 2_000, scale: 1e6) {
            blackHole(Kernels.ohemRoISelect(w.selected, boxes: UnsafeBufferPointer(w.boxes), losses: UnsafeBufferPointer(w.losses),
                                            labels: UnsafeBufferPointer(w.labels), iouThreshold: 0.7, count: 128))
        }
    }

    Benchmark("K5 random balanced sampler 256, fraction 0.5, 120000 labels", configuration: .init(metrics: rateMetrics(anchorRate))) { benchmark in
        let w = anchors.get
        var generator = SplitMix64(seed: 5)
        recordRate(benchmark, unit: anchorRate, work: 120_000, scale: 1e6) {
            blackHole(Kernels.balancedRandomSample(positives: w.selected, negatives: w.negatives, labels: UnsafeBufferPointer(w.labels),
                                                   batchSize: 256, positiveFraction: 0.5, using: &generator))
        }
    }
}
