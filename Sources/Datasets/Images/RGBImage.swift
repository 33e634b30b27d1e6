// H×W image, 3 channels (R, G, B), 8 bits each.

/// An 8-bit RGB image stored interleaved, row-major, top row first: `[H, W, 3]`.
///
/// The byte of channel `c` (0 = red, 1 = green, 2 = blue) at column `x`, row `y` is
/// `pixels[(y * width + x) * 3 + c]`. Decoders convert every source layout (gray, gray+alpha,
/// RGBA, palette, 16-bit, CMYK JPEG) to this one; alpha is dropped, never composited.
public struct RGBImage: Sendable, Equatable {
    /// The number of columns, in pixels.
    public let width: Int
    /// The number of rows, in pixels.
    public let height: Int
    /// `[H, W, 3]` interleaved samples; `pixels.count == width * height * 3`.
    ///
    /// Writes (`image.pixels[i] = v`, `withUnsafeMutableBufferPointer`) happen in place on a
    /// uniquely held image.
    /// - Precondition: a write keeps the byte count.
    public var pixels: [UInt8] {
        get { storage }
        set {
            precondition(newValue.count == storage.count,
                         "RGBImage: pixels changed count from \(storage.count) to \(newValue.count) (\(width)x\(height))")
            storage = newValue
        }
        // Not a `didSet`: an observed property is mutated through a temporary copy, so every
        // pixel write copied the whole image.
        _modify {
            let count = storage.count
            yield &storage
            precondition(storage.count == count,
                         "RGBImage: pixels changed count from \(count) to \(storage.count) (\(width)x\(height))")
        }
    }
    /// The samples behind `pixels`.
    private var storage: [UInt8]

    /// Creates an image from `[H, W, 3]` interleaved samples.
    /// - Precondition: `width ≥ 0`, `height ≥ 0` and `pixels.count == width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "RGBImage: negative size \(width)x\(height)")
        precondition(pixels.count == width * height * 3,
                     "RGBImage: \(width)x\(height) needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.storage = pixels
    }

    /// Creates an image filled with one colour.
    /// - Precondition: `width ≥ 0` and `height ≥ 0`.
    public init(width: Int, height: Int, filledWith color: RGBColor = .black) {
        precondition(width >= 0 && height >= 0, "RGBImage: negative size \(width)x\(height)")
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for index in Swift.stride(from: 0, to: pixels.count, by: 3) {
            pixels[index] = color.red
            pixels[index + 1] = color.green
            pixels[index + 2] = color.blue
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// The colour at column `x`, row `y`.
    /// - Precondition: `0 ≤ x < width` and `0 ≤ y < height`.
    public subscript(x: Int, y: Int) -> RGBColor {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height,
                         "RGBImage: pixel (\(x), \(y)) outside \(width)x\(height)")
            let index = (y * width + x) * 3
            return RGBColor(red: pixels[index], green: pixels[index + 1], blue: pixels[index + 2])
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height,
                         "RGBImage: pixel (\(x), \(y)) outside \(width)x\(height)")
            let index = (y * width + x) * 3
            pixels[index] = newValue.red
            pixels[index + 1] = newValue.green
            pixels[index + 2] = newValue.blue
        }
    }
}

// MARK: - CustomStringConvertible

extension RGBImage: CustomStringConvertible {
    /// `RGBImage(width: 400, height: 300)`: the size only, not the pixel bytes.
    public var description: String { "RGBImage(width: \(width), height: \(height))" }
}

/// An 8-bit RGB colour.
public struct RGBColor: Sendable, Hashable, CustomStringConvertible {
    /// The red sample, 0…255.
    public var red: UInt8
    /// The green sample, 0…255.
    public var green: UInt8
    /// The blue sample, 0…255.
    public var blue: UInt8

    /// Creates a colour from its three samples.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Black, (0, 0, 0).
    public static let black = RGBColor(red: 0, green: 0, blue: 0)
    /// White, (255, 255, 255).
    public static let white = RGBColor(red: 255, green: 255, blue: 255)
    /// Pure red, (255, 0, 0).
    public static let red = RGBColor(red: 255, green: 0, blue: 0)
    /// Pure green, (0, 255, 0).
    public static let green = RGBColor(red: 0, green: 255, blue: 0)
    /// Yellow, (255, 255, 0): visible on aerial imagery.
    public static let yellow = RGBColor(red: 255, green: 255, blue: 0)

    /// The colour as `(r, g, b)`.
    public var description: String { "(\(red), \(green), \(blue))" }
}
