// Legend: P = N·C planes of H×W input, OH×OW output; no padding.

extension Kernels {
    /// 2-D max pooling forward over [P, H, W] planes (kernel k, stride s, no padding), as
    /// PyTorch's `max_pool2d`; writes the output [P, OH, OW] and the flat in-plane index of each
    /// maximum (first one on ties) for the backward pass.
    /// - Precondition: `k >= 1`, `s >= 1`, `h >= k`, `w >= k`, buffer sizes match.
    public static func maxPool2dForward(_ output: UnsafeMutableBufferPointer<Float>, indices: UnsafeMutableBufferPointer<Int32>,
                                        _ input: UnsafeBufferPointer<Float>, planes: Int, height h: Int, width w: Int,
                                        kernel k: Int, stride s: Int) {
        precondition(k >= 1 && s >= 1 && h >= k && w >= k, "maxPool2d: kernel \(k), stride \(s) on \(h)×\(w)")
        let oh = (h - k) / s + 1, ow = (w - k) / s + 1
        precondition(input.count == planes * h * w && output.count == planes * oh * ow && indices.count == output.count,
                     "maxPool2d: buffer sizes do not match \(planes)×\(h)×\(w)")
        for p in 0..<planes {
            let plane = p * h * w
            for oy in 0..<oh { for ox in 0..<ow {
                var best = -Float.infinity, arg = oy * s * w + ox * s
                for ky in 0..<k { for kx in 0..<k {
                    let idx = (oy * s + ky) * w + ox * s + kx
                    let v = input[plane + idx]
                    if v > best || v.isNaN { best = v; arg = idx }
                } }
                output[(p * oh + oy) * ow + ox] = best
                indices[(p * oh + oy) * ow + ox] = Int32(arg)
            } }
        }
    }

    /// 2-D max pooling backward: adds each output gradient to its saved maximum (`+=`).
    public static func maxPool2dBackward(_ gradInput: UnsafeMutableBufferPointer<Float>, gradOutput: UnsafeBufferPointer<Float>,
                                         indices: UnsafeBufferPointer<Int32>, planes: Int, planeSize: Int) {
        precondition(gradOutput.count == indices.count && gradInput.count == planes * planeSize && gradOutput.count % max(planes, 1) == 0,
                     "maxPool2dBackward: buffer sizes do not match")
        let perPlane = planes > 0 ? gradOutput.count / planes : 0
        for p in 0..<planes {
            for j in 0..<perPlane {
                gradInput[p * planeSize + Int(indices[p * perPlane + j])] += gradOutput[p * perPlane + j]
            }
        }
    }
}
