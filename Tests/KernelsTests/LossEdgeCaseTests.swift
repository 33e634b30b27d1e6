// Loss kernels at saturated logits, with weights, ignored rows, accumulation, a hand-computed
// softmax focal loss, and the per-candidate mining losses.
import Foundation
import Kernels
import TestSupport
import Testing

@Suite("Loss kernels: stability, weights, ignored rows and hand-computed cases")
struct LossEdgeCaseTests {
    @Test("logits of ±100 and ±1e4 give finite losses and gradients with the limit values", arguments: [Float(100), 1e4])
    func saturatedLogits(scale: Float) {
        let x: [Float] = [scale, -scale, scale, -scale], t: [Float] = [0, 0, 1, 1], g: [Float] = [1, 1, 1, 1]
        // BCE: a confidently wrong logit costs |x| with gradient ±1; a right one costs 0.
        expectClose(Run.bce(x, t), [Double(scale), 0, 0, Double(scale)], relative: 1e-6, absolute: 1e-30, "bce")
        expectClose(Run.bceGrad(g, x, t), [1, 0, 0, -1], absolute: 1e-30, "bce grad")
        // Focal (alpha 0.25): modulator 1 when wrong, so 0.75·|x| and 0.25·|x|; a confidently
        // right logit costs 0 with gradient 0, the answer of kornia/kornia#2115 (loss 0, not
        // log(sigmoid) = -inf times 0 = NaN) and google-deepmind/optax#1267 (no NaN gradient).
        for gamma: Float in [2, 1.5, 0.5, 0] {
            expectClose(Run.focal(x, t, gamma: gamma), [0.75 * Double(scale), 0, 0, 0.25 * Double(scale)], relative: 1e-6, absolute: 1e-30, "focal γ=\(gamma)")
            let grad = Run.focalGrad(g, x, t, gamma: gamma)
            #expect(grad.allSatisfy { $0.isFinite }, "focal grad γ=\(gamma): \(grad)")
            expectClose(grad, [0.75, 0, 0, -0.25], relative: 1e-6, absolute: 1e-30, "focal grad γ=\(gamma)")
        }
        // Softmax CE and softmax focal: the row [s, −s, 0] labelled 1 costs 2s.
        let rows: [Float] = [scale, -scale, 0, -scale, scale, 0], labels: [Int32] = [1, 1]
        expectClose(Run.crossEntropy(rows, labels, classes: 3), [2 * Double(scale), 0], relative: 1e-6, absolute: 1e-30, "ce")
        expectClose(Run.crossEntropyGrad([1, 1], rows, labels, classes: 3), [1, -1, 0, 0, 0, 0], absolute: 1e-30, "ce grad")
        expectClose(Run.softmaxFocal(rows, labels, classes: 3), [0.25 * 2 * Double(scale), 0], relative: 1e-6, absolute: 1e-30, "softmax focal")
        expectClose(Run.softmaxFocalGrad([1, 1], rows, labels, classes: 3), [0.25, -0.25, 0, 0, 0, 0], relative: 1e-6, absolute: 1e-30, "softmax focal grad")
        let smooth = Run.smoothL1([scale, -scale], [-scale, scale], beta: 1.0 / 9)
        #expect(smooth.allSatisfy { $0.isFinite })
    }

