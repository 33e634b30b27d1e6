import DetectionKernels
import Kernels
import Randomness
import Testing
import TestSupport

// Legend: N boxes [N, 4] (x1, y1, x2, y2) pixels, [N] scores, [N] classes; kept indices by
// decreasing score.

/// Runs `Kernels.nms` on arrays.
private func nms(_ boxes: [Float], _ scores: [Float], _ threshold: Float, maximumKept: Int = .max) -> [Int] {
    var kept = [Int](repeating: -1, count: scores.count)
    let count = boxes.withUnsafeBufferPointer { b in scores.withUnsafeBufferPointer { s in
        kept.withUnsafeMutableBufferPointer {
            Kernels.nms($0, b, scores: s, count: scores.count, iouThreshold: threshold, maximumKept: maximumKept)
        }
    } }
    return Array(kept.prefix(count))
}

/// Runs `Kernels.batchedNMS` on arrays.
private func batchedNMS(_ boxes: [Float], _ scores: [Float], _ classes: [Int], _ threshold: Float) -> [Int] {
    var kept = [Int](repeating: -1, count: scores.count)
    let count = boxes.withUnsafeBufferPointer { b in scores.withUnsafeBufferPointer { s in
        classes.withUnsafeBufferPointer { c in
            kept.withUnsafeMutableBufferPointer {
                Kernels.batchedNMS($0, b, scores: s, classes: c, count: scores.count, iouThreshold: threshold)
            }
        }
    } }
    return Array(kept.prefix(count))
}

