import DetectionKernels
import Foundation
import Kernels
import Testing
import TestSupport

// Legend: N boxes [N, 4] (x1, y1, x2, y2) pixels; deltas [N, 4·C] (dx, dy, dw, dh) per group.

/// Runs `Kernels.encodeBoxes` on arrays.
private func encode(_ boxes: [Float], relativeTo references: [Float], _ weights: BoxCodingWeights) -> [Float] {
    var deltas = [Float](repeating: .nan, count: boxes.count)
    boxes.withUnsafeBufferPointer { b in references.withUnsafeBufferPointer { r in
        deltas.withUnsafeMutableBufferPointer {
            Kernels.encodeBoxes($0, b, relativeTo: r, count: boxes.count / 4, weights: weights)
        }
    } }
    return deltas
}

/// Runs `Kernels.decodeBoxes` on arrays with C = deltas per row / 4 groups.
private func decode(_ deltas: [Float], relativeTo references: [Float], _ weights: BoxCodingWeights) -> [Float] {
    let n = references.count / 4
    var boxes = [Float](repeating: .nan, count: deltas.count)
    deltas.withUnsafeBufferPointer { d in references.withUnsafeBufferPointer { r in
        boxes.withUnsafeMutableBufferPointer {
            Kernels.decodeBoxes($0, d, relativeTo: r, count: n, groupCount: n == 0 ? 1 : deltas.count / (4 * n),
                                weights: weights)
        }
    } }
    return boxes
}

@Suite("Box coder: encode and decode")
struct BoxCodingTests {
    @Test("encode and decode equal torchvision's BoxCoder, weights (1,1,1,1) and (10,10,5,5) (box_coder.json)")
    func fixture() throws {
        let root = try #require(try Fixtures.json("box_coder.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count == 2)
        for c in cases {
            let w = flattenNumbers(c["weights"]!).map(Float.init)
            let weights = BoxCodingWeights(x: w[0], y: w[1], width: w[2], height: w[3])
            let proposals = flattenNumbers(c["proposals"]!).map(Float.init)
            let gt = flattenNumbers(c["gt"]!).map(Float.init)
            expectClose(encode(gt, relativeTo: proposals, weights), flattenNumbers(c["deltas"]!),
                        relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "encode \(w)")
            let relCodes = flattenNumbers(c["rel_codes"]!).map(Float.init)
            expectClose(decode(relCodes, relativeTo: proposals, weights), flattenNumbers(c["decoded"]!),
                        relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "decode \(w)")
        }
    }

    @Test("hand-computed encode: shifted and scaled box")
    func handComputed() {
        // Reference 0..10 × 0..20 (centre 5, 10); target centre (7, 10), size 20 × 10.
        let deltas = encode([-3, 5, 17, 15], relativeTo: [0, 0, 10, 20], .roiHead)
        expectClose(deltas, [10 * 0.2, 0, 5 * log(2.0), 5 * log(0.5)] as [Double], absoluteTolerance: 1e-5)
    }

    @Test("decode inverts encode on random boxes, for both weight sets")
    func roundTrip() {
        let references = randomBoxes(40, seed: 51), targets = randomBoxes(40, seed: 52)
        for weights in [BoxCodingWeights.unit, .roiHead] {
            let back = decode(encode(targets, relativeTo: references, weights), relativeTo: references, weights)
            expectClose(back, targets, relativeTolerance: 1e-4, absoluteTolerance: 1e-3)
        }
    }

    @Test("per-class decode of [N, 4·(K+1)] equals decoding each class's column group")
    func perClass() {
        let n = 6, groups = 4
        let references = randomBoxes(n, seed: 61)
        let deltas = randomFloats(n * 4 * groups, seed: 62, range: -2...2)
        let all = decode(deltas, relativeTo: references, .roiHead)
        for k in 0..<groups {
            var column: [Float] = []
            for i in 0..<n { column += deltas[(4 * (i * groups + k))..<(4 * (i * groups + k) + 4)] }
            let single = decode(column, relativeTo: references, .roiHead)
            for i in 0..<n {
                #expect(Array(all[(4 * (i * groups + k))..<(4 * (i * groups + k) + 4)]) == Array(single[(4 * i)..<(4 * i + 4)]))
            }
        }
    }

    @Test("dw and dh are clamped at log(1000/16) before exp")
    func clamp() {
        let boxes = decode([0, 0, 100, 100], relativeTo: [0, 0, 2, 4], .unit)
        // Width 2·62.5 = 125 and height 4·62.5 = 250 around the centre (1, 2).
        expectClose(boxes, [1 - 62.5, 2 - 125, 1 + 62.5, 2 + 125] as [Double], relativeTolerance: 1e-5)
        #expect(Kernels.boxDecodingScaleClip == Float(log(1000.0 / 16.0)))
    }

    @Test("no boxes: nothing is written")
    func empty() {
        #expect(encode([], relativeTo: [], .unit).isEmpty)
        #expect(decode([], relativeTo: [], .unit).isEmpty)
    }
}
