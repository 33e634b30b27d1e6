// H×W source image, H'×W' resized image, 3 channels; bilinear resampling for scale jitter and
// the random crop. A window of the resized image is computed without building the rest.

extension RGBImage {
    /// Returns the image resized to `width × height` by bilinear interpolation.
    ///
    /// Pixel centres are aligned (`align_corners = false`, half-pixel offsets): output column x
    /// samples source column `s = (x + 0.5) · W / W' − 0.5`, clamped to [0, W − 1], as
    /// torchvision's `resize` without antialiasing (a factor below 0.5 therefore aliases).
    /// Values are rounded half up to 8 bits. Resizing to the same size returns the same pixels.
    /// - Precondition: the image and the new size are at least 1 × 1.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        resized(to: PixelSize(width: newWidth, height: newHeight),
                window: PixelRegion(x: 0, y: 0, width: newWidth, height: newHeight), fill: .black)
    }

    /// Returns a window of the image resized to `size` (bilinear, as `resized(width:height:)`),
    /// computing only the window's pixels: pixel (x, y) of the result is the resized image's
    /// (window.x + x, window.y + y) where that lies inside it, `fill` elsewhere.
    /// - Parameters:
    ///   - size: the size of the whole resized image, in pixels.
    ///   - window: the rectangle of the resized image to return (any origin; it may reach past it).
    ///   - fill: the colour outside the resized image.
    /// - Precondition: the image and `size` are at least 1 × 1; the window's sides are ≥ 0.
    public func resized(to size: PixelSize, window: PixelRegion, fill: RGBColor) -> RGBImage {
        precondition(width >= 1 && height >= 1 && size.width >= 1 && size.height >= 1 && window.width >= 0 && window.height >= 0,
                     "RGBImage.resized: \(width)x\(height) to \(size) window \(window); sizes must be at least 1x1")
        if size.width == width && size.height == height { return self.window(window, fill: fill) }
        var output = RGBImage(width: window.width, height: window.height, filledWith: fill)
        // The window's columns and rows that fall inside the resized image.
        let x0 = max(window.x, 0), x1 = min(window.x + window.width, size.width)
        let y0 = max(window.y, 0), y1 = min(window.y + window.height, size.height)
        guard x0 < x1 && y0 < y1 else { return output }
        let columns = Self.bilinearTaps(output: size.width, input: width, range: x0..<x1)
        let rows = Self.bilinearTaps(output: size.height, input: height, range: y0..<y1)
        let rowValues = width * 3, outputWidth = window.width
        // One source row pair blended into a Float row (contiguous, vectorises), then the
        // column taps gathered from it.
        var blended = [Float](repeating: 0, count: rowValues)
        pixels.withUnsafeBufferPointer { source in
            blended.withUnsafeMutableBufferPointer { row in
                output.pixels.withUnsafeMutableBufferPointer { target in
                    for (r, y) in (y0..<y1).enumerated() {
                        // Base pointers, not `source[top + i]`: the checked index addition would keep
                        // the loop from vectorising.
                        let upper = source.baseAddress! + rows.first[r] * rowValues
                        let lower = source.baseAddress! + rows.second[r] * rowValues
                        let blend = row.baseAddress!, weight = rows.weight[r]
                        for i in 0..<rowValues {
                            let a = Float(upper[i])
                            blend[i] = a + weight * (Float(lower[i]) - a)
                        }
                        let base = ((y - window.y) * outputWidth + (x0 - window.x)) * 3
                        for c in 0..<columns.first.count {
                            let left = columns.first[c] * 3, right = columns.second[c] * 3
                            let w = columns.weight[c]
                            let to = base + c * 3
                            // Convex combinations of values in [0, 255]: no clamp needed.
                            let r0 = row[left], g0 = row[left + 1], b0 = row[left + 2]
                            target[to] = UInt8(r0 + w * (row[right] - r0) + 0.5)
                            target[to + 1] = UInt8(g0 + w * (row[right + 1] - g0) + 0.5)
                            target[to + 2] = UInt8(b0 + w * (row[right + 2] - b0) + 0.5)
                        }
                    }
                }
            }
        }
        return output
    }

    /// The two source indices and the weight of the second for each output index in `range` of
    /// a half-pixel-aligned bilinear resampling from `input` to `output` samples.
    static func bilinearTaps(output: Int, input: Int, range: Range<Int>) -> (first: [Int], second: [Int], weight: [Float]) {
        let scale = Double(input) / Double(output)
        var first = [Int](repeating: 0, count: range.count), second = first
        var weight = [Float](repeating: 0, count: range.count)
        for (k, i) in range.enumerated() {
            let s = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(input - 1))
            let lower = Int(s)
            first[k] = lower
            second[k] = min(lower + 1, input - 1)
            weight[k] = Float(s - Double(lower))
        }
        return (first, second, weight)
    }
}
