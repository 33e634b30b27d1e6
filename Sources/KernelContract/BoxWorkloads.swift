// The detection-kernel workloads of DESIGN.md's contract: K6 (IoU + matcher), K7a (NMS), K7b
// (batched NMS), K10 (RoI Align forward + backward). One thread: these kernels call no BLAS and
// run no parallel loops.
//
// Legend: A anchors (120,000), G ground-truth boxes (50), B boxes (5,000), K RoIs (512),
// C channels (64), H×W feature map (50×50), 7×7 pooled output.
// Inputs: one generator (seed 2024) draws, in this order, K6's ground truth, K7's boxes, scores
// and classes, then K10's features, RoIs and output gradient; each workload replays the draws
// before its own, so its inputs are those of the single-sequence original.
// Ceiling: memory copy, minimum traffic per unit (see each workload's basis). K6 and K7 are
// compute-bound (G IoUs per anchor, up to B IoUs per box), so their fraction of it is small.
import DetectionKernels
import Kernels
import Randomness

/// A uniform Float in `range`.
private func uniform(_ range: Range<Float>, _ generator: inout SplitMix64) -> Float {
    Float.random(in: range, using: &generator)
}

/// K6's [G, 4] ground truth: corners in [0, 1000) × [0, 700), sides in [12, 200) pixels.
private func matcherGroundTruth(_ generator: inout SplitMix64) -> [Float] {
    var boxes: [Float] = []
    for _ in 0..<50 {
        let x = uniform(0..<1000, &generator), y = uniform(0..<700, &generator)
        boxes += [x, y, x + uniform(12..<200, &generator), y + uniform(12..<200, &generator)]
    }
    return boxes
}

/// K7's [B, 4] boxes around 100 centres in an 800×800 image (the near-duplicates NMS meets),
/// [B] scores uniform in [0, 1) and [B] classes in 0..<80.
private func nmsInputs(_ generator: inout SplitMix64) -> (boxes: [Float], scores: [Float], classes: [Int]) {
    let count = 5_000, clusters = 100, imageSize: Float = 800
    let centres = (0..<clusters).map { _ in
        (uniform(0..<imageSize, &generator), uniform(0..<imageSize, &generator),
         uniform(20..<200, &generator), uniform(20..<200, &generator))
    }
    var boxes: [Float] = []
    for _ in 0..<count {
        let (cx, cy, w, h) = centres[Int.random(in: 0..<clusters, using: &generator)]
        let x = cx + 0.15 * w * uniform(-1..<1, &generator), y = cy + 0.15 * h * uniform(-1..<1, &generator)
        let sw = w * uniform(0.8..<1.2, &generator), sh = h * uniform(0.8..<1.2, &generator)
        boxes += [x - sw / 2, y - sh / 2, x + sw / 2, y + sh / 2]
    }
    let scores = (0..<count).map { _ in uniform(0..<1, &generator) }
    let classes = (0..<count).map { _ in Int.random(in: 0..<80, using: &generator) }
    return (boxes, scores, classes)
}

/// K6's [A, 4] anchors: a 96×139 stride-8 grid × 9 shapes (sizes 16, 32, 64; ratios 0.5, 1, 2),
/// cut to 120,000.
private func matcherAnchors() -> OwnedBuffer<Float> {
    let anchors = OwnedBuffer<Float>(count: 4 * 96 * 139 * 9) { _ in 0 }
    Kernels.gridAnchors(anchors.mutable, featureHeight: 96, featureWidth: 139, strideHeight: 8, strideWidth: 8,
                        sizes: [16, 32, 64], aspectRatios: [0.5, 1, 2])
    return OwnedBuffer(count: 4 * 120_000) { anchors.mutable[$0] }
}

/// K10's geometry: 512 RoIs on a 1×64×50×50 map at spatial scale 1/8, 7×7, sampling ratio 2, aligned.
private let roiGeometry = RoIAlignGeometry(batchSize: 1, channels: 64, height: 50, width: 50, roiCount: 512,
                                           pooledHeight: 7, pooledWidth: 7, spatialScale: 1.0 / 8, samplingRatio: 2, aligned: true)

