// Forward kernels against the naive Float64 twins on seeded random inputs, and backward kernels
// against central finite differences of those twins (computed in Double, step 1e-6).
//
// Tolerances: the kernels compute in Float32, whose unit roundoff is 6e-8; a loss is a handful
// of rounded operations, so 1e-5 relative (plus 1e-7 absolute for values near 0) bounds the
// forward, and 1e-4 relative plus 1e-6 absolute the gradients (Float32 kernel against the
// Float64 difference quotient, whose own error is about 1e-9).
import Foundation
import Kernels
import TestSupport
import Testing

@Suite("Loss kernels: naive twins and finite-difference gradients")
struct LossGradientTests {
    /// Odd sizes, so vectorised loops also run their scalar remainders.
    static let sizes = [1, 7, 37]

    @Test("binary cross-entropy with logits", arguments: sizes)
    func binaryCrossEntropy(n: Int) {
        let x = seededFloats(n, -8, 8, seed: 1), t = seededFloats(n, 0, 1, seed: 2), g = seededFloats(n, -2, 2, seed: 3)
        let xd = x.map(Double.init), td = t.map(Double.init)
        expectClose(Run.bce(x, t), xd.indices.map { Naive.bce(xd[$0], td[$0]) }, relative: 1e-5, absolute: 1e-7, "bce forward")
        let numeric = Naive.numericGradient(xd, width: 1, gradOutput: g.map(Double.init)) { i, v in Naive.bce(v.first!, td[i]) }
        expectClose(Run.bceGrad(g, x, t), numeric, absolute: 1e-6, "bce gradient")
    }

    @Test("sigmoid focal loss for several alpha and gamma", arguments: [(Float(0.25), Float(2)), (-1, 2), (0.25, 1.5), (0.6, 0.5), (0.25, 0)])
    func sigmoidFocal(alpha: Float, gamma: Float) {
        let n = 37
        let x = seededFloats(n, -8, 8, seed: 4), g = seededFloats(n, -2, 2, seed: 5)
        let t = seededFloats(n, 0, 1, seed: 6).map { $0 < 0.3 ? Float(1) : 0 }
        let xd = x.map(Double.init), td = t.map(Double.init)
        let (a, gm) = (Double(alpha), Double(gamma))
        expectClose(Run.focal(x, t, alpha: alpha, gamma: gamma), xd.indices.map { Naive.focal(xd[$0], td[$0], alpha: a, gamma: gm) },
                    relative: 1e-5, absolute: 1e-7, "focal forward")
        let numeric = Naive.numericGradient(xd, width: 1, gradOutput: g.map(Double.init)) { i, v in Naive.focal(v.first!, td[i], alpha: a, gamma: gm) }
        expectClose(Run.focalGrad(g, x, t, alpha: alpha, gamma: gamma), numeric, absolute: 1e-6, "focal gradient")
    }

    @Test("smooth L1 for beta 1/9, 1 and 0", arguments: [Float(1) / 9, 1, 0])
    func smoothL1(beta: Float) {
        let n = 37
        // Keep |d| away from the kink at β, where the derivative jumps.
        let a = seededFloats(n, -2, 2, seed: 7), b = seededFloats(n, -2, 2, seed: 8).enumerated().map { i, v in
            abs(abs(a[i] - v) - beta) < 1e-3 ? v + 0.01 : v
        }
        let g = seededFloats(n, -2, 2, seed: 9)
        let ad = a.map(Double.init), bd = b.map(Double.init)
        expectClose(Run.smoothL1(a, b, beta: beta), ad.indices.map { Naive.smoothL1(ad[$0], bd[$0], beta: Double(beta)) },
                    relative: 1e-5, absolute: 1e-7, "smooth L1 forward")
        let numeric = Naive.numericGradient(ad, width: 1, gradOutput: g.map(Double.init)) { i, v in Naive.smoothL1(v.first!, bd[i], beta: Double(beta)) }
        expectClose(Run.smoothL1Grad(g, a, b, beta: beta), numeric, absolute: 1e-6, "smooth L1 gradient")
    }

