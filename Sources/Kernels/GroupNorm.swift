// Legend: N images, C channels in G groups of C/G, S = H·W spatial elements per channel.
// Statistics are taken per (image, group) over C/G·S elements, in Double for accuracy.

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
        let perGroup = c / groups * s
        for ni in 0..<n {
            for gi in 0..<groups {
                let start = (ni * c + gi * (c / groups)) * s
                var sum: Double = 0, sumSquares: Double = 0
                for j in start..<(start + perGroup) { let v = Double(input[j]); sum += v; sumSquares += v * v }
                let m = perGroup > 0 ? sum / Double(perGroup) : 0
                let variance = perGroup > 0 ? max(sumSquares / Double(perGroup) - m * m, 0) : 0
                let r = Float(1 / (variance + Double(epsilon)).squareRoot())
                mean[ni * groups + gi] = Float(m)
                rstd[ni * groups + gi] = r
                let mf = Float(m)
                for ch in 0..<(c / groups) {
                    let channel = gi * (c / groups) + ch
                    let scale = r * gamma[channel], shift = beta[channel] - mf * scale
                    let base = start + ch * s
                    for j in base..<(base + s) { output[j] = input[j] * scale + shift }
                }
            }
        }
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
        for ni in 0..<n {
            for gi in 0..<groups {
                let m = mean[ni * groups + gi], r = rstd[ni * groups + gi]
                // Σ dxhat and Σ dxhat·xhat over the group, where dxhat = dy·gamma.
                var sumD: Double = 0, sumDX: Double = 0
                for ch in 0..<cg {
                    let channel = gi * cg + ch
                    let base = (ni * c + channel) * s
                    var dyS: Float = 0, dyX: Float = 0
                    for j in base..<(base + s) {
                        let xhat = (input[j] - m) * r
                        dyS += gradOutput[j]
                        dyX += gradOutput[j] * xhat
                    }
                    gradBeta[channel] += dyS
                    gradGamma[channel] += dyX
                    sumD += Double(dyS * gamma[channel])
                    sumDX += Double(dyX * gamma[channel])
                }
                if gradInput.isEmpty || perGroup == 0 { continue }
                let meanD = Float(sumD / Double(perGroup)), meanDX = Float(sumDX / Double(perGroup))
                for ch in 0..<cg {
                    let channel = gi * cg + ch
                    let base = (ni * c + channel) * s
                    let gm = gamma[channel]
                    for j in base..<(base + s) {
                        let xhat = (input[j] - m) * r
                        gradInput[j] = r * (gradOutput[j] * gm - meanD - xhat * meanDX)
                    }
                }
            }
        }
    }
}
