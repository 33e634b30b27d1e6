// Array wrappers around the loss kernels, their naive Float64 twins, and a closeness check.
//
// Legend: N elements or rows, C classes. The twins follow PyTorch's and torchvision's formulas
// literally (no rewriting), so agreement with them checks the kernels' algebra.
import Foundation
import Kernels
import Randomness
import Testing
import TestSupport

// MARK: - Closeness

/// Expects |actual − expected| ≤ relative·|expected| + absolute element-wise, naming the first miss.
func expectClose(_ actual: [Float], _ expected: [Double], relative: Double = 1e-4, absolute: Double = 0,
                 _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let error = abs(Double(a) - e)
        if !(error <= relative * abs(e) + absolute) {
            Issue.record("\(what)[\(i)]: got \(a), expected \(e) (error \(error))", sourceLocation: sourceLocation)
            return
        }
    }
}

/// Values below Float's normal range cannot carry 1e-4 relative precision; this is the
/// absolute slack that the fixture comparisons allow for them (e.g. log1p(e^−100) = 3.7e-44).
let belowFloatNormal = Double(Float.leastNormalMagnitude)

// MARK: - Kernel wrappers over arrays

/// Array-in, array-out calls of the loss kernels (backward kernels start from zero unless given `into`).
enum Run {
    static func bce(_ x: [Float], _ t: [Float], _ w: [Float]? = nil) -> [Float] {
        let a = Arena(); defer { a.free() }
        let out = a.output([Float](repeating: .nan, count: x.count))
        Kernels.binaryCrossEntropyWithLogitsForward(out, logits: a.copy(x), targets: a.copy(t), weights: a.copy(w))
        return Array(out)
    }

    static func bceGrad(_ g: [Float], _ x: [Float], _ t: [Float], _ w: [Float]? = nil, into start: [Float]? = nil) -> [Float] {
        let a = Arena(); defer { a.free() }
        let out = a.output(start ?? [Float](repeating: 0, count: x.count))
        Kernels.binaryCrossEntropyWithLogitsBackward(out, gradOutput: a.copy(g), logits: a.copy(x), targets: a.copy(t), weights: a.copy(w))
        return Array(out)
    }

    static func focal(_ x: [Float], _ t: [Float], alpha: Float = 0.25, gamma: Float = 2, _ w: [Float]? = nil) -> [Float] {
        let a = Arena(); defer { a.free() }
        let out = a.output([Float](repeating: .nan, count: x.count))
        Kernels.sigmoidFocalLossForward(out, logits: a.copy(x), targets: a.copy(t), alpha: alpha, gamma: gamma, weights: a.copy(w))
        return Array(out)
    }

    static func focalGrad(_ g: [Float], _ x: [Float], _ t: [Float], alpha: Float = 0.25, gamma: Float = 2, _ w: [Float]? = nil) -> [Float] {
        let a = Arena(); defer { a.free() }
        let out = a.output([Float](repeating: 0, count: x.count))
        Kernels.sigmoidFocalLossBackward(out, gradOutput: a.copy(g), logits: a.copy(x), targets: a.copy(t), alpha: alpha, gamma: gamma, weights: a.copy(w))
        return Array(out)
    }

    static func smoothL1(_ x: [Float], _ y: [Float], beta: Float, _ w: [Float]? = nil) -> [Float] {
        let a = Arena(); defer { a.free() }
        let out = a.output([Float](repeating: .nan, count: x.count))
        Kernels.smoothL1Forward(out, input: a.copy(x), target: a.copy(y), beta: beta, weights: a.copy(w))
        return Array(out)
    }

    static func smoothL1Grad(_ g: [Float], _ x: [Float], _ y: [Float], beta: Float, _ w: [Float]? = nil) -> [Float] {
        let a = Arena(); defer { a.free() }
        let out = a.output([Float](repeating: 0, count: x.count))
        Kernels.smoothL1Backward(out, gradOutput: a.copy(g), input: a.copy(x), target: a.copy(y), beta: beta, weights: a.copy(w))
        return Array(out)
    }

    static func crossEntropy(_ x: [Float], _ y: [Int32], classes c: Int, _ w: [Float]? = nil) -> [Float] {
        let a = Arena(); defer { a.free() }
        let out = a.output([Float](repeating: .nan, count: y.count))
        Kernels.softmaxCrossEntropyForward(out, logits: a.copy(x), labels: a.copy(y), classCount: c, weights: a.copy(w))
        return Array(out)
    }

