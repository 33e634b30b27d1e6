// Legend: N images, C input channels, F filters, H×W input, OH×OW output; R = C·KH·KW rows and
// P = OH·OW columns of the im2col matrix. Weights [F, C, KH, KW] are a row-major [F, R] matrix.
//
// Two families of algorithms:
// - direct (DirectConvolution.swift), when Kernels is built for an AVX-512 CPU (QUARRY_AVX512):
//   every stride and size, all FLOPs in hand-written register tiles over a phase-split, zero-padded
//   copy of the batch; faster than OpenBLAS at the detector's shapes (K9a, K9b);
// - GEMM, otherwise (every FLOP in OpenBLAS, which picks its kernels at run time):
//   - stride 1 with at least 16 input channels: shifted GEMMs over a zero-padded copy of the batch
//     (ShiftedConvolution.swift), one GEMM per kernel tap, no column matrix;
//   - otherwise: per image, the input split into stride phases, a contiguous-copy im2col in
//     padded-width layout and one GEMM (StridedConvolution.swift); the column matrix is small
//     there (few input channels, or a quarter of the output positions at stride 2).
// The backward pass recomputes its operands from the input instead of keeping column matrices
// from the forward pass (K9a's would be 46 MB; allocating and faulting that in costs more than
// rebuilding). `convolutionForward(_:scratch:…)` is the only forward entry point (`Tensor.conv2d`
// calls it); the plain im2col/col2im of Im2Col.swift are not used by any algorithm.

/// The algorithm family a convolution runs (see the file legend).
enum ConvolutionAlgorithm: CaseIterable {
    /// OpenBLAS GEMMs: shifted GEMMs at stride 1 with C ≥ 16, phase-split im2col otherwise.
    case gemm
    /// Register tiles over phase planes (needs 32 vector registers of 16 floats to be fast).
    case direct
}

extension Kernels {
    /// Whether the shifted-GEMM algorithm applies: stride 1, and enough channels (C ≥ 16) that
    /// its K = C GEMMs are compute-bound rather than memory-bound.
    @inline(__always)
    static func usesShiftedConvolution(_ g: ConvolutionGeometry) -> Bool {
        g.strideX == 1 && g.strideY == 1 && g.channels >= 16
    }

    /// The algorithm this build runs: direct on AVX-512 builds, GEMM otherwise.
    static var defaultConvolutionAlgorithm: ConvolutionAlgorithm {
        #if QUARRY_AVX512
        return .direct
        #else
        return .gemm
        #endif
    }

    /// The scratch floats `convolutionForward(_:scratch:…)` needs
    /// (0 when the input or the output is empty: nothing is computed then).
    public static func convolutionForwardScratchCount(batch n: Int, filters f: Int, geometry g: ConvolutionGeometry) -> Int {
        convolutionForwardScratchCount(batch: n, filters: f, geometry: g, algorithm: defaultConvolutionAlgorithm)
    }

    /// The forward scratch floats of one algorithm.
    static func convolutionForwardScratchCount(batch n: Int, filters f: Int, geometry g: ConvolutionGeometry,
                                               algorithm: ConvolutionAlgorithm) -> Int {
        if n * f * g.channels * g.height * g.width == 0 { return 0 }
        if algorithm == .direct { return DirectConvolutionLayout(g, batch: n, filters: f).forwardScratchCount }
        if usesShiftedConvolution(g) {
            let s = ShiftedConvolutionLayout(g, batch: n, filters: f)
            return s.paddedCount + s.outputCount + s.weightCount
        }
        let s = StridedConvolutionLayout(g, filters: f)
        return s.phaseCount + s.columnCount + s.outputCount
    }

    /// The scratch floats `convolutionBackward(…scratch:…)` needs (0 when the input or the output is empty).
    public static func convolutionBackwardScratchCount(batch n: Int, filters f: Int, geometry g: ConvolutionGeometry) -> Int {
        convolutionBackwardScratchCount(batch: n, filters: f, geometry: g, algorithm: defaultConvolutionAlgorithm)
    }

    /// The backward scratch floats of one algorithm.
    static func convolutionBackwardScratchCount(batch n: Int, filters f: Int, geometry g: ConvolutionGeometry,
                                                algorithm: ConvolutionAlgorithm) -> Int {
        if n * f * g.channels * g.height * g.width == 0 { return 0 }
        if algorithm == .direct { return DirectConvolutionLayout(g, batch: n, filters: f).backwardScratchCount }
        if usesShiftedConvolution(g) {
            return ShiftedConvolutionLayout(g, batch: n, filters: f).backwardScratchCount
        }
        let s = StridedConvolutionLayout(g, filters: f)
        return 2 * s.phaseCount + s.columnCount + s.outputCount
    }

