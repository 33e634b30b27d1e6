// A C×C float RGB canvas the digits generator paints on, samples in 0…255.

import Randomness

/// Paints background noise, clutter strokes and alpha-blended digits, then quantises to 8 bits.
/// Uses only +, ×, sqrt and fixed constants (no libm trigonometry), so output is the same on
/// every IEEE-754 machine.
struct CanvasPainter {
    let side: Int
    private var samples: [Float]

    init(side: Int) {
        self.side = side
        samples = [Float](repeating: 0, count: side * side * 3)
    }

    /// A grey level `b ~ U[0, 48)`, then each sample `b + U[0, 32)`, row-major, R, G, B.
    mutating func paintBackground(using generator: inout SplitMix64) {
        let base = generator.double(in: 0..<48)
        for index in samples.indices { samples[index] = Float(base + generator.double(in: 0..<32)) }
    }

    /// One clutter stroke: a segment or an arc drawn with a round pen.
    mutating func paintStroke(using generator: inout SplitMix64) {
        let c = Double(side)
        let isArc = generator.bool(probability: 0.5)
        let penRadius = generator.double(in: 0.6..<1.4)
        let opacity = Float(generator.double(in: 0.6..<1.0))
        let ink = (0..<3).map { _ in Float(generator.double(in: 150..<256)) }
        // A direction drawn uniformly in the square, normalised (a zero draw falls back to +x).
        var dx = generator.double(in: -1..<1), dy = generator.double(in: -1..<1)
        let norm = (dx * dx + dy * dy).squareRoot()
        (dx, dy) = norm > 1e-9 ? (dx / norm, dy / norm) : (1, 0)
        var points: [(Double, Double)] = []
        if isArc {
            let (cx, cy) = (generator.double(in: 0..<c), generator.double(in: 0..<c))
            let radius = generator.double(in: 3..<10)
            let steps = Int(generator.double(in: 0.5 * .pi..<1.5 * .pi) / 0.05)
            // Rotate the radius vector by 0.05 rad per step: cos/sin written out as constants.
            let (cosStep, sinStep) = (0.998_750_260_394_966_3, 0.049_979_169_270_678_33)
            var (ux, uy) = (dx, dy)
            for _ in 0...steps {
                points.append((cx + radius * ux, cy + radius * uy))
                (ux, uy) = (ux * cosStep - uy * sinStep, ux * sinStep + uy * cosStep)
            }
        } else {
            let (x0, y0) = (generator.double(in: 0..<c), generator.double(in: 0..<c))
            let length = generator.double(in: 6..<24)
            for step in 0...Int(length / 0.5) {
                points.append((x0 + dx * Double(step) * 0.5, y0 + dy * Double(step) * 0.5))
            }
        }
        var mask = [Float](repeating: 0, count: side * side)
        for (px, py) in points {
            let reach = Int(penRadius + 1.5)
            let (cx, cy) = (Int(px.rounded(.down)), Int(py.rounded(.down)))
            let (left, right) = (max(cx - reach, 0), min(cx + reach, side - 1))
            let (top, bottom) = (max(cy - reach, 0), min(cy + reach, side - 1))
            guard left <= right, top <= bottom else { continue }  // the pen is off the canvas
            for y in top...bottom {
                for x in left...right {
                    let (ex, ey) = (Double(x) + 0.5 - px, Double(y) + 0.5 - py)
                    let coverage = min(max(penRadius + 0.5 - (ex * ex + ey * ey).squareRoot(), 0), 1)
                    mask[y * side + x] = max(mask[y * side + x], Float(coverage) * opacity)
                }
            }
        }
        for pixel in 0..<(side * side) where mask[pixel] > 0 {
            blend(pixel: pixel, alpha: mask[pixel], ink: ink)
        }
    }

    /// Alpha-blends an s×s patch of alpha values onto a region with one ink colour.
    mutating func paint(alpha patch: [Float], at region: PixelRegion, ink: [Float]) {
        for py in 0..<region.height {
            for px in 0..<region.width {
                let alpha = patch[py * region.width + px]
                if alpha > 0 { blend(pixel: (region.y + py) * side + region.x + px, alpha: alpha, ink: ink) }
            }
        }
    }

    private mutating func blend(pixel: Int, alpha: Float, ink: [Float]) {
        for channel in 0..<3 {
            let index = pixel * 3 + channel
            samples[index] = samples[index] * (1 - alpha) + ink[channel] * alpha
        }
    }

    /// The canvas rounded to 8-bit samples.
    func image() -> RGBImage {
        RGBImage(width: side, height: side,
                 pixels: samples.map { UInt8(min(max($0.rounded(), 0), 255)) })
    }
}
