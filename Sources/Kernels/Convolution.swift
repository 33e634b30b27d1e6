// Legend: N images, C input channels, F filters, H×W input, OH×OW output; R = C·KH·KW rows and
// P = OH·OW columns of the im2col matrix. Weights [F, C, KH, KW] are a row-major [F, R] matrix.

extension Kernels {
    /// Convolution forward: for each image, im2col then out[F, P] = W[F, R] · cols[R, P] (+ bias).
    ///
    /// - Parameters:
    ///   - output: [N, F, OH, OW], overwritten.
    ///   - columns: scratch or saved state: [N, R, P] when `keepAllColumns` (the backward pass
    ///     reuses them instead of recomputing im2col), else [R, P] reused per image.
    ///   - input: [N, C, H, W]; weight [F, R]; bias [F] or empty.
    /// - Precondition: buffer sizes match the geometry (messages name the sizes).
    public static func convolutionForward(
        _ output: UnsafeMutableBufferPointer<Float>, columns: UnsafeMutableBufferPointer<Float>,
        _ input: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>,
        batch n: Int, filters f: Int, geometry g: ConvolutionGeometry, keepAllColumns: Bool
    ) {
        let r = g.columnRows, p = g.columnCount, imageSize = g.channels * g.height * g.width
        precondition(input.count == n * imageSize, "convolutionForward: input holds \(input.count), need \(n)×\(imageSize)")
        precondition(weight.count == f * r, "convolutionForward: weight holds \(weight.count), need \(f)×\(r)")
        precondition(output.count == n * f * p, "convolutionForward: output holds \(output.count), need \(n)×\(f)×\(p)")
        precondition(columns.count == (keepAllColumns ? n : 1) * r * p, "convolutionForward: columns hold \(columns.count)")
        precondition(bias.isEmpty || bias.count == f, "convolutionForward: bias holds \(bias.count), need \(f)")
        for i in 0..<n {
            let out = UnsafeMutableBufferPointer(rebasing: output[(i * f * p)..<((i + 1) * f * p)])
            if bias.isEmpty {
                out.update(repeating: 0)
            } else {
                for fi in 0..<f {
                    let b = bias[fi]
                    for j in (fi * p)..<((fi + 1) * p) { out[j] = b }
                }
            }
            if r * p == 0 || f == 0 { continue }
            let base = keepAllColumns ? i * r * p : 0
            let cols = UnsafeMutableBufferPointer(rebasing: columns[base..<(base + r * p)])
            im2col(cols, UnsafeBufferPointer(rebasing: input[(i * imageSize)..<((i + 1) * imageSize)]), g)
            sgemm(out, ldc: p, weight, lda: r, transposeA: false, UnsafeBufferPointer(cols), ldb: p, transposeB: false,
                  m: f, n: p, k: r, beta: 1)
        }
    }

    /// Convolution backward from saved columns [N, R, P].
    ///
    /// Accumulates (`+=`) into `gradWeight` [F, R] (Σᵢ gOut_i · cols_iᵀ), `gradBias` [F] (or
    /// empty to skip) and, when `gradInput` is non-empty, `gradInput` [N, C, H, W]
    /// (col2im of Wᵀ · gOut_i). `scratch` holds [R, P].
    /// - Precondition: buffer sizes match the geometry.
    public static func convolutionBackward(
        gradInput: UnsafeMutableBufferPointer<Float>, gradWeight: UnsafeMutableBufferPointer<Float>,
        gradBias: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<Float>,
        gradOutput: UnsafeBufferPointer<Float>, columns: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>,
        batch n: Int, filters f: Int, geometry g: ConvolutionGeometry
    ) {
        let r = g.columnRows, p = g.columnCount, imageSize = g.channels * g.height * g.width
        precondition(gradOutput.count == n * f * p && columns.count == n * r * p && weight.count == f * r
                     && gradWeight.count == f * r && scratch.count == r * p,
                     "convolutionBackward: buffer sizes do not match N=\(n) F=\(f) R=\(r) P=\(p)")
        precondition(gradInput.isEmpty || gradInput.count == n * imageSize, "convolutionBackward: gradInput holds \(gradInput.count)")
        precondition(gradBias.isEmpty || gradBias.count == f, "convolutionBackward: gradBias holds \(gradBias.count)")
        for i in 0..<n {
            let gOut = UnsafeBufferPointer(rebasing: gradOutput[(i * f * p)..<((i + 1) * f * p)])
            if !gradBias.isEmpty {
                for fi in 0..<f {
                    var acc: Float = 0
                    for j in (fi * p)..<((fi + 1) * p) { acc += gOut[j] }
                    gradBias[fi] += acc
                }
            }
            if r * p == 0 || f == 0 { continue }
            let cols = UnsafeBufferPointer(rebasing: columns[(i * r * p)..<((i + 1) * r * p)])
            sgemm(gradWeight, ldc: r, gOut, lda: p, transposeA: false, cols, ldb: p, transposeB: true,
                  m: f, n: r, k: p, beta: 1)
            if !gradInput.isEmpty {
                sgemm(scratch, ldc: p, weight, lda: r, transposeA: true, gOut, ldb: p, transposeB: false,
                      m: r, n: p, k: f, beta: 0)
                col2im(UnsafeMutableBufferPointer(rebasing: gradInput[(i * imageSize)..<((i + 1) * imageSize)]),
                       UnsafeBufferPointer(scratch), g)
            }
        }
    }
}
