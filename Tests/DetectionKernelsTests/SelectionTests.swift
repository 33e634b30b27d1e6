// OHEM top-k selection and OHEM RoI selection against full-sort naive twins, on seeded inputs
// with many tied losses, plus the empty and degenerate cases.
import DetectionKernels
import Kernels
import Randomness
import TestSupport
import Testing

// MARK: - Naive twins

enum NaiveSelection {
    /// All non-ignored candidates sorted by loss descending, lower index first on ties.
    static func ranked<L: BinaryInteger>(_ losses: [Float], _ labels: [L]) -> [Int] {
        losses.indices.filter { labels[$0] >= 0 }.sorted {
            losses[$0] != losses[$1] ? losses[$0] > losses[$1] : $0 < $1
        }
    }

    /// Walk the full sort, skipping positives beyond the cap, until k are taken.
    static func ohem<L: BinaryInteger>(_ losses: [Float], _ labels: [L], k: Int, maxPositives: Int?) -> [Int] {
        var taken: [Int] = [], positives = 0
        for i in ranked(losses, labels) where taken.count < k {
            if let cap = maxPositives, labels[i] > 0 {
                if positives == cap { continue }
                positives += 1
            }
            taken.append(i)
        }
        return taken
    }

    /// Greedy NMS over the full sort, the torchvision IoU formula in Float, first k kept.
    static func roiSelect(_ boxes: [Float], _ losses: [Float], _ labels: [Int32], threshold: Float, k: Int) -> [Int] {
        var kept: [Int] = []
        for i in ranked(losses, labels) where kept.count < k {
            let a = Array(boxes[(4 * i)..<(4 * i + 4)])
            let suppressed = kept.contains { j in
                let b = Array(boxes[(4 * j)..<(4 * j + 4)])
                let w = max(0, min(a[2], b[2]) - max(a[0], b[0])), h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
                let inter = w * h
                return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter) > threshold
            }
            if !suppressed { kept.append(i) }
        }
        return kept
    }
}

/// Seeded labels: +1 with probability `positive`, −1 with probability `ignored`, else 0.
func seededLabels(_ n: Int, positive: Float, ignored: Float, seed: UInt64) -> [Int32] {
    seededFloats(n, 0, 1, seed: seed).map { $0 < positive ? 1 : ($0 < positive + ignored ? -1 : 0) }
}

/// Calls `ohemSelect` on arrays.
func runOHEM(_ losses: [Float], _ labels: [Int32], k: Int, maxPositives: Int?) -> [Int] {
    let a = Arena(); defer { a.free() }
    let out = a.output([Int](repeating: -1, count: k))
    let count = Kernels.ohemSelect(out, losses: a.copy(losses), labels: a.copy(labels), count: k, maxPositives: maxPositives)
    return Array(out[0..<count])
}

// MARK: - Tests

@Suite("OHEM selection (top-k by loss, positive cap)")
struct OHEMSelectionTests {
    @Test("equals the full-sort reference, ties by index, with and without a positive cap",
          arguments: [(n: 5_000, k: 256, cap: Int?.some(64)), (5_000, 256, nil), (1_000, 700, 10), (300, 1, 0), (17, 64, 8)])
    func matchesFullSort(n: Int, k: Int, cap: Int?) {
        // Losses on a coarse grid so that many tie; 5 % positives, 10 % ignored.
        let losses = seededFloats(n, 0, 4, seed: UInt64(n + k)).map { ($0 * 8).rounded() / 8 }
        let labels = seededLabels(n, positive: 0.05, ignored: 0.1, seed: UInt64(n * 3 + k))
        let expected = NaiveSelection.ohem(losses, labels, k: k, maxPositives: cap)
        #expect(runOHEM(losses, labels, k: k, maxPositives: cap) == expected)
    }

    @Test("the K4a workload: 256 of 120,000 with 1 % positives, cap 64")
    func k4aWorkload() {
        let n = 120_000
        // Positives are harder than most negatives here, so the cap of 64 binds.
        let labels = seededLabels(n, positive: 0.01, ignored: 0.02, seed: 51)
        let losses = seededFloats(n, 0, 10, seed: 50).enumerated().map { i, v in labels[i] > 0 ? v + 9 : v }
        let chosen = runOHEM(losses, labels, k: 256, maxPositives: 64)
        #expect(chosen == NaiveSelection.ohem(losses, labels, k: 256, maxPositives: 64))
        #expect(chosen.count == 256 && Set(chosen).count == 256)
        #expect(chosen.filter { labels[$0] > 0 }.count == 64, "the cap binds: about 1,200 positives, 64 taken")
        #expect(chosen.allSatisfy { labels[$0] >= 0 })
    }

    @Test("adversarial order (ascending losses) still matches the reference")
    func ascendingLosses() {
        let n = 3_000
        let losses = (0..<n).map { Float($0) }, labels = seededLabels(n, positive: 0.3, ignored: 0, seed: 52)
        #expect(runOHEM(losses, labels, k: 100, maxPositives: 25) == NaiveSelection.ohem(losses, labels, k: 100, maxPositives: 25))
    }