    /// Convolution forward (cross-correlation, as PyTorch's `conv2d`), with this build's
    /// algorithm (file legend).
    ///
    /// - Parameters:
    ///   - output: [N, F, OH, OW], overwritten.
    ///   - scratch: at least `convolutionForwardScratchCount(…)` floats; contents ignored and clobbered.
    ///   - input: [N, C, H, W]; `weight` [F, C, KH, KW]; `bias` [F] or empty.
    /// - Precondition: buffer sizes match the geometry (messages name the sizes).
    public static func convolutionForward(
        _ output: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<Float>,
        _ input: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>,
        batch n: Int, filters f: Int, geometry g: ConvolutionGeometry
    ) {
        convolutionForward(output, scratch: scratch, input, weight: weight, bias: bias, batch: n, filters: f, geometry: g,
                           algorithm: defaultConvolutionAlgorithm)
    }

    /// Convolution forward with a chosen algorithm (tests run both in every build).
    static func convolutionForward(
        _ output: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<Float>,
        _ input: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>,
        batch n: Int, filters f: Int, geometry g: ConvolutionGeometry, algorithm: ConvolutionAlgorithm
    ) {
        checkConvolutionBuffers("convolutionForward", input: input.count, weight: weight.count, output: output.count,
                                bias: bias.count, batch: n, filters: f, geometry: g)
        let needed = convolutionForwardScratchCount(batch: n, filters: f, geometry: g, algorithm: algorithm)
        precondition(scratch.count >= needed, "convolutionForward: scratch holds \(scratch.count), need \(needed)")
        if output.isEmpty { return }
        if g.channels * g.height * g.width == 0 {
            // No input elements: every tap reads zero padding.
            fillWithBias(output, bias: bias, batch: n, filters: f, planeSize: g.columnCount)
            return
        }
        if algorithm == .direct {
            directConvolutionForward(output.baseAddress!, scratch: scratch.baseAddress!, input.baseAddress!,
                                     weight: weight.baseAddress!, bias: bias, layout: DirectConvolutionLayout(g, batch: n, filters: f))
        } else if usesShiftedConvolution(g) {
            shiftedConvolutionForward(output.baseAddress!, scratch: scratch.baseAddress!, input.baseAddress!,
                                      weight: weight.baseAddress!, bias: bias, layout: ShiftedConvolutionLayout(g, batch: n, filters: f))
        } else {
            stridedConvolutionForward(output.baseAddress!, scratch: scratch.baseAddress!, input.baseAddress!,
                                      weight: weight.baseAddress!, bias: bias, batch: n, layout: StridedConvolutionLayout(g, filters: f))
        }
    }

    /// Convolution backward, recomputing what it needs from `input`.
    ///
    /// Accumulates (`+=`) into `gradWeight` [F, C, KH, KW], `gradBias` [F] (empty to skip) and
    /// `gradInput` [N, C, H, W] (empty to skip, e.g. for the first layer), or overwrites
    /// `gradInput` when `overwritingGradInput` is true.
    /// - Parameters:
    ///   - scratch: at least `convolutionBackwardScratchCount(…)` floats; contents ignored.
    ///   - gradOutput: [N, F, OH, OW]; `input` [N, C, H, W]; `weight` [F, C, KH, KW].
    ///   - overwritingGradInput: true to ignore `gradInput`'s contents (it may be uninitialised)
    ///     and write the gradient itself, which spares the caller zeroing it first and the
    ///     direct algorithm a read of it.
    /// - Precondition: buffer sizes match the geometry.
    public static func convolutionBackward(
        gradInput: UnsafeMutableBufferPointer<Float>, gradWeight: UnsafeMutableBufferPointer<Float>,
        gradBias: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<Float>,
        gradOutput: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>,
        batch n: Int, filters f: Int, geometry g: ConvolutionGeometry, overwritingGradInput: Bool = false
    ) {
        convolutionBackward(gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias, scratch: scratch,
                            gradOutput: gradOutput, input: input, weight: weight, batch: n, filters: f, geometry: g,
                            algorithm: defaultConvolutionAlgorithm, overwritingGradInput: overwritingGradInput)
    }

