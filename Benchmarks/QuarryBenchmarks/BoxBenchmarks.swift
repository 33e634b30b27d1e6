// The detection-kernel workloads of DESIGN.md's contract: K6 (IoU + matcher), K7a (NMS),
// K7b (batched NMS), K10 (RoI Align forward + backward). Inputs come from a fixed seed.
// Each reports throughput in the contract's unit through `recordRate` (RateMeasurement.swift),
// scaled to keep 3–4 digits ("M pairs/s", "K boxes/s", "K RoIs/s"). One thread: these kernels
// do not call BLAS and run no parallel loops.
import Benchmark
import DetectionKernels
import Kernels
import Randomness

/// A uniform Float in `range` from the generator.
private func uniform(_ range: Range<Float>, _ generator: inout SplitMix64) -> Float {
    Float.random(in: range, using: &generator)
}

/// [count, 4] boxes around `clusters` centres in a square image: the near-duplicates NMS meets.
private func clusteredBoxes(_ count: Int, clusters: Int, imageSize: Float, generator: inout SplitMix64) -> [Float] {
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
    return boxes
}

func registerBoxBenchmarks() {
    var generator = SplitMix64(seed: 2024)

    // K6: 120,000 anchors (a 96×139 stride-8 grid × 9 shapes, cut to 120,000) × 50 ground truth.
    let anchorCount = 120_000, gtCount = 50
    var anchors = [Float](repeating: 0, count: 4 * 96 * 139 * 9)
    anchors.withUnsafeMutableBufferPointer {
        Kernels.gridAnchors($0, featureHeight: 96, featureWidth: 139, strideHeight: 8, strideWidth: 8,
                            sizes: [16, 32, 64], aspectRatios: [0.5, 1, 2])
    }
    anchors.removeLast(anchors.count - 4 * anchorCount)
    var gt: [Float] = []
    for _ in 0..<gtCount {
        let x = uniform(0..<1000, &generator), y = uniform(0..<700, &generator)
        gt += [x, y, x + uniform(12..<200, &generator), y + uniform(12..<200, &generator)]
    }
    let pairs = Double(anchorCount * gtCount)
    Benchmark("K6 IoU + matcher fused 120000x50 (0.7/0.3, low-quality)", configuration: .init(metrics: rateMetrics("M pairs/s"))) { benchmark in
        var matches = [Match](repeating: .background, count: anchorCount)
        anchors.withUnsafeBufferPointer { a in gt.withUnsafeBufferPointer { g in matches.withUnsafeMutableBufferPointer { m in
            recordRate(benchmark, unit: "M pairs/s", work: pairs, scale: 1e6) {
                Kernels.matchBoxes(m, candidates: a, candidateCount: anchorCount, groundTruthBoxes: g,
                                   groundTruthCount: gtCount, highThreshold: 0.7, lowThreshold: 0.3,
                                   allowLowQualityMatches: true)
            }
        } } }
        blackHole(matches)
    }
    Benchmark("K6 IoU matrix then matcher 120000x50 (unfused)", configuration: .init(metrics: rateMetrics("M pairs/s"))) { benchmark in
        var matches = [Match](repeating: .background, count: anchorCount)
        var iou = [Float](repeating: 0, count: anchorCount * gtCount)
        anchors.withUnsafeBufferPointer { a in gt.withUnsafeBufferPointer { g in
            matches.withUnsafeMutableBufferPointer { m in iou.withUnsafeMutableBufferPointer { i in
                recordRate(benchmark, unit: "M pairs/s", work: pairs, scale: 1e6) {
                    Kernels.pairwiseIoU(i, g, count1: gtCount, a, count2: anchorCount)
                    Kernels.match(m, iou: UnsafeBufferPointer(i), groundTruthCount: gtCount, candidateCount: anchorCount,
                                  highThreshold: 0.7, lowThreshold: 0.3, allowLowQualityMatches: true)
                }
            } }
        } }
        blackHole(matches)
    }

    // K7a / K7b: 5,000 boxes in 100 clusters over an 800×800 image; random scores; 80 classes.
    let boxCount = 5_000
    let boxes = clusteredBoxes(boxCount, clusters: 100, imageSize: 800, generator: &generator)
    let scores = (0..<boxCount).map { _ in uniform(0..<1, &generator) }
    let classes = (0..<boxCount).map { _ in Int.random(in: 0..<80, using: &generator) }
    Benchmark("K7a NMS 0.5 5000 clustered boxes", configuration: .init(metrics: rateMetrics("K boxes/s"))) { benchmark in
        var kept = [Int](repeating: 0, count: boxCount)
        boxes.withUnsafeBufferPointer { b in scores.withUnsafeBufferPointer { s in kept.withUnsafeMutableBufferPointer { k in
            recordRate(benchmark, unit: "K boxes/s", work: Double(boxCount), scale: 1e3) {
                blackHole(Kernels.nms(k, b, scores: s, count: boxCount, iouThreshold: 0.5))
            }
        } } }
    }
    Benchmark("K7b batched NMS 0.5 80 classes 5000 boxes", configuration: .init(metrics: rateMetrics("K boxes/s"))) { benchmark in
        var kept = [Int](repeating: 0, count: boxCount)
        boxes.withUnsafeBufferPointer { b in scores.withUnsafeBufferPointer { s in classes.withUnsafeBufferPointer { c in
            kept.withUnsafeMutableBufferPointer { k in
                recordRate(benchmark, unit: "K boxes/s", work: Double(boxCount), scale: 1e3) {
                    blackHole(Kernels.batchedNMS(k, b, scores: s, classes: c, count: boxCount, iouThreshold: 0.5))
                }
            }
        } } }
    }

    // K10: 512 RoIs over a 400×400 image (sides 16–200 px) on a 1×64×50×50 map, 7×7, ratio 2, aligned.
    let geometry = RoIAlignGeometry(batchSize: 1, channels: 64, height: 50, width: 50, roiCount: 512,
                                    pooledHeight: 7, pooledWidth: 7, spatialScale: 1.0 / 8, samplingRatio: 2, aligned: true)
    let features = (0..<(64 * 50 * 50)).map { _ in uniform(-1..<1, &generator) }
    var rois: [Float] = []
    for _ in 0..<512 {
        let x = uniform(0..<380, &generator), y = uniform(0..<380, &generator)
        rois += [0, x, y, min(400, x + uniform(16..<200, &generator)), min(400, y + uniform(16..<200, &generator))]
    }
    let gradOutput = (0..<(512 * 64 * 49)).map { _ in uniform(-1..<1, &generator) }
    Benchmark("K10 RoI Align fwd+bwd 512 RoIs 64ch 50x50 7x7 s2 aligned", configuration: .init(metrics: rateMetrics("K RoIs/s"))) { benchmark in
        var output = [Float](repeating: 0, count: 512 * 64 * 49)
        var gradInput = [Float](repeating: 0, count: 64 * 50 * 50)
        features.withUnsafeBufferPointer { f in rois.withUnsafeBufferPointer { r in gradOutput.withUnsafeBufferPointer { go in
            output.withUnsafeMutableBufferPointer { o in gradInput.withUnsafeMutableBufferPointer { gi in
                recordRate(benchmark, unit: "K RoIs/s", work: 512, scale: 1e3) {
                    Kernels.roiAlignForward(o, f, rois: r, geometry: geometry)
                    gi.update(repeating: 0)
                    Kernels.roiAlignBackward(gi, go, rois: r, geometry: geometry)
                }
            } }
        } } }
        blackHole(output)
    }
}
