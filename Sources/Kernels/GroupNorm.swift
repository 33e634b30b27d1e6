// Legend: N images, C channels in G groups of C/G, S = H·W spatial elements per channel.
// Statistics are taken per (image, group) over C/G·S elements: two passes (the mean of the
// deviations from the group's first value, then the sum of squared deviations from the mean,
// so a large mean neither swamps the Float sums nor cancels the variance away), each summing
// 16-lane Float partials per channel and adding the channels in Double.
// The groups are split across the cores (each part owns whole groups, so the per-channel
// gamma/beta gradients have one writer), and every loop is a vectorised pass: the serial
// Double loops this replaces cost about 6% of a K11 training step.

extension Kernels {
    /// Group normalisation forward, as PyTorch's `group_norm`: per image and group,
    /// y = (x − mean) / sqrt(var + eps) · gamma[c] + beta[c], with the biased variance.
    ///
    /// - Parameters:
    ///   - output: [N, C, S]; `mean`, `rstd`: [N, G] saved for the backward pass.
    ///   - input: [N, C, S]; `gamma`, `beta`: [C].
    /// - Precondition: `c % groups == 0`, buffer sizes match.
    /// - Reference: Wu and He, "Group Normalization", ECCV 2018.
    public static func groupNormForward(
        _ output: UnsafeMutableBufferPointer<Float>, mean: UnsafeMutableBufferPointer<Float>, rstd: UnsafeMutableBufferPointer<Float>,
        _ input: UnsafeBufferPointer<Float>, gamma: UnsafeBufferPointer<Float>, beta: UnsafeBufferPointer<Float>,
        batch n: Int, channels c: Int, spatial s: Int, groups: Int, epsilon: Float
    ) {
        precondition(groups >= 1 && c % groups == 0, "groupNorm: \(c) channels not divisible into \(groups) groups")
        precondition(input.count == n * c * s && output.count == n * c * s && gamma.count == c && beta.count == c
                     && mean.count == n * groups && rstd.count == n * groups, "groupNorm: buffer sizes do not match N=\(n) C=\(c) S=\(s)")
        let cg = c / groups, perGroup = cg * s
        guard !input.isEmpty, let x = input.baseAddress, let y = output.baseAddress else {
            // No elements (S = 0, or no channels or images): zero mean and unit variance.
            for k in 0..<(n * groups) { mean[k] = 0; rstd[k] = Float(1 / Double(epsilon).squareRoot()) }
            return
        }
        forEachPart { part in
            for gi in share(of: groups, part: part, parts: loopWorkerCount) {
                for ni in 0..<n {
                    let start = (ni * c + gi * cg) * s
                    // The mean of the deviations from the group's first value, so that Float partial
                    // sums stay exact to a few ulp even when the mean dwarfs the spread.
                    let pivot = x[start]
                    var total: Double = 0
                    for ch in 0..<cg { total += Double(sumOfDeviations(x + start + ch * s, count: s, from: pivot)) }
                    let m = perGroup > 0 ? Double(pivot) + total / Double(perGroup) : 0
                    let mf = Float(m)
                    var squares: Double = 0
                    for ch in 0..<cg { squares += Double(sumOfSquaredDeviations(x + start + ch * s, count: s, from: mf)) }
                    // The deviations are from the Float mean; correct to the exact one (Σ(x − m̃)² = Σ(x − m)² + k·(m − m̃)²).
                    let shift = m - Double(mf)
                    let variance = perGroup > 0 ? max(squares / Double(perGroup) - shift * shift, 0) : 0
                    let r = Float(1 / (variance + Double(epsilon)).squareRoot())
                    mean[ni * groups + gi] = mf
                    rstd[ni * groups + gi] = r
                    for ch in 0..<cg {
                        let channel = gi * cg + ch
                        let scale = r * gamma[channel], offset = beta[channel] - mf * scale
                        let base = start + ch * s
                        for j in base..<(base + s) { y[j] = x[j] * scale + offset }
                    }
                }
            }
        }
    }

    /// Σ (x[j] − m) over `count` floats, with 16 partial sums so the loop vectorises.
    @inline(__always)
    static func sumOfDeviations(_ x: UnsafePointer<Float>, count: Int, from m: Float) -> Float {
        var acc = FloatVector(), j = 0
        let mv = FloatVector(repeating: m)
        while j + 16 <= count {
            acc += loadVector(x + j) - mv
            j += 16
        }
        var total = acc.sum()
        while j < count { total += x[j] - m; j += 1 }
        return total
    }

