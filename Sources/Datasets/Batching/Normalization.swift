import TensorCore

// B images, 3 channels, H×W pixels.

/// The per-channel input normalisation `x = (pixel / 255 − mean) / std`.
public struct Normalization: Sendable, Equatable {
    /// The per-channel means (R, G, B) of `pixel / 255`.
    public var mean: [Float]
    /// The per-channel standard deviations (R, G, B).
    public var std: [Float]

    /// Creates a normalisation.
    /// - Precondition: three means and three positive standard deviations.
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == 3 && std.count == 3 && std.allSatisfy { $0 > 0 },
                     "Normalization: need 3 means and 3 positive stds, got \(mean) and \(std)")
        self.mean = mean
        self.std = std
    }

    /// ImageNet statistics, as torchvision's detection models: mean (0.485, 0.456, 0.406),
    /// std (0.229, 0.224, 0.225). The reference detector's input (DESIGN.md).
    public static let imageNet = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// Normalises images into one `[B, 3, H, W]` NCHW Float32 tensor.
    ///
    /// `H` and `W` are the largest height and width among the images; smaller images sit at the
    /// top-left and the rest is 0 (after normalisation), as torchvision's `batch_images` pads.
    /// - Precondition: at least one image.
    public func tensor(from images: [RGBImage]) -> Tensor {
        precondition(!images.isEmpty, "Normalization.tensor: no images")
        // A 256-entry table per channel holds (v / 255 − mean) / std evaluated literally in
        // Float32, so the values are exactly those of the formula and the loop is a lookup.
        let tables = (0..<3).map { c in (0..<256).map { (Float($0) / 255 - mean[c]) / std[c] } }
        return packChannels(images, tables: tables)
    }

    /// Normalises one image into a `[1, 3, H, W]` tensor (for inference).
    public func tensor(from image: RGBImage) -> Tensor {
        tensor(from: [image])
    }
}

/// Packs images into one `[B, 3, H, W]` tensor through a per-channel 256-entry lookup table.
///
/// `H` and `W` are the largest height and width; smaller images sit at the top-left and the
/// rest is 0.
/// - Precondition: at least one image.
func packChannels(_ images: [RGBImage], tables: [[Float]]) -> Tensor {
    precondition(!images.isEmpty, "packChannels: no images")
    let height = images.map(\.height).max()!
    let width = images.map(\.width).max()!
    let plane = height * width
    var scalars = [Float](repeating: 0, count: images.count * 3 * plane)
    scalars.withUnsafeMutableBufferPointer { output in
        for (b, image) in images.enumerated() {
            image.pixels.withUnsafeBufferPointer { input in
                for c in 0..<3 {
                    let table = tables[c]
                    let base = (b * 3 + c) * plane
                    for y in 0..<image.height {
                        let row = base + y * width
                        let source = y * image.width * 3 + c
                        for x in 0..<image.width {
                            output[row + x] = table[Int(input[source + 3 * x])]
                        }
                    }
                }
            }
        }
    }
    return Tensor(shape: [images.count, 3, height, width], scalars: scalars)
}

extension RGBImage {
    /// Packs images into one `[B, 3, H, W]` tensor of raw pixel values 0...255 (no
    /// normalisation: `TinyFasterRCNN` normalises its input itself). Smaller images sit at the
    /// top-left, padded with 0.
    /// - Precondition: at least one image.
    public static func pixelTensor(_ images: [RGBImage]) -> Tensor {
        let identity = (0..<256).map { Float($0) }
        return packChannels(images, tables: [identity, identity, identity])
    }
}
