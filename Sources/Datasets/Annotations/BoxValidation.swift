// The validation every annotation reader applies to a box, and the clipping on loading.

import Foundation

/// The checks every reader applies to a box before it becomes a `BoundingBox`.
enum BoxValidation {
    /// Returns the box if its coordinates are finite, non-negative, `x2 > x1` and `y2 > y1`.
    ///
    /// The checks apply to the Float32 values the box stores, so a coordinate beyond Float32's
    /// range (which would become ±inf) and a width or height lost to rounding (10.0000001 to
    /// 10.0000002) are rejected too.
    /// - Throws: `AnnotationError.invalidBox` naming the file and location.
    static func validated(x1: Double, y1: Double, x2: Double, y2: Double,
                          file: String, at location: AnnotationLocation) throws(AnnotationError) -> BoundingBox {
        let values = [x1, y1, x2, y2]
        let text = "[\(values.map { "\($0)" }.joined(separator: ", "))]"
        guard values.allSatisfy(\.isFinite) else {
            throw .invalidBox(file: file, at: location, reason: "non-finite coordinate in \(text)")
        }
        let box = BoundingBox(x1: Float(x1), y1: Float(y1), x2: Float(x2), y2: Float(y2))
        guard box.coordinates.allSatisfy(\.isFinite) else {
            throw .invalidBox(file: file, at: location, reason: "coordinate beyond the Float32 range in \(text)")
        }
        guard values.allSatisfy({ $0 >= 0 }) else {
            throw .invalidBox(file: file, at: location, reason: "negative coordinate in \(text)")
        }
        guard box.x2 > box.x1 else { throw .invalidBox(file: file, at: location, reason: "x2 ≤ x1 in \(text) (as Float32)") }
        guard box.y2 > box.y1 else { throw .invalidBox(file: file, at: location, reason: "y2 ≤ y1 in \(text) (as Float32)") }
        return box
    }

    /// Clips a validated box to an image.
    /// - Returns: the clipped box and whether clipping changed it.
    /// - Throws: `AnnotationError.invalidBox` when nothing of the box lies inside the image.
    static func clipped(_ box: BoundingBox, to size: PixelSize, file: String,
                        at location: AnnotationLocation) throws(AnnotationError) -> (box: BoundingBox, wasClipped: Bool) {
        let image = BoundingBox(x1: 0, y1: 0, x2: Float(size.width), y2: Float(size.height))
        guard let inside = box.intersection(image) else {
            throw .invalidBox(file: file, at: location, reason: "\(box) lies outside the \(size) image")
        }
        return (inside, inside != box)
    }
}

/// Parses a number written in an annotation file (surrounding white space allowed).
func parseNumber(_ text: String) -> Double? {
    Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
}

/// Parses a pixel count: a whole number in `1...Int32.max` (`400` or `400.0`), else `nil`.
/// Fractions, non-finite and out-of-range values give `nil` rather than trapping in `Int(_:)`.
func parsePixelCount(_ text: String) -> Int? {
    guard let value = parseNumber(text), value >= 1, value <= Double(Int32.max), value.rounded() == value else {
        return nil
    }
    return Int(value)
}
