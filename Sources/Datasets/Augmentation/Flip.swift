// Horizontal and vertical flips of an image and its boxes (W×H image, pixels).

import Randomness

/// Which mirror flips to apply to a sample; the horizontal flip is applied first (the two
/// commute, so the order does not change the result).
public struct Flip: Sendable, Hashable, CustomStringConvertible {
    /// Mirror left–right: x → W − x.
    public var horizontal: Bool
    /// Mirror top–bottom: y → H − y.
    public var vertical: Bool

    /// Creates a flip.
    public init(horizontal: Bool, vertical: Bool) {
        self.horizontal = horizontal
        self.vertical = vertical
    }

    /// No flip.
    public static let none = Flip(horizontal: false, vertical: false)
    /// The left–right mirror alone.
    public static let horizontalOnly = Flip(horizontal: true, vertical: false)
    /// The top–bottom mirror alone.
    public static let verticalOnly = Flip(horizontal: false, vertical: true)
    /// Both mirrors (a rotation by 180°).
    public static let both = Flip(horizontal: true, vertical: true)

    /// Draws a flip: horizontal with probability `probability`, then vertical with the same
    /// probability (two `unit()` draws, in that order).
    public static func random(probability: Double = 0.5, using generator: inout SplitMix64) -> Flip {
        let horizontal = generator.bool(probability: probability)
        let vertical = generator.bool(probability: probability)
        return Flip(horizontal: horizontal, vertical: vertical)
    }

    /// `none`, `h`, `v` or `hv`.
    public var description: String {
        switch (horizontal, vertical) {
        case (false, false): "none"
        case (true, false): "h"
        case (false, true): "v"
        case (true, true): "hv"
        }
    }
}

extension BoundingBox {
    /// The box flipped inside a `size` image: `x1' = W − x2`, `x2' = W − x1` for a horizontal
    /// flip, likewise in y. A flip is its own inverse, exactly.
    public func flipped(_ flip: Flip, in size: PixelSize) -> BoundingBox {
        var box = self
        if flip.horizontal { box = box.flippedHorizontally(imageWidth: Float(size.width)) }
        if flip.vertical { box = box.flippedVertically(imageHeight: Float(size.height)) }
        return box
    }
}

extension DetectionSample {
    /// The sample with its image and boxes flipped together.
    public func flipped(_ flip: Flip) -> DetectionSample {
        guard flip != .none else { return self }
        var image = self.image
        if flip.horizontal { image = image.flippedHorizontally() }
        if flip.vertical { image = image.flippedVertically() }
        let size = PixelSize(width: image.width, height: image.height)
        var target = self.target
        target.boxes = target.boxes.map { $0.flipped(flip, in: size) }
        return DetectionSample(name: name, image: image, target: target)
    }
}
