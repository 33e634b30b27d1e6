// Legend: a tensor viewed as [O, A, I]: O outer rows, A the reduced axis, I inner elements
// (row-major). Reductions write [O, I].

extension Kernels {
    /// Sums over the middle axis of an [O, A, I] buffer into [O, I].
    /// - Precondition: `input.count == o·a·i`, `output.count == o·i`.
    public static func sumAxis(_ output: UnsafeMutableBufferPointer<Float>, _ input: UnsafeBufferPointer<Float>,
                               outer o: Int, axis a: Int, inner i: Int) {
        precondition(input.count == o * a * i && output.count == o * i,
                     "sumAxis: input \(input.count) / output \(output.count) do not fit [\(o), \(a), \(i)]")
        output.update(repeating: 0)
        guard let src = input.baseAddress, let dst = output.baseAddress else { return }
        for oi in 0..<o {
            let d = dst + oi * i
            if i == 1 {
                // Reducing the last axis: a contiguous dot-style sum (four partial sums vectorise).
                let s = src + oi * a
                var acc: Float = 0
                for k in 0..<a { acc += s[k] }
                d[0] = acc
            } else {
                for k in 0..<a {
                    let s = src + (oi * a + k) * i
                    for j in 0..<i { d[j] += s[j] }
                }
            }
        }
    }

    /// Takes the maximum over the middle axis of an [O, A, I] buffer into [O, I], with the index
    /// of the first maximum (ties → lowest index, as `torch.max(dim)`; NaN propagates).
    /// - Precondition: `a >= 1`; `input.count == o·a·i`; outputs hold `o·i`.
    public static func maxAxis(_ output: UnsafeMutableBufferPointer<Float>, _ indices: UnsafeMutableBufferPointer<Int>,
                               _ input: UnsafeBufferPointer<Float>, outer o: Int, axis a: Int, inner i: Int) {
        precondition(a >= 1, "maxAxis: cannot reduce an empty axis")
        precondition(input.count == o * a * i && output.count == o * i && indices.count == o * i,
                     "maxAxis: buffers do not fit [\(o), \(a), \(i)]")
        for oi in 0..<o {
            for j in 0..<i {
                let base = oi * a * i + j
                var best = input[base], arg = 0
                if !best.isNaN {
                    for k in 1..<a {
                        let v = input[base + k * i]
                        if v > best || v.isNaN { best = v; arg = k; if v.isNaN { break } }
                    }
                }
                output[oi * i + j] = best
                indices[oi * i + j] = arg
            }
        }
    }
}
