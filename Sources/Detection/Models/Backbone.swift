// Legend: N images, H×W input (pixels), F output channels; output [N, F, H/8, W/8] (stride 8).
import Autograd
import NN
import TensorCore

/// A plain convolutional backbone: stages of 3×3 convolution (padding 1, bias), GroupNorm and
/// ReLU.
///
/// TinyFasterRCNN's: 3→16 s2, 16→32 s2, 32→32, 32→64 s2, 64→64 (output stride 8, 64 channels),
/// GroupNorm with 8 groups (4 for 16 channels), eps 1e-5; convolution weights Kaiming normal
/// (fan_out, ReLU gain), biases 0; GroupNorm weight 1, bias 0. Parameter names are PyTorch's
/// `nn.Sequential` of `nn.Sequential(conv, norm, relu)`: `{i}.0.weight`, `{i}.1.bias`, ….
public struct Backbone {
    /// One stage: convolution then group normalisation (ReLU has no parameters).
    public struct Stage {
        /// The 3×3 convolution.
        public let conv: Conv2d
        /// The group normalisation after it.
        public let norm: GroupNorm
    }

    /// The stages in order.
    public let stages: [Stage]

    /// Creates the backbone.
    /// - Parameters:
    ///   - channels: (input, output, stride) per stage.
    ///   - generator: the random source for the Kaiming initialisation.
    public init(channels: [(input: Int, output: Int, stride: Int)], using generator: inout some RandomNumberGenerator) {
        stages = channels.map { spec in
            let conv = Conv2d(inputChannels: spec.input, outputChannels: spec.output, kernelSize: 3, stride: spec.stride,
                              padding: 1, weightInitializer: .kaimingNormal(mode: .fanOut), biasInitializer: .zeros,
                              using: &generator)
            return Stage(conv: conv, norm: GroupNorm(groups: spec.output == 16 ? 4 : 8, channels: spec.output))
        }
    }

    /// TinyFasterRCNN's stage list.
    public static let tinyFasterRCNNChannels: [(input: Int, output: Int, stride: Int)] =
        [(3, 16, 2), (16, 32, 2), (32, 32, 1), (32, 64, 2), (64, 64, 1)]

    /// The number of output channels F.
    public var outputChannels: Int { stages.last?.conv.weight.shape[0] ?? 0 }

    /// Maps normalised images [N, 3, H, W] to features [N, F, h, w].
    public func callAsFunction(_ x: Variable) -> Variable {
        stages.reduce(x) { input, stage in stage.norm(stage.conv(input)).relu() }
    }

    /// ImageNet channel means (R, G, B) of pixel / 255.
    public static let pixelMean: [Float] = [0.485, 0.456, 0.406]
    /// ImageNet channel standard deviations (R, G, B) of pixel / 255.
    public static let pixelStd: [Float] = [0.229, 0.224, 0.225]

    /// Normalises RGB pixels into the backbone's input: x = (pixel / 255 − mean) / std per
    /// channel (DESIGN.md "The reference detector"; both detectors use it).
    /// - Parameter pixels: [N, 3, H, W] RGB values in 0...255.
    /// - Returns: [N, 3, H, W] network input.
    /// - Precondition: 3 channels.
    public static func normalized(_ pixels: Tensor) -> Tensor {
        precondition(pixels.rank == 4 && pixels.shape[1] == 3, "normalized: pixels \(pixels.shape) must be [N, 3, H, W]")
        let plane = pixels.shape[2] * pixels.shape[3]
        var scalars = pixels.scalars
        for image in 0..<pixels.shape[0] {
            for channel in 0..<3 {
                let mean = pixelMean[channel], std = pixelStd[channel], start = (image * 3 + channel) * plane
                for i in start..<(start + plane) { scalars[i] = (scalars[i] / 255 - mean) / std }
            }
        }
        return Tensor(shape: pixels.shape, scalars: scalars)
    }

    /// The parameters with PyTorch's names (`0.0.weight`, `0.0.bias`, `0.1.weight`, …).
    public var parameters: [Parameter] {
        stages.enumerated().flatMap { i, stage in
            stage.conv.parameters(prefixedBy: "\(i).0") + stage.norm.parameters(prefixedBy: "\(i).1")
        }
    }
}