@Suite("Greedy NMS and batched NMS")
struct NMSTests {
    @Test("keep and keep_batched equal torchvision's nms / batched_nms exactly (nms.json)")
    func fixture() throws {
        let root = try #require(try Fixtures.json("nms.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count == 2)
        for c in cases {
            let boxes = flattenNumbers(c["boxes"]!).map(Float.init)
            let scores = flattenNumbers(c["scores"]!).map(Float.init)
            let classes = flattenNumbers(c["classes"]!).map { Int($0) }
            let threshold = Float(try #require(c["iou_threshold"] as? Double))
            #expect(nms(boxes, scores, threshold) == flattenNumbers(c["keep"]!).map { Int($0) })
            #expect(batchedNMS(boxes, scores, classes, threshold) == flattenNumbers(c["keep_batched"]!).map { Int($0) })
        }
    }

    @Test("equal scores: the lower index is visited, and kept, first")
    func scoreTies() {
        // Boxes 0 and 1 are identical with equal scores: 0 survives, and suppresses 1.
        // Box 2 ties too but does not overlap: it follows box 0 in the output.
        let boxes: [Float] = [0, 0, 10, 10, 0, 0, 10, 10, 50, 50, 60, 60, 0, 0, 10, 9]
        let scores: [Float] = [0.5, 0.5, 0.5, 0.9]
        #expect(nms(boxes, scores, 0.5) == [3, 2])  // 3 (0.9) suppresses 0 and 1 (IoU 0.9)
        #expect(nms(boxes, [0.5, 0.5, 0.5, 0.1], 0.5) == [0, 2])
        #expect(nms(boxes, [0.5, 0.5, 0.5, 0.1], 0.95) == [0, 2, 3])
        #expect(batchedNMS(boxes, [0.5, 0.5, 0.5, 0.1], [1, 2, 1, 1], 0.5) == [0, 1, 2])
    }

    @Test("the inputs of detector bug threads give the answers their maintainers gave")
    func bugThreads() {
        // pytorch/vision#2157: three near-identical boxes, all scores 1, IoU threshold 0.2; the CPU
        // kernel keeps index 0, the first of the tied boxes (stable order since vision#4767).
        #expect(nms([0.3764, 0.0905, 0.6533, 0.4487, 0.3744, 0.0899, 0.6535, 0.4513, 0.3753, 0.0916, 0.6532, 0.4512],
                    [1, 1, 1], 0.2) == [0])
        // facebookresearch/maskrcnn-benchmark#289: a box with score 0 inside a box with score 1,
        // IoU 63/65 > 0.3: the CPU answer, [1], is right (the GPU kernel kept both).
        #expect(nms([7, 0, 12, 63, 7, 0, 12, 65], [0, 1], 0.3) == [1])
        // jwyang/faster-rcnn.pytorch#220: six overlapping boxes at threshold 0.1; only the best,
        // index 5 (score 0.9), survives, as the CPU kernel answered.
        #expect(nms([12, 84, 140, 212, 24, 84, 152, 212, 36, 84, 164, 212, 12, 96, 140, 224, 24, 96, 152, 224, 24, 108, 152, 236],
                    [0.1, 0.8, 0.7, 0.6, 0.5, 0.9], 0.1) == [5])
    }

    @Test("IoU exactly at the threshold does not suppress (strictly greater)")
    func thresholdIsStrict() {
        let boxes: [Float] = [0, 0, 10, 10, 5, 0, 15, 10]  // IoU 1/3: both kept
        #expect(nms(boxes, [0.9, 0.8], 0.5) == [0, 1])
        #expect(nms([0, 0, 10, 10, 0, 0, 10, 5], [0.9, 0.8], 0.5) == [0, 1])  // IoU exactly 0.5
        #expect(nms([0, 0, 10, 10, 0, 0, 10, 5], [0.9, 0.8], 0.49) == [0])
    }

    @Test("empty input, empty boxes and maximumKept")
    func edges() {
        #expect(nms([], [], 0.5).isEmpty)
        #expect(batchedNMS([], [], [], 0.5).isEmpty)
        // Two identical zero-area boxes: 0/0 is NaN in torchvision, which suppresses nothing.
        #expect(nms([3, 3, 3, 3, 3, 3, 3, 3], [0.2, 0.7], 0.5) == [1, 0])
        #expect(nms([0, 0, 1, 1], [0.3], 0.5) == [0])
        let boxes = randomBoxes(300, seed: 11)
        let scores = randomFloats(300, seed: 12, range: 0...1)
        let full = nms(boxes, scores, 0.3)
        #expect(nms(boxes, scores, 0.3, maximumKept: 5) == Array(full.prefix(5)))
        #expect(nms(boxes, scores, 0.3, maximumKept: 0).isEmpty)
    }

    @Test("NMS equals the naive O(N²) reference on random and clustered boxes",
          arguments: [(1, 1), (2, 50), (3, 500), (4, 2000)])
    func randomAgainstReference(seed: UInt64, count: Int) {
        for boxes in [randomBoxes(count, seed: seed), clusteredBoxes(count, clusters: max(1, count / 40), seed: seed)] {
            var scores = randomFloats(count, seed: seed + 7, range: 0...1)
            // Quantised scores force many exact ties.
            if seed % 2 == 0 { scores = scores.map { ($0 * 20).rounded() / 20 } }
            for threshold: Float in [0.3, 0.5, 0.7] {
                #expect(nms(boxes, scores, threshold) == Reference.nms(boxes: boxes, scores: scores, iouThreshold: threshold))
            }
        }
    }

    @Test("batched NMS equals per-class reference NMS", arguments: [(1, 3), (2, 80), (3, 1)])
    func batchedAgainstReference(seed: UInt64, classCount: Int) {
        let count = 1500
        let boxes = clusteredBoxes(count, clusters: 30, seed: seed)
        let scores = randomFloats(count, seed: seed + 1, range: 0...1).map { ($0 * 50).rounded() / 50 }
        var generator = SplitMix64(seed: seed + 2)
        let classes = (0..<count).map { _ in Int.random(in: 0..<classCount, using: &generator) }
        let expected = Reference.batchedNMS(boxes: boxes, scores: scores, classes: classes, iouThreshold: 0.5)
        #expect(batchedNMS(boxes, scores, classes, 0.5) == expected)
        // Labels spread far apart (and negative) take the comparison-sort grouping path.
        let spread = classes.map { $0 * 1_000_003 - 7 }
        #expect(batchedNMS(boxes, scores, spread, 0.5) == expected)
    }
}
