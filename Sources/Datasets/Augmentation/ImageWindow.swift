// H×W image; a window of an image that may reach outside it (translation, padding, mosaic).

extension RGBImage {
    /// Returns the pixels of a rectangle that may extend past the image: pixel (x, y) of the
    /// result is this image's (region.x + x, region.y + y) where that lies inside, `fill`
    /// elsewhere.
    ///
    /// A region inside the image gives the same pixels as `cropped(to:)`; a region left of or
    /// above the image shifts the content right or down (a translation by −region.x, −region.y).
    /// - Parameters:
    ///   - region: the rectangle, in pixels of this image (any origin; width, height ≥ 0).
    ///   - fill: the colour of pixels outside the image.
    /// - Returns: a `region.width × region.height` image.
    /// - Precondition: `region.width ≥ 0` and `region.height ≥ 0`.
    public func window(_ region: PixelRegion, fill: RGBColor) -> RGBImage {
        precondition(region.width >= 0 && region.height >= 0, "RGBImage.window: negative size in \(region)")
        var output = RGBImage(width: region.width, height: region.height, filledWith: fill)
        // The overlap, in this image's columns and rows.
        let x0 = max(region.x, 0), x1 = min(region.x + region.width, width)
        let y0 = max(region.y, 0), y1 = min(region.y + region.height, height)
        guard x0 < x1 && y0 < y1 else { return output }
        let rowBytes = (x1 - x0) * 3
        pixels.withUnsafeBufferPointer { source in
            output.pixels.withUnsafeMutableBufferPointer { target in
                // One memory copy per row (a byte loop with checked indices does not vectorise).
                for y in y0..<y1 {
                    let from = (y * width + x0) * 3
                    let to = ((y - region.y) * region.width + (x0 - region.x)) * 3
                    (target.baseAddress! + to).update(from: source.baseAddress! + from, count: rowBytes)
                }
            }
        }
        return output
    }

    /// Copies `patch` into this image with its top-left pixel at (x, y); the parts of the patch
    /// outside this image are skipped.
    /// - Parameters:
    ///   - patch: the pixels to paste.
    ///   - x: the column of the patch's left edge, in pixels of this image (may be negative).
    ///   - y: the row of the patch's top edge, in pixels of this image (may be negative).
    public mutating func paste(_ patch: RGBImage, x: Int, y: Int) {
        let x0 = max(x, 0), x1 = min(x + patch.width, width)
        let y0 = max(y, 0), y1 = min(y + patch.height, height)
        guard x0 < x1 && y0 < y1 else { return }
        let rowBytes = (x1 - x0) * 3
        let imageWidth = width
        patch.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                for row in y0..<y1 {
                    let from = ((row - y) * patch.width + (x0 - x)) * 3
                    let to = (row * imageWidth + x0) * 3
                    (target.baseAddress! + to).update(from: source.baseAddress! + from, count: rowBytes)
                }
            }
        }
    }
}