    @Test("empty, all ignored, and fewer candidates or positives than asked")
    func degenerate() {
        #expect(runOHEM([Float](), [Int32](), k: 256, maxPositives: 64).isEmpty)
        #expect(runOHEM([1, 2, 3], [Int32](repeating: -1, count: 3), k: 2, maxPositives: nil).isEmpty)
        #expect(runOHEM([1, 2, 3], [Int32](repeating: 0, count: 3), k: 0, maxPositives: nil).isEmpty)
        // Fewer than k: everything non-ignored, best first.
        #expect(runOHEM([1, 5, 3, 5], [0, 1, -1, 0] as [Int32], k: 10, maxPositives: nil) == [1, 3, 0])
        // No positives: all negatives. Positives beyond the cap are skipped even if negatives run out.
        #expect(runOHEM([1, 5, 3], [0, 0, 0] as [Int32], k: 2, maxPositives: 1) == [1, 2])
        #expect(runOHEM([9, 8, 7, 1], [1, 1, 1, 0] as [Int32], k: 4, maxPositives: 1) == [0, 3])
        // Equal losses: lower index first; −0 ties with +0; NaN of either sign ranks first, as torch.topk.
        #expect(runOHEM([2, 2, 2, 2], [0, 0, 0, 0] as [Int32], k: 3, maxPositives: nil) == [0, 1, 2])
        #expect(runOHEM([0, -0.0, 1, -1], [0, 0, 0, 0] as [Int32], k: 4, maxPositives: nil) == [2, 0, 1, 3])
        #expect(runOHEM([1, -Float.nan, 3, .infinity], [0, 0, 0, 0] as [Int32], k: 2, maxPositives: nil) == [1, 3])
    }
}

@Suite("OHEM RoI selection (NMS by loss)")
struct OHEMRoISelectionTests {
    static func run(_ boxes: [Float], _ losses: [Float], _ labels: [Int32]?, threshold: Float, k: Int) -> [Int] {
        let a = Arena(); defer { a.free() }
        let out = a.output([Int](repeating: -1, count: k))
        let count = Kernels.ohemRoISelect(out, boxes: a.copy(boxes), losses: a.copy(losses), labels: a.copy(labels),
                                          iouThreshold: threshold, count: k)
        return Array(out[0..<count])
    }

    @Test("a hand case: the near-duplicate of the worst RoI is suppressed, ties by index")
    func handCase() {
        // RoIs 1 and 2 overlap with IoU 90/110 = 0.82 > 0.7; RoIs 0 and 3 are apart and tie in loss.
        let boxes: [Float] = [0, 0, 10, 10,   20, 20, 30, 30,   21, 20, 31, 30,   40, 40, 50, 50]
        let losses: [Float] = [1, 3, 2, 1]
        #expect(Self.run(boxes, losses, nil, threshold: 0.7, k: 4) == [1, 0, 3])
        #expect(Self.run(boxes, losses, nil, threshold: 0.9, k: 4) == [1, 2, 0, 3])
        #expect(Self.run(boxes, losses, nil, threshold: 0.7, k: 2) == [1, 0])
        #expect(Self.run(boxes, losses, [0, -1, 0, 1], threshold: 0.7, k: 4) == [2, 0, 3])
    }

    @Test("the K4b workload equals greedy NMS over the full sort", arguments: [0.7 as Float, 0.3])
    func matchesReference(threshold: Float) {
        let n = 2_000
        let corner = seededFloats(2 * n, 0, 360, seed: 60), size = seededFloats(2 * n, 8, 120, seed: 61)
        var boxes: [Float] = []
        for i in 0..<n {
            let x1: Float = corner[2 * i], y1: Float = corner[2 * i + 1]
            boxes += [x1, y1, x1 + size[2 * i], y1 + size[2 * i + 1]]
        }
        let losses = seededFloats(n, 0, 3, seed: 62).map { ($0 * 16).rounded() / 16 }
        let labels: [Int32] = seededLabels(n, positive: 0.25, ignored: 0.05, seed: 63)
        let chosen = Self.run(boxes, losses, labels, threshold: threshold, k: 128)
        #expect(chosen == NaiveSelection.roiSelect(boxes, losses, labels, threshold: threshold, k: 128))
        #expect(chosen.count == 128 && Set(chosen).count == 128)
    }

    @Test("empty input and all ignored select nothing")
    func degenerate() {
        #expect(Self.run([], [], nil, threshold: 0.7, k: 128).isEmpty)
        #expect(Self.run([0, 0, 1, 1], [1], [-1], threshold: 0.7, k: 128).isEmpty)
    }
}

@Suite("Partial sort of rank keys")
struct PartialSortTests {
    @Test("sortSmallestKeys leaves the k smallest keys first, in order", arguments: [0, 1, 5, 17, 2_000, 22_500, 30_000])
    func partialSort(keeping k: Int) {
        var generator = SplitMix64(seed: 17)
        // Distinct keys: random high halves (with many ties) and the index below.
        let keys = (0..<22_500).map { i in (generator.next() % 1_000) << 32 | UInt64(i) }
        var partial = keys
        partial.withUnsafeMutableBufferPointer { Kernels.sortSmallestKeys($0, keeping: k) }
        let kept = min(k, keys.count)
        #expect(Array(partial[0..<kept]) == Array(keys.sorted()[0..<kept]))
        #expect(partial.sorted() == keys.sorted(), "the keys are only reordered")
    }
}