    @Test("weights multiply every loss and gradient element-wise")
    func weights() {
        let n = 19, c = 3
        let x = seededFloats(n, -4, 4, seed: 20), t = seededFloats(n, 0, 1, seed: 21).map { $0 < 0.5 ? Float(0) : 1 }
        let w = seededFloats(n, 0, 3, seed: 22), g = seededFloats(n, -1, 1, seed: 23)
        let scaled = { (v: [Float], w: [Float]) in v.indices.map { Double(v[$0] * w[$0]) } }
        expectClose(Run.bce(x, t, w), scaled(Run.bce(x, t), w), relative: 1e-6, "bce")
        expectClose(Run.bceGrad(g, x, t, w), scaled(Run.bceGrad(g, x, t), w), relative: 1e-6, "bce grad")
        expectClose(Run.focal(x, t, w), scaled(Run.focal(x, t), w), relative: 1e-6, "focal")
        expectClose(Run.focalGrad(g, x, t, w), scaled(Run.focalGrad(g, x, t), w), relative: 1e-6, "focal grad")
        expectClose(Run.focal(x, t, gamma: 1.5, w), scaled(Run.focal(x, t, gamma: 1.5), w), relative: 1e-6, "focal γ 1.5")
        expectClose(Run.smoothL1(x, t, beta: 0.5, w), scaled(Run.smoothL1(x, t, beta: 0.5), w), relative: 1e-6, "smooth L1")
        expectClose(Run.smoothL1Grad(g, x, t, beta: 0.5, w), scaled(Run.smoothL1Grad(g, x, t, beta: 0.5), w), relative: 1e-6, "smooth L1 grad")
        // Per-row weights for the softmax losses: row i of the gradient scales by w[i].
        let rows = seededFloats(n * c, -4, 4, seed: 24), y: [Int32] = (0..<n).map { Int32($0 % c) }
        let perElement = (0..<(n * c)).map { w[$0 / c] }
        expectClose(Run.crossEntropy(rows, y, classes: c, w), scaled(Run.crossEntropy(rows, y, classes: c), w), relative: 1e-6, "ce")
        expectClose(Run.crossEntropyGrad(g, rows, y, classes: c, w), scaled(Run.crossEntropyGrad(g, rows, y, classes: c), perElement), relative: 1e-6, absolute: 1e-7, "ce grad")
        expectClose(Run.softmaxFocal(rows, y, classes: c, w), scaled(Run.softmaxFocal(rows, y, classes: c), w), relative: 1e-6, "softmax focal")
        expectClose(Run.softmaxFocalGrad(g, rows, y, classes: c, w), scaled(Run.softmaxFocalGrad(g, rows, y, classes: c), perElement), relative: 1e-6, absolute: 1e-7, "softmax focal grad")
    }

    @Test("ignored rows get loss 0 and leave the accumulated gradient untouched")
    func ignoredRows() {
        let c = 4
        let x = seededFloats(3 * c, -3, 3, seed: 30), y: [Int32] = [2, -1, 0], g: [Float] = [1, 1, 1]
        let start = [Float](repeating: 0.5, count: 3 * c)
        let loss = Run.crossEntropy(x, y, classes: c)
        #expect(loss[1] == 0 && loss[0] > 0 && loss[2] > 0)
        let grad = Run.crossEntropyGrad(g, x, y, classes: c, into: start)
        #expect(grad[c..<(2 * c)].allSatisfy { $0 == 0.5 }, "ignored row changed: \(grad)")
        // Backward accumulates: the other rows equal the fresh gradient plus the start value.
        let fresh = Run.crossEntropyGrad(g, x, y, classes: c)
        expectClose(grad, fresh.map { Double($0 + 0.5) }, relative: 1e-6, "accumulated ce grad")
        #expect(Run.softmaxFocal(x, y, classes: c)[1] == 0)
        #expect(Run.softmaxFocalGrad(g, x, y, classes: c)[c..<(2 * c)].allSatisfy { $0 == 0 })
    }

    @Test("softmax focal loss against a hand computation (alpha_t 0.25 foreground, 0.75 background, gamma 2)")
    func softmaxFocalByHand() {
        // Row [1, 2, 0]: p = (e, e², 1)/(1 + e + e²) = (0.244728, 0.665241, 0.090031).
        // Label 1 (foreground): loss = −0.25·(1 − 0.665241)²·ln 0.665241 = 0.0114194497.
        // Label 0 (background): loss = −0.75·(1 − 0.244728)²·ln 0.244728 = 0.602210868.
        // Gradient: 0.25·F·(p − onehot) with F = q² − 2·q·p_t·ln p_t, q = 1 − p_t.
        let x: [Float] = [1, 2, 0, 1, 2, 0], y: [Int32] = [1, 0]
        expectClose(Run.softmaxFocal(x, y, classes: 3), [0.011419449741971234, 0.6022108682731069], relative: 1e-5, "loss")
        expectClose(Run.softmaxFocalGrad([1, 1], x, y, classes: 3),
                    [0.017963533897494794, -0.02457194870916945, 0.006608414811674647,
                     -0.6178813227462445, 0.544228063612001, 0.07365325913424345], relative: 1e-5, "gradient")
    }