    /// Σ (x[j] − m)² over `count` floats, with 16 partial sums so the loop vectorises.
    @inline(__always)
    static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, count: Int, from m: Float) -> Float {
        var acc = FloatVector(), j = 0
        let mv = FloatVector(repeating: m)
        while j + 16 <= count {
            let d = loadVector(x + j) - mv
            acc += d * d
            j += 16
        }
        var total = acc.sum()
        while j < count { let d = x[j] - m; total += d * d; j += 1 }
        return total
    }

    /// Group normalisation backward. Accumulates (`+=`) into `gradGamma`, `gradBeta` [C] and
    /// writes (overwrites) `gradInput` [N, C, S] when non-empty.
    /// - Precondition: the saved `mean`/`rstd` [N, G] come from `groupNormForward` on `input`.
    public static func groupNormBackward(
        gradInput: UnsafeMutableBufferPointer<Float>, gradGamma: UnsafeMutableBufferPointer<Float>,
        gradBeta: UnsafeMutableBufferPointer<Float>,
        gradOutput: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>, gamma: UnsafeBufferPointer<Float>,
        mean: UnsafeBufferPointer<Float>, rstd: UnsafeBufferPointer<Float>,
        batch n: Int, channels c: Int, spatial s: Int, groups: Int
    ) {
        precondition(gradOutput.count == n * c * s && input.count == n * c * s && gradGamma.count == c && gradBeta.count == c
                     && (gradInput.isEmpty || gradInput.count == n * c * s), "groupNormBackward: buffer sizes do not match")
        let cg = c / groups, perGroup = cg * s
        guard !gradOutput.isEmpty, let dy = gradOutput.baseAddress, let x = input.baseAddress else { return }
        // An empty Swift array's buffer may still have a base address; empty means "skip".
        let dx = gradInput.isEmpty ? nil : gradInput.baseAddress
        forEachPart { part in
            for gi in share(of: groups, part: part, parts: loopWorkerCount) {
                for ni in 0..<n {
                    let m = mean[ni * groups + gi], r = rstd[ni * groups + gi]
                    // Σ dxhat and Σ dxhat·xhat over the group, where dxhat = dy·gamma.
                    var sumD: Double = 0, sumDX: Double = 0
                    for ch in 0..<cg {
                        let channel = gi * cg + ch
                        let base = (ni * c + channel) * s
                        let (dyS, dyX) = sumAndNormalizedDot(dy + base, x + base, count: s, mean: m, rstd: r)
                        gradBeta[channel] += dyS
                        gradGamma[channel] += dyX
                        sumD += Double(dyS * gamma[channel])
                        sumDX += Double(dyX * gamma[channel])
                    }
                    guard let dx, perGroup > 0 else { continue }
                    let meanD = Float(sumD / Double(perGroup)), meanDX = Float(sumDX / Double(perGroup))
                    for ch in 0..<cg {
                        let channel = gi * cg + ch
                        let base = (ni * c + channel) * s
                        let gm = gamma[channel]
                        for j in base..<(base + s) {
                            let xhat = (x[j] - m) * r
                            dx[j] = r * (dy[j] * gm - meanD - xhat * meanDX)
                        }
                    }
                }
            }
        }
    }

    /// (Σ dy[j], Σ dy[j]·(x[j] − mean)·rstd) over `count` floats, with 16 partial sums each.
    @inline(__always)
    static func sumAndNormalizedDot(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int,
                                    mean m: Float, rstd r: Float) -> (Float, Float) {
        var accS = FloatVector(), accX = FloatVector(), j = 0
        let mv = FloatVector(repeating: m), rv = FloatVector(repeating: r)
        while j + 16 <= count {
            let g = loadVector(dy + j)
            accS += g
            accX += g * ((loadVector(x + j) - mv) * rv)
            j += 16
        }
        var totalS = accS.sum(), totalX = accX.sum()
        while j < count { totalS += dy[j]; totalX += dy[j] * ((x[j] - m) * r); j += 1 }
        return (totalS, totalX)
    }
}