extension KernelContract {
    /// K6 (fused, and the IoU matrix then matcher as a variant), K7a, K7b and K10.
    static var boxWorkloads: [Workload] {
        let anchorCount = 120_000, gtCount = 50, boxCount = 5_000
        let pairs = Double(anchorCount * gtCount)
        let matchBytes = Double(MemoryLayout<Match>.stride)
        let fusedPairBytes = (16 + matchBytes) / Double(gtCount)
        let pairRate = (unit: "M pairs/s", scale: 1e6), boxRate = (unit: "K boxes/s", scale: 1e3)
        // K10 per RoI: its pooled output written and its output gradient read ([C, 7, 7] each),
        // its 5 numbers read; the feature map read and its gradient zeroed and written, shared by K RoIs.
        let pooled = Double(64 * 49 * 4), map = Double(64 * 50 * 50 * 4)
        let roiBytes = 2 * pooled + 20 + 2 * map / 512
        return [
            Workload(id: "K6", name: "K6 IoU + matcher fused 120000x50 (0.7/0.3, low-quality)", role: .contract,
                     unit: "pairs/s", workPerRun: pairs, benchmarkMetric: pairRate,
                     ceiling: .memoryCopy(bytesPerUnit: fusedPairBytes,
                                          basis: "\(Int(16 + matchBytes)) B per anchor over 50 pairs: its box read, its match written"),
                     prepare: {
                         var generator = SplitMix64(seed: 2024)
                         let anchors = matcherAnchors(), gt = OwnedBuffer(matcherGroundTruth(&generator))
                         let matches = OwnedBuffer<Match>(count: anchorCount) { _ in .background }
                         return {
                             Kernels.matchBoxes(matches.mutable, candidates: anchors.readOnly, candidateCount: anchorCount,
                                                groundTruthBoxes: gt.readOnly, groundTruthCount: gtCount, highThreshold: 0.7,
                                                lowThreshold: 0.3, allowLowQualityMatches: true)
                             blackHole(matches.mutable[0])
                         }
                     }),
            Workload(id: "K6", name: "K6 IoU matrix then matcher 120000x50 (unfused)", role: .variant,
                     unit: "pairs/s", workPerRun: pairs, benchmarkMetric: pairRate,
                     ceiling: .memoryCopy(bytesPerUnit: fusedPairBytes + 8,
                                          basis: "8 B/pair (IoU written, read back) plus the fused kernel's \(Int(16 + matchBytes)) B per anchor"),
                     prepare: {
                         var generator = SplitMix64(seed: 2024)
                         let anchors = matcherAnchors(), gt = OwnedBuffer(matcherGroundTruth(&generator))
                         let matches = OwnedBuffer<Match>(count: anchorCount) { _ in .background }
                         let iou = OwnedBuffer<Float>(count: anchorCount * gtCount) { _ in 0 }
                         return {
                             Kernels.pairwiseIoU(iou.mutable, gt.readOnly, count1: gtCount, anchors.readOnly, count2: anchorCount)
                             Kernels.match(matches.mutable, iou: iou.readOnly, groundTruthCount: gtCount, candidateCount: anchorCount,
                                           highThreshold: 0.7, lowThreshold: 0.3, allowLowQualityMatches: true)
                             blackHole(matches.mutable[0])
                         }
                     }),
            Workload(id: "K7a", name: "K7a NMS 0.5 5000 clustered boxes", role: .contract,
                     unit: "boxes/s", workPerRun: Double(boxCount), benchmarkMetric: boxRate,
                     ceiling: .memoryCopy(bytesPerUnit: 28, basis: "28 B/box: box and score read, kept index (Int) written"),
                     prepare: {
                         var generator = SplitMix64(seed: 2024)
                         _ = matcherGroundTruth(&generator)
                         let input = nmsInputs(&generator)
                         let boxes = OwnedBuffer(input.boxes), scores = OwnedBuffer(input.scores)
                         let kept = OwnedBuffer<Int>(count: boxCount) { _ in 0 }
                         return {
                             blackHole(Kernels.nms(kept.mutable, boxes.readOnly, scores: scores.readOnly, count: boxCount, iouThreshold: 0.5))
                         }
                     }),
            Workload(id: "K7b", name: "K7b batched NMS 0.5 80 classes 5000 boxes", role: .contract,
                     unit: "boxes/s", workPerRun: Double(boxCount), benchmarkMetric: boxRate,
                     ceiling: .memoryCopy(bytesPerUnit: 36, basis: "36 B/box: box, score and class (Int) read, kept index written"),
                     prepare: {
                         var generator = SplitMix64(seed: 2024)
                         _ = matcherGroundTruth(&generator)
                         let input = nmsInputs(&generator)
                         let boxes = OwnedBuffer(input.boxes), scores = OwnedBuffer(input.scores), classes = OwnedBuffer(input.classes)
                         let kept = OwnedBuffer<Int>(count: boxCount) { _ in 0 }
                         return {
                             blackHole(Kernels.batchedNMS(kept.mutable, boxes.readOnly, scores: scores.readOnly, classes: classes.readOnly,
                                                          count: boxCount, iouThreshold: 0.5))
                         }
                     }),
            Workload(id: "K10", name: "K10 RoI Align fwd+bwd 512 RoIs 64ch 50x50 7x7 s2 aligned", role: .contract,
                     unit: "RoIs/s", workPerRun: 512, benchmarkMetric: (unit: "K RoIs/s", scale: 1e3),
                     ceiling: .memoryCopy(bytesPerUnit: roiBytes,
                                          basis: "\(Int(roiBytes.rounded())) B/RoI: [64, 7, 7] output written and its gradient read, "
                                              + "the RoI read, the [64, 50, 50] map read and its gradient zeroed and written (shared by 512 RoIs)"),
                     prepare: {
                         var generator = SplitMix64(seed: 2024)
                         _ = matcherGroundTruth(&generator)
                         _ = nmsInputs(&generator)
                         let features = OwnedBuffer(count: 64 * 50 * 50) { _ in uniform(-1..<1, &generator) }
                         var rois: [Float] = []
                         for _ in 0..<512 {
                             let x = uniform(0..<380, &generator), y = uniform(0..<380, &generator)
                             rois += [0, x, y, min(400, x + uniform(16..<200, &generator)), min(400, y + uniform(16..<200, &generator))]
                         }
                         let roiBuffer = OwnedBuffer(rois)
                         let gradOutput = OwnedBuffer(count: 512 * 64 * 49) { _ in uniform(-1..<1, &generator) }
                         let output = OwnedBuffer<Float>(count: 512 * 64 * 49) { _ in 0 }
                         let gradInput = OwnedBuffer<Float>(count: 64 * 50 * 50) { _ in 0 }
                         return {
                             Kernels.roiAlignForward(output.mutable, features.readOnly, rois: roiBuffer.readOnly, geometry: roiGeometry)
                             gradInput.mutable.update(repeating: 0)
                             Kernels.roiAlignBackward(gradInput.mutable, gradOutput.readOnly, rois: roiBuffer.readOnly, geometry: roiGeometry)
                             blackHole(output.mutable[0] + gradInput.mutable[0])
                         }
                     }),
        ]
    }
}