    @Test("objectness candidate loss = BCE + smooth L1 of the positives' deltas; ignored 0")
    func objectnessCandidateLoss() {
        let logits: [Float] = [2, -1, 0.5, 3], labels: [Int32] = [1, 0, -1, 0]
        let deltas = seededFloats(16, -1, 1, seed: 40), targets = seededFloats(16, -1, 1, seed: 41)
        let beta: Float = 1.0 / 9
        let bce = Run.bce(logits, labels.map { $0 > 0 ? 1 : 0 })
        let smooth = Run.smoothL1(deltas, targets, beta: beta)
        let box0 = smooth[0..<4].reduce(0, +)
        let expected: [Double] = [Double(bce[0] + box0), Double(bce[1]), 0, Double(bce[3])]
        let a = Arena(); defer { a.free() }
        let out = a.output([Float](repeating: .nan, count: 4))
        Kernels.objectnessCandidateLosses(out, objectnessLogits: a.copy(logits), labels: a.copy(labels),
                                          deltas: a.copy(deltas), targets: a.copy(targets), beta: beta)
        expectClose(Array(out), expected, relative: 1e-6, "objectness candidate losses")
    }

    @Test("RoI candidate loss = CE + smooth L1 of the labelled class's deltas; ignored 0")
    func roiCandidateLoss() {
        let c = 3, k = 4
        let logits = seededFloats(k * c, -3, 3, seed: 42), labels: [Int32] = [2, 0, -1, 1]
        let deltas = seededFloats(k * 4 * c, -1, 1, seed: 43), targets = seededFloats(k * 4, -1, 1, seed: 44)
        let ce = Run.crossEntropy(logits, labels.map { max($0, 0) }, classes: c)
        func box(_ i: Int, _ label: Int) -> Float {
            let d = Array(deltas[(i * 4 * c + 4 * label)..<(i * 4 * c + 4 * label + 4)])
            return Run.smoothL1(d, Array(targets[(4 * i)..<(4 * i + 4)]), beta: 1).reduce(0, +)
        }
        let expected: [Double] = [Double(ce[0] + box(0, 2)), Double(ce[1]), 0, Double(ce[3] + box(3, 1))]
        let a = Arena(); defer { a.free() }
        let out = a.output([Float](repeating: .nan, count: k))
        Kernels.roiCandidateLosses(out, logits: a.copy(logits), labels: a.copy(labels), classCount: c,
                                   deltas: a.copy(deltas), targets: a.copy(targets), beta: 1)
        expectClose(Array(out), expected, relative: 1e-6, "RoI candidate losses")
    }

    @Test("sigmoid candidate loss = Σ_k BCE against the one-hot class + L1 (β = 0) of the positives' deltas; ignored 0")
    func sigmoidCandidateLoss() {
        let k = 3, n = 4
        let logits = seededFloats(n * k, -3, 3, seed: 45), labels: [Int32] = [2, 0, -1, 3]
        let deltas = seededFloats(n * 4, -1, 1, seed: 46), targets = seededFloats(n * 4, -1, 1, seed: 47)
        // One-hot targets: column label − 1 is 1 for a positive; a background row is all 0.
        let oneHot: [Float] = (0..<(n * k)).map { labels[$0 / k] == Int32($0 % k + 1) ? 1 : 0 }
        let bce = Run.bce(logits, oneHot)
        func classification(_ i: Int) -> Float { bce[(i * k)..<(i * k + k)].reduce(0, +) }
        func box(_ i: Int) -> Float { (0..<4).map { abs(deltas[4 * i + $0] - targets[4 * i + $0]) }.reduce(0, +) }
        let expected: [Double] = [Double(classification(0) + box(0)), Double(classification(1)), 0,
                                  Double(classification(3) + box(3))]
        let a = Arena(); defer { a.free() }
        let out = a.output([Float](repeating: .nan, count: n))
        Kernels.sigmoidCandidateLosses(out, logits: a.copy(logits), labels: a.copy(labels), classCount: k,
                                       deltas: a.copy(deltas), targets: a.copy(targets), beta: 0)
        expectClose(Array(out), expected, relative: 1e-6, "sigmoid candidate losses")
    }
}
