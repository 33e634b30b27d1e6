// H×W source image, H'×W' output image, 3 channels; bilinear resampling for scale jitter and
// the random crop.

extension RGBImage {
    /// Returns the image resized to `width × height` by bilinear interpolation.
    ///
    /// Pixel centres are aligned (`align_corners = false`, half-pixel offsets): output column x
    /// samples source column `s = (x + 0.5) · W / W' − 0.5`, clamped to [0, W − 1], as
    /// torchvision's `resize` without antialiasing (a factor below 0.5 therefore aliases).
    /// Values are rounded half up to 8 bits. Resizing to the same size returns the same pixels.
    /// - Precondition: the image and the new size are at least 1 × 1.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(width >= 1 && height >= 1 && newWidth >= 1 && newHeight >= 1,
                     "RGBImage.resized: \(width)x\(height) to \(newWidth)x\(newHeight); both must be at least 1x1")
        if newWidth == width && newHeight == height { return self }
        let columns = Self.bilinearTaps(output: newWidth, input: width)
        let rows = Self.bilinearTaps(output: newHeight, input: height)
        let rowValues = width * 3
        var output = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        // One source row pair blended into a Float row (contiguous, vectorises), then the
        // column taps gathered from it.
        var blended = [Float](repeating: 0, count: rowValues)
        pixels.withUnsafeBufferPointer { source in
            blended.withUnsafeMutableBufferPointer { row in
                output.withUnsafeMutableBufferPointer { target in
                    for y in 0..<newHeight {
                        let top = rows.first[y] * rowValues, bottom = rows.second[y] * rowValues
                        let weight = rows.weight[y]
                        for i in 0..<rowValues {
                            let a = Float(source[top + i])
                            row[i] = a + weight * (Float(source[bottom + i]) - a)
                        }
                        let base = y * newWidth * 3
                        for x in 0..<newWidth {
                            let left = columns.first[x] * 3, right = columns.second[x] * 3
                            let w = columns.weight[x]
                            for c in 0..<3 {
                                let a = row[left + c]
                                // A convex combination of values in [0, 255]: no clamp needed.
                                target[base + x * 3 + c] = UInt8(a + w * (row[right + c] - a) + 0.5)
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: output)
    }

    /// The two source indices and the weight of the second for each output index of a
    /// half-pixel-aligned bilinear resampling from `input` to `output` samples.
    static func bilinearTaps(output: Int, input: Int) -> (first: [Int], second: [Int], weight: [Float]) {
        let scale = Double(input) / Double(output)
        var first = [Int](repeating: 0, count: output), second = first
        var weight = [Float](repeating: 0, count: output)
        for i in 0..<output {
            let s = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(input - 1))
            let lower = Int(s)
            first[i] = lower
            second[i] = min(lower + 1, input - 1)
            weight[i] = Float(s - Double(lower))
        }
        return (first, second, weight)
    }
}