    /// Convolution backward with a chosen algorithm (tests run both in every build).
    static func convolutionBackward(
        gradInput: UnsafeMutableBufferPointer<Float>, gradWeight: UnsafeMutableBufferPointer<Float>,
        gradBias: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<Float>,
        gradOutput: UnsafeBufferPointer<Float>, input: UnsafeBufferPointer<Float>, weight: UnsafeBufferPointer<Float>,
        batch n: Int, filters f: Int, geometry g: ConvolutionGeometry, algorithm: ConvolutionAlgorithm,
        overwritingGradInput: Bool = false
    ) {
        checkConvolutionBuffers("convolutionBackward", input: input.count, weight: weight.count, output: gradOutput.count,
                                bias: gradBias.count, batch: n, filters: f, geometry: g)
        precondition(gradWeight.count == weight.count, "convolutionBackward: gradWeight holds \(gradWeight.count), need \(weight.count)")
        precondition(gradInput.isEmpty || gradInput.count == input.count, "convolutionBackward: gradInput holds \(gradInput.count), need \(input.count)")
        let needed = convolutionBackwardScratchCount(batch: n, filters: f, geometry: g, algorithm: algorithm)
        precondition(scratch.count >= needed, "convolutionBackward: scratch holds \(scratch.count), need \(needed)")
        // The direct algorithm writes every input pixel once when it folds the phase planes back;
        // every other case accumulates, so an overwrite starts from zeros.
        let writesGradInput = algorithm == .direct && !gradOutput.isEmpty
        if overwritingGradInput && !writesGradInput && !gradInput.isEmpty { gradInput.update(repeating: 0) }
        if gradOutput.isEmpty { return }
        if g.channels * g.height * g.width == 0 {
            // Only padding was read: nothing reaches the weights or the input.
            if !gradBias.isEmpty {
                for i in 0..<n { for fi in 0..<f {
                    gradBias[fi] += sum(gradOutput.baseAddress! + (i * f + fi) * g.columnCount, count: g.columnCount)
                } }
            }
            return
        }
        if algorithm == .direct {
            directConvolutionBackward(gradInput: gradInput, gradWeight: gradWeight.baseAddress!, gradBias: gradBias,
                                      scratch: scratch.baseAddress!, gradOutput: gradOutput.baseAddress!,
                                      input: input.baseAddress!, weight: weight.baseAddress!,
                                      layout: DirectConvolutionLayout(g, batch: n, filters: f),
                                      overwritingGradInput: overwritingGradInput)
        } else if usesShiftedConvolution(g) {
            shiftedConvolutionBackward(gradInput: gradInput, gradWeight: gradWeight.baseAddress!, gradBias: gradBias,
                                       scratch: scratch.baseAddress!, gradOutput: gradOutput.baseAddress!,
                                       input: input.baseAddress!, weight: weight.baseAddress!,
                                       layout: ShiftedConvolutionLayout(g, batch: n, filters: f))
        } else {
            stridedConvolutionBackward(gradInput: gradInput, gradWeight: gradWeight.baseAddress!, gradBias: gradBias,
                                       scratch: scratch.baseAddress!, gradOutput: gradOutput.baseAddress!,
                                       input: input.baseAddress!, weight: weight.baseAddress!, batch: n,
                                       layout: StridedConvolutionLayout(g, filters: f))
        }
    }

    /// Checks the buffer sizes shared by the forward and backward entry points.
    static func checkConvolutionBuffers(_ name: StaticString, input: Int, weight: Int, output: Int, bias: Int,
                                        batch n: Int, filters f: Int, geometry g: ConvolutionGeometry) {
        let imageSize = g.channels * g.height * g.width
        precondition(n >= 0 && f >= 0, "\(name): negative batch \(n) or filter count \(f)")
        precondition(input == n * imageSize, "\(name): input holds \(input), need \(n)×\(imageSize)")
        precondition(weight == f * g.columnRows, "\(name): weight holds \(weight), need \(f)×\(g.columnRows)")
        precondition(output == n * f * g.columnCount, "\(name): output holds \(output), need \(n)×\(f)×\(g.columnCount)")
        precondition(bias == 0 || bias == f, "\(name): bias holds \(bias), need \(f) or none")
    }

    /// Writes the bias (or zeros) into every output plane [N, F, P].
    static func fillWithBias(_ output: UnsafeMutableBufferPointer<Float>, bias: UnsafeBufferPointer<Float>,
                             batch n: Int, filters f: Int, planeSize p: Int) {
        for i in 0..<n {
            for fi in 0..<f {
                let b: Float = bias.isEmpty ? 0 : bias[fi]
                UnsafeMutableBufferPointer(rebasing: output[((i * f + fi) * p)..<((i * f + fi + 1) * p)]).update(repeating: b)
            }
        }
    }
}