    static func crossEntropyGrad(_ g: [Float], _ x: [Float], _ y: [Int32], classes c: Int, _ w: [Float]? = nil, into start: [Float]? = nil) -> [Float] {
        let a = Arena(); defer { a.free() }
        let out = a.output(start ?? [Float](repeating: 0, count: x.count))
        Kernels.softmaxCrossEntropyBackward(out, gradOutput: a.copy(g), logits: a.copy(x), labels: a.copy(y), classCount: c, weights: a.copy(w))
        return Array(out)
    }

    static func softmaxFocal(_ x: [Float], _ y: [Int32], classes c: Int, gamma: Float = 2, _ w: [Float]? = nil) -> [Float] {
        let a = Arena(); defer { a.free() }
        let out = a.output([Float](repeating: .nan, count: y.count))
        Kernels.softmaxFocalLossForward(out, logits: a.copy(x), labels: a.copy(y), classCount: c, gamma: gamma, weights: a.copy(w))
        return Array(out)
    }

    static func softmaxFocalGrad(_ g: [Float], _ x: [Float], _ y: [Int32], classes c: Int, gamma: Float = 2, _ w: [Float]? = nil) -> [Float] {
        let a = Arena(); defer { a.free() }
        let out = a.output([Float](repeating: 0, count: x.count))
        Kernels.softmaxFocalLossBackward(out, gradOutput: a.copy(g), logits: a.copy(x), labels: a.copy(y), classCount: c, gamma: gamma, weights: a.copy(w))
        return Array(out)
    }
}

// MARK: - Naive Float64 twins

/// The losses written as PyTorch / torchvision write them, in Double.
enum Naive {
    static func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }

    static func bce(_ x: Double, _ t: Double) -> Double { max(x, 0) - x * t + log1p(exp(-abs(x))) }

    /// torchvision.ops.sigmoid_focal_loss, line by line.
    static func focal(_ x: Double, _ t: Double, alpha: Double = 0.25, gamma: Double = 2) -> Double {
        let p = sigmoid(x)
        let ce = bce(x, t)
        let pT = p * t + (1 - p) * (1 - t)
        var loss = ce * pow(1 - pT, gamma)
        if alpha >= 0 { loss *= alpha * t + (1 - alpha) * (1 - t) }
        return loss
    }

    static func smoothL1(_ a: Double, _ b: Double, beta: Double) -> Double {
        let d = abs(a - b)
        return d < beta ? 0.5 * d * d / beta : d - 0.5 * beta
    }

    static func logSoftmax(_ row: [Double]) -> [Double] {
        let m = row.max()!
        let lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
        return row.map { $0 - lse }
    }

    static func crossEntropy(_ row: [Double], _ y: Int) -> Double { -logSoftmax(row)[y] }

    /// −α_t (1 − p_t)^γ log p_t with α_t = alpha for y ≥ 1, 1 − alpha for y = 0.
    static func softmaxFocal(_ row: [Double], _ y: Int, alpha: Double = 0.25, gamma: Double = 2) -> Double {
        let logPT = logSoftmax(row)[y]
        return -(y >= 1 ? alpha : 1 - alpha) * pow(1 - exp(logPT), gamma) * logPT
    }

    /// Central-difference gradient of Σ_i g_i·f_i(x) at x, with f given per row of `width`.
    static func numericGradient(_ x: [Double], width: Int, gradOutput g: [Double], step: Double = 1e-6,
                                _ f: (_ row: Int, _ values: ArraySlice<Double>) -> Double) -> [Double] {
        var x = x
        var grad = [Double](repeating: 0, count: x.count)
        for k in x.indices {
            let row = k / width, range = (row * width)..<((row + 1) * width)
            let h = step * max(1, abs(x[k])), saved = x[k]
            x[k] = saved + h; let up = f(row, x[range])
            x[k] = saved - h; let down = f(row, x[range])
            x[k] = saved
            grad[k] = g[row] * (up - down) / (2 * h)
        }
        return grad
    }
}

// MARK: - Fixture reading

/// Flattens nested JSON arrays of numbers into [Double].
func flatDoubles(_ value: Any) -> [Double] {
    if let number = value as? NSNumber { return [number.doubleValue] }
    if let array = value as? [Any] { return array.flatMap(flatDoubles) }
    Issue.record("fixture value \(value) is not a number or an array")
    return []
}
