// The vectorised, core-split ReLU and group-normalisation kernels against direct loops (in
// Double for the statistics), over sizes around the 16-lane step and the split threshold, with
// NaN, ±0 and a mean far larger than the spread (which a one-pass variance would cancel away).
import Kernels
import Testing
import TestSupport

@Suite("ReLU and GroupNorm kernels against direct loops")
struct ReLUAndGroupNormKernelTests {
    @Test("reluForward and reluBackward equal the scalar rules", arguments: [0, 1, 15, 16, 17, 1_000, 65_535, 200_001])
    func relu(count n: Int) {
        var x = randomFloats(n, seed: 11)
        if n > 3 { x[0] = .nan; x[1] = 0; x[2] = -0.0 }
        let gOut = randomFloats(n, seed: 12)
        var y = [Float](repeating: 7, count: n), gIn = [Float](repeating: 7, count: n)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { Kernels.reluForward($0, xp) } }
        y.withUnsafeBufferPointer { yp in gOut.withUnsafeBufferPointer { gp in gIn.withUnsafeMutableBufferPointer {
            Kernels.reluBackward($0, gradOutput: gp, output: yp)
        } } }
        for i in 0..<n {
            let expected = Swift.max(x[i], 0)
            #expect(y[i] == expected || (y[i].isNaN && expected.isNaN), "forward at \(i): \(y[i]) for \(x[i])")
            #expect(gIn[i] == (expected > 0 ? gOut[i] : 0), "backward at \(i)")
        }
    }

    /// Group normalisation in Double, as PyTorch defines it (biased variance).
    static func reference(_ x: [Float], n: Int, c: Int, s: Int, groups: Int, gamma: [Float], beta: [Float], gradOutput: [Float],
                          epsilon: Double) -> (output: [Double], gradInput: [Double], gradGamma: [Double], gradBeta: [Double]) {
        var out = [Double](repeating: 0, count: x.count), gi = out
        var gg = [Double](repeating: 0, count: c), gb = gg
        let cg = c / groups, k = Double(cg * s)
        for ni in 0..<n {
            for g in 0..<groups {
                let range = ((ni * c + g * cg) * s)..<((ni * c + (g + 1) * cg) * s)
                let mean = range.reduce(0.0) { $0 + Double(x[$1]) } / k
                let variance = range.reduce(0.0) { $0 + (Double(x[$1]) - mean) * (Double(x[$1]) - mean) } / k
                let rstd = 1 / (variance + epsilon).squareRoot()
                var sumD = 0.0, sumDX = 0.0
                for j in range {
                    let channel = j / s % c, xhat = (Double(x[j]) - mean) * rstd, dy = Double(gradOutput[j])
                    out[j] = xhat * Double(gamma[channel]) + Double(beta[channel])
                    gg[channel] += dy * xhat
                    gb[channel] += dy
                    sumD += dy * Double(gamma[channel])
                    sumDX += dy * Double(gamma[channel]) * xhat
                }
                for j in range {
                    let channel = j / s % c, xhat = (Double(x[j]) - mean) * rstd
                    gi[j] = rstd * (Double(gradOutput[j]) * Double(gamma[channel]) - sumD / k - xhat * sumDX / k)
                }
            }
        }
        return (out, gi, gg, gb)
    }

    /// (N, C, S, groups, offset): spatial sizes below, at and around the 16-lane step, and a
    /// mean of 1,000 over a spread of ±1.
    static let shapes: [(Int, Int, Int, Int, Float)] = [
        (2, 4, 1, 2, 0), (1, 6, 15, 3, 0), (2, 8, 16, 4, 0), (2, 16, 37, 4, 0), (1, 32, 2_500, 8, 0), (2, 8, 300, 8, 1_000),
    ]

    @Test("groupNormForward and groupNormBackward equal the Double loops", arguments: shapes)
    func groupNorm(_ shape: (Int, Int, Int, Int, Float)) {
        let (n, c, s, groups, offset) = shape
        let x = randomFloats(n * c * s, seed: 13).map { $0 + offset }
        let gamma = randomFloats(c, seed: 14, range: 0.5...1.5), beta = randomFloats(c, seed: 15)
        let gOut = randomFloats(x.count, seed: 16)
        var y = [Float](repeating: .nan, count: x.count), mean = [Float](repeating: .nan, count: n * groups), rstd = mean
        var gi = [Float](repeating: .nan, count: x.count), gg = [Float](repeating: 1, count: c), gb = gg
        x.withUnsafeBufferPointer { xp in gamma.withUnsafeBufferPointer { ga in beta.withUnsafeBufferPointer { be in
            y.withUnsafeMutableBufferPointer { yp in mean.withUnsafeMutableBufferPointer { m in rstd.withUnsafeMutableBufferPointer { r in
                Kernels.groupNormForward(yp, mean: m, rstd: r, xp, gamma: ga, beta: be, batch: n, channels: c, spatial: s,
                                         groups: groups, epsilon: 1e-5)
            } } }
            gOut.withUnsafeBufferPointer { go in mean.withUnsafeBufferPointer { m in rstd.withUnsafeBufferPointer { r in
                gi.withUnsafeMutableBufferPointer { gip in gg.withUnsafeMutableBufferPointer { ggp in gb.withUnsafeMutableBufferPointer { gbp in
                    Kernels.groupNormBackward(gradInput: gip, gradGamma: ggp, gradBeta: gbp, gradOutput: go, input: xp, gamma: ga,
                                              mean: m, rstd: r, batch: n, channels: c, spatial: s, groups: groups)
                } } }
            } } }
        } } }
        let expected = Self.reference(x, n: n, c: c, s: s, groups: groups, gamma: gamma, beta: beta, gradOutput: gOut, epsilon: 1e-5)
        // With the mean at 1,000, x·scale ≈ 1,700 and its Float rounding (1e-4) remains after
        // the shift is subtracted, as in PyTorch's kernel.
        let tolerance: Double = offset == 0 ? 1e-4 : 1e-3
        expectClose(y, expected.output, relativeTolerance: tolerance, absoluteTolerance: tolerance, "output \(shape)")
        expectClose(gi, expected.gradInput, relativeTolerance: tolerance, absoluteTolerance: tolerance, "gradInput \(shape)")
        // The parameter gradients accumulate onto 1.
        expectClose(gg, expected.gradGamma.map { $0 + 1 }, relativeTolerance: tolerance, absoluteTolerance: tolerance, "gradGamma \(shape)")
        expectClose(gb, expected.gradBeta.map { $0 + 1 }, relativeTolerance: tolerance, absoluteTolerance: tolerance, "gradBeta \(shape)")
    }
}
