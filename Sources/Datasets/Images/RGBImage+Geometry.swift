// H×W image; crops and flips that the tiling and augmentation stages apply to images.

extension RGBImage {
    /// Returns the pixels of a rectangle of the image.
    /// - Parameter region: the rectangle, in pixels of this image.
    /// - Returns: a `region.width × region.height` image.
    /// - Precondition: the region lies inside the image.
    public func cropped(to region: PixelRegion) -> RGBImage {
        precondition(region.x >= 0 && region.y >= 0 && region.width >= 0 && region.height >= 0
                     && region.x + region.width <= width && region.y + region.height <= height,
                     "RGBImage.cropped: region \(region) outside \(width)x\(height)")
        var output = [UInt8](repeating: 0, count: region.width * region.height * 3)
        let rowBytes = region.width * 3
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for row in 0..<region.height {
                    let from = ((region.y + row) * width + region.x) * 3
                    let to = row * rowBytes
                    for offset in 0..<rowBytes { target[to + offset] = source[from + offset] }
                }
            }
        }
        return RGBImage(width: region.width, height: region.height, pixels: output)
    }

    /// Returns the image mirrored left–right: pixel (x, y) moves to (W − 1 − x, y).
    public func flippedHorizontally() -> RGBImage {
        var output = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let row = y * width
                    for x in 0..<width {
                        let from = (row + x) * 3
                        let to = (row + width - 1 - x) * 3
                        target[to] = source[from]
                        target[to + 1] = source[from + 1]
                        target[to + 2] = source[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: output)
    }

    /// Returns the image mirrored top–bottom: pixel (x, y) moves to (x, H − 1 − y).
    public func flippedVertically() -> RGBImage {
        var output = [UInt8](repeating: 0, count: pixels.count)
        let rowBytes = width * 3
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let from = y * rowBytes
                    let to = (height - 1 - y) * rowBytes
                    for offset in 0..<rowBytes { target[to + offset] = source[from + offset] }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: output)
    }
}
