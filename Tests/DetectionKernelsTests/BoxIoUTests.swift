import DetectionKernels
import Kernels
import Testing
import TestSupport

// Legend: N, M boxes [·, 4] (x1, y1, x2, y2) pixels; IoU matrices [N, M].

/// Runs `Kernels.pairwiseIoU` on arrays.
private func pairwise(_ a: [Float], _ b: [Float]) -> [Float] {
    let n = a.count / 4, m = b.count / 4
    var out = [Float](repeating: .nan, count: n * m)
    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { op in
        Kernels.pairwiseIoU(op, ap, count1: n, bp, count2: m)
    } } }
    return out
}

@Suite("Pairwise IoU")
struct BoxIoUTests {
    @Test("IoU equals torchvision's box_iou (box_iou.json)")
    func fixture() throws {
        let root = try #require(try Fixtures.json("box_iou.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        for c in cases {
            let a = flattenNumbers(c["boxes1"]!).map(Float.init), b = flattenNumbers(c["boxes2"]!).map(Float.init)
            expectClose(pairwise(a, b), flattenNumbers(c["iou"]!), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        }
    }

    @Test("hand-computed pairs: identical, half overlap, touching, disjoint, contained")
    func handComputed() {
        let a: [Float] = [0, 0, 10, 10]
        let b: [Float] = [0, 0, 10, 10, 5, 0, 15, 10, 10, 0, 20, 10, 30, 30, 40, 40, 2, 2, 4, 4]
        // Half overlap: inter 50, union 150. Contained: 4 / 100.
        expectClose(pairwise(a, b), [1, 1.0 / 3, 0, 0, 0.04] as [Double], absoluteTolerance: 1e-6)
    }

    @Test("degenerate boxes give 0 IoU, never NaN")
    func degenerate() {
        // Two identical zero-area boxes (0/0 in torchvision), a zero-area box inside a box, and a
        // malformed box (x2 < x1).
        let a: [Float] = [10, 10, 10, 20, 10, 10, 10, 20, 5, 5, 1, 1]
        let b: [Float] = [10, 10, 10, 20, 0, 0, 20, 20]
        let iou = pairwise(a, b)
        #expect(iou.allSatisfy { !$0.isNaN })
        #expect(iou == [0, 0, 0, 0, 0, 0])
    }

    @Test("empty inputs write nothing")
    func empty() {
        #expect(pairwise([], [0, 0, 1, 1]).isEmpty)
        #expect(pairwise([0, 0, 1, 1], []).isEmpty)
        #expect(pairwise([], []).isEmpty)
    }

    @Test("IoU equals the Double reference on random boxes", arguments: [(1, 1), (7, 13), (64, 33)])
    func randomAgainstReference(n: Int, m: Int) {
        let a = randomBoxes(n, seed: UInt64(n)), b = randomBoxes(m, seed: UInt64(100 + m))
        var expected: [Double] = []
        for i in 0..<n { for j in 0..<m { expected.append(Reference.iou(a[(4 * i)..<(4 * i + 4)], b[(4 * j)..<(4 * j + 4)])) } }
        expectClose(pairwise(a, b), expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }
}
