// W×H sample image turned by quarter turns (H×W after an odd number).
import Randomness

/// Turns a sample by k quarter turns clockwise, k drawn uniformly in {1, 2, 3}.
///
/// Draws, in order: `unit()` for the probability; if applied, k = 1 + `int(below: 3)`.
/// Pixel rule (one clockwise turn, W × H → H × W): source pixel (x, y) moves to (H − 1 − y, x).
/// A half turn is exactly the horizontal and vertical flip (so the frame stays a flip);
/// three turns are one counter-clockwise turn: (x, y) → (y, W − 1 − x).
///
/// Box rule (exact, nothing clipped or dropped): clockwise (x1, y1, x2, y2) →
/// (H − y2, x1, H − y1, x2); counter-clockwise → (y1, W − x2, y2, W − x1).
/// Reference: DeepForest's rotation augmentation (aerial imagery has no "up").
public struct QuarterTurn: SampleTransform, Hashable {
    /// `rotate90`.
    public static let name = "rotate90"
    /// The probability of applying the transform, in [0, 1].
    public var probability: Double

    /// Creates a quarter-turn transform.
    /// - Precondition: `probability` in [0, 1].
    public init(probability: Double = 0.5) {
        precondition((0...1).contains(probability), "QuarterTurn: probability \(probability) outside [0, 1]")
        self.probability = probability
    }

    /// Turns the sample (see the type's doc for the draws and the box rule).
    public func apply(to sample: inout AugmentedSample, sources: [DetectionSample], using generator: inout SplitMix64) {
        guard generator.bool(probability: probability) else { return }
        sample = Self.turned(sample, quarterTurns: 1 + generator.int(below: 3))
    }

    /// Turns a sample by `quarterTurns` clockwise quarter turns (any integer; taken modulo 4).
    public static func turned(_ sample: AugmentedSample, quarterTurns: Int) -> AugmentedSample {
        let turns = ((quarterTurns % 4) + 4) % 4
        let image = sample.sample.image
        let width = Float(image.width), height = Float(image.height)
        var target = sample.sample.target
        switch turns {
        case 1:
            target.boxes = target.boxes.map { BoundingBox(x1: height - $0.y2, y1: $0.x1, x2: height - $0.y1, y2: $0.x2) }
            return AugmentedSample(sample: DetectionSample(name: sample.sample.name, image: image.turnedClockwise(), target: target),
                                   frame: .altered)
        case 2:
            return AugmentedSample(sample: sample.sample.flipped(.both), frame: sample.frame.flipped(.both))
        case 3:
            target.boxes = target.boxes.map { BoundingBox(x1: $0.y1, y1: width - $0.x2, x2: $0.y2, y2: width - $0.x1) }
            return AugmentedSample(sample: DetectionSample(name: sample.sample.name, image: image.turnedCounterclockwise(), target: target),
                                   frame: .altered)
        default:
            return sample
        }
    }
}

extension RGBImage {
    /// Returns the image turned a quarter clockwise (W × H → H × W): pixel (x, y) moves to
    /// (H − 1 − y, x).
    public func turnedClockwise() -> RGBImage {
        turned { x, y in (height - 1 - y, x) }
    }

    /// Returns the image turned a quarter counter-clockwise (W × H → H × W): pixel (x, y)
    /// moves to (y, W − 1 − x).
    public func turnedCounterclockwise() -> RGBImage {
        turned { x, y in (y, width - 1 - x) }
    }

    /// The H × W image whose pixel `destination(x, y)` is this image's (x, y).
    private func turned(_ destination: (Int, Int) -> (Int, Int)) -> RGBImage {
        var output = [UInt8](repeating: 0, count: pixels.count)
        let newWidth = height
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    for x in 0..<width {
                        let (tx, ty) = destination(x, y)
                        let from = (y * width + x) * 3, to = (ty * newWidth + tx) * 3
                        target[to] = source[from]
                        target[to + 1] = source[from + 1]
                        target[to + 2] = source[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: height, height: width, pixels: output)
    }
}