    @Test("softmax cross-entropy, with an ignored row", arguments: [1, 5, 21])
    func crossEntropy(classes c: Int) {
        let n = 7
        let x = seededFloats(n * c, -6, 6, seed: 10), g = seededFloats(n, -2, 2, seed: 11)
        let y: [Int32] = (0..<n).map { $0 == 3 ? -1 : Int32(($0 * 7 + 2) % c) }
        let xd = x.map(Double.init)
        let rowLoss = { (i: Int, row: ArraySlice<Double>) -> Double in y[i] < 0 ? 0 : Naive.crossEntropy(Array(row), Int(y[i])) }
        let expected = (0..<n).map { rowLoss($0, xd[($0 * c)..<(($0 + 1) * c)]) }
        expectClose(Run.crossEntropy(x, y, classes: c), expected, relative: 1e-5, absolute: 1e-7, "ce forward")
        let numeric = Naive.numericGradient(xd, width: c, gradOutput: g.map(Double.init), rowLoss)
        expectClose(Run.crossEntropyGrad(g, x, y, classes: c), numeric, absolute: 1e-6, "ce gradient")
    }

    @Test("softmax focal loss for gamma 2, 1.5, 0.5 and 0", arguments: [Float(2), 1.5, 0.5, 0])
    func softmaxFocal(gamma: Float) {
        let n = 9, c = 4
        let x = seededFloats(n * c, -5, 5, seed: 12), g = seededFloats(n, -2, 2, seed: 13)
        let y: [Int32] = (0..<n).map { $0 == 4 ? -1 : Int32($0 % c) }
        let xd = x.map(Double.init)
        let rowLoss = { (i: Int, row: ArraySlice<Double>) -> Double in
            y[i] < 0 ? 0 : Naive.softmaxFocal(Array(row), Int(y[i]), gamma: Double(gamma))
        }
        let expected = (0..<n).map { rowLoss($0, xd[($0 * c)..<(($0 + 1) * c)]) }
        expectClose(Run.softmaxFocal(x, y, classes: c, gamma: gamma), expected, relative: 1e-5, absolute: 1e-7, "softmax focal forward")
        let numeric = Naive.numericGradient(xd, width: c, gradOutput: g.map(Double.init), rowLoss)
        expectClose(Run.softmaxFocalGrad(g, x, y, classes: c, gamma: gamma), numeric, absolute: 1e-6, "softmax focal gradient")
    }

    @Test("many rows take the parallel, blocked softmax path and still match the twin")
    func crossEntropyManyRows() {
        let n = 2_001, c = 21
        let x = seededFloats(n * c, -6, 6, seed: 17), g = seededFloats(n, -1, 1, seed: 18)
        let y: [Int32] = (0..<n).map { $0 % 97 == 0 ? -1 : Int32(($0 * 5) % c) }
        let xd = x.map(Double.init)
        let expected = (0..<n).map { i in y[i] < 0 ? 0 : Naive.crossEntropy(Array(xd[(i * c)..<((i + 1) * c)]), Int(y[i])) }
        expectClose(Run.crossEntropy(x, y, classes: c), expected, relative: 1e-5, absolute: 1e-7, "ce forward")
        // The backward's rows: grad_output · (softmax − one-hot), 0 for ignored rows.
        var gradient = [Double](repeating: 0, count: n * c)
        for i in 0..<n where y[i] >= 0 {
            let row = xd[(i * c)..<((i + 1) * c)], top = row.max()!
            let total = row.reduce(0) { $0 + exp($1 - top) }
            for j in 0..<c { gradient[i * c + j] = Double(g[i]) * (exp(xd[i * c + j] - top) / total - (j == Int(y[i]) ? 1 : 0)) }
        }
        expectClose(Run.crossEntropyGrad(g, x, y, classes: c), gradient, relative: 1e-5, absolute: 1e-7, "ce gradient")
    }

    @Test("empty inputs write nothing and do not trap")
    func empty() {
        #expect(Run.bce([], []).isEmpty)
        #expect(Run.focalGrad([], [], []).isEmpty)
        #expect(Run.smoothL1([], [], beta: 1).isEmpty)
        #expect(Run.crossEntropy([], [], classes: 3).isEmpty)
        #expect(Run.softmaxFocalGrad([], [], [], classes: 3).isEmpty)
    }
}
