// Legend: N elements.
//
// ReLU as two plain loops that the compiler vectorises, split across the cores for large N.
// Why a kernel: through `Tensor.map` / `zipWith` (a closure per element and a broadcast plan)
// the backbone's ReLUs cost about 3% of a K11 training step; these are single passes.

extension Kernels {
    /// Elements above which the ReLU loops split across the cores (a few µs of work per part).
    static let reluMinimumChunk = 65_536

    /// output[i] = max(input[i], 0), with `Swift.max`'s NaN rule (NaN stays NaN).
    /// - Precondition: `output.count == input.count`.
    public static func reluForward(_ output: UnsafeMutableBufferPointer<Float>, _ input: UnsafeBufferPointer<Float>) {
        precondition(output.count == input.count, "reluForward: output holds \(output.count), input \(input.count)")
        guard let o = output.baseAddress, let x = input.baseAddress else { return }
        forEachChunk(count: input.count, minimumChunk: reluMinimumChunk) { range in
            for i in range { o[i] = Swift.max(x[i], 0) }
        }
    }

    /// gradInput[i] = output[i] > 0 ? gradOutput[i] : 0, where `output` is the forward's result
    /// (the gradient at 0 is 0, PyTorch's convention). Overwrites `gradInput`.
    /// - Precondition: the three buffers have the same count.
    public static func reluBackward(_ gradInput: UnsafeMutableBufferPointer<Float>, gradOutput: UnsafeBufferPointer<Float>,
                                    output: UnsafeBufferPointer<Float>) {
        precondition(gradInput.count == gradOutput.count && output.count == gradOutput.count,
                     "reluBackward: gradInput \(gradInput.count), gradOutput \(gradOutput.count), output \(output.count) differ")
        guard let gi = gradInput.baseAddress, let go = gradOutput.baseAddress, let y = output.baseAddress else { return }
        forEachChunk(count: gradOutput.count, minimumChunk: reluMinimumChunk) { range in
            for i in range { gi[i] = y[i] > 0 ? go[i] : 0 }
        }
    }
}
