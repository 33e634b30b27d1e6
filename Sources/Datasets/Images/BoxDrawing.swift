// Drawing detections onto images, for `quarry detect` and for looking at data.

extension RGBImage {
    /// Draws the outline of a box in a solid colour.
    ///
    /// The box covers the pixel columns `round(x1) ..< round(x2)` and rows `round(y1) ..< round(y2)`
    /// (box corners are pixel edges, as in the annotations). The outline is `thickness` pixels
    /// wide, drawn inward from those edges; a box thinner than twice the thickness is filled.
    /// Parts outside the image are skipped; a box entirely outside, or with a non-finite
    /// coordinate, draws nothing.
    /// - Parameters:
    ///   - box: the box, in pixels of this image.
    ///   - color: the line colour.
    ///   - thickness: the line width in pixels.
    /// - Precondition: `thickness ≥ 1`.
    public mutating func drawRectangle(_ box: BoundingBox, color: RGBColor, thickness: Int = 2) {
        precondition(thickness >= 1, "RGBImage.drawRectangle: thickness \(thickness) < 1")
        let coordinates = [box.x1, box.y1, box.x2, box.y2]
        guard coordinates.allSatisfy(\.isFinite) else { return }
        // Clamp in Float before converting, so huge coordinates cannot overflow Int.
        func column(_ value: Float) -> Int { Int(min(max(value.rounded(), -1), Float(width + 1))) }
        func row(_ value: Float) -> Int { Int(min(max(value.rounded(), -1), Float(height + 1))) }
        let (left, right) = (column(box.x1), column(box.x2))  // columns left..<right
        let (top, bottom) = (row(box.y1), row(box.y2))        // rows top..<bottom
        guard left < right, top < bottom else { return }
        let t = thickness
        // Four bands: top, bottom, left, right (the corners are painted twice, harmlessly).
        fill(columns: left..<right, rows: top..<min(top + t, bottom), color: color)
        fill(columns: left..<right, rows: max(bottom - t, top)..<bottom, color: color)
        fill(columns: left..<min(left + t, right), rows: top..<bottom, color: color)
        fill(columns: max(right - t, left)..<right, rows: top..<bottom, color: color)
    }

    /// Paints a rectangle of pixels, clipped to the image.
    private mutating func fill(columns: Range<Int>, rows: Range<Int>, color: RGBColor) {
        let xs = max(columns.lowerBound, 0)..<min(columns.upperBound, width)
        let ys = max(rows.lowerBound, 0)..<min(rows.upperBound, height)
        guard !xs.isEmpty, !ys.isEmpty else { return }
        let width = self.width
        pixels.withUnsafeMutableBufferPointer { target in
            for y in ys {
                for x in xs {
                    let index = (y * width + x) * 3
                    target[index] = color.red
                    target[index + 1] = color.green
                    target[index + 2] = color.blue
                }
            }
        }
    }
}
