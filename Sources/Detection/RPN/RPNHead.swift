// Legend: N images, C = 64 feature channels, h×w feature map (cells), A = 9 anchors per
// location; outputs location-major then anchor: row (y·w + x)·A + a.
import Autograd
import NN
import TensorCore

/// The RPN head: a shared 3×3 convolution with ReLU, then 1×1 convolutions giving A objectness
/// logits and 4·A box deltas per location.
///
/// Parameters (PyTorch names): `conv`, `cls_logits`, `bbox_pred` (each `.weight`, `.bias`);
/// `bbox_pred`'s output channel is anchor·4 + coordinate. Initialised N(0, 0.01²), biases 0.
///
/// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497, §3.1; torchvision `RPNHead`.
public struct RPNHead {
    /// The 3×3 convolution C → C, padding 1.
    public let conv: Conv2d
    /// The 1×1 convolution C → A objectness logits.
    public let classificationLogits: Conv2d
    /// The 1×1 convolution C → 4·A deltas.
    public let boxPrediction: Conv2d

    /// Creates a head with torchvision's initialisation: weights N(0, 0.01²), biases 0.
    /// - Precondition: positive channel and anchor counts.
    public init(channels: Int, anchorsPerLocation: Int, using generator: inout some RandomNumberGenerator) {
        let weight = Initializer.normal(std: 0.01)
        conv = Conv2d(inputChannels: channels, outputChannels: channels, kernelSize: 3, padding: 1,
                      weightInitializer: weight, biasInitializer: .zeros, using: &generator)
        classificationLogits = Conv2d(inputChannels: channels, outputChannels: anchorsPerLocation, kernelSize: 1,
                                      weightInitializer: weight, biasInitializer: .zeros, using: &generator)
        boxPrediction = Conv2d(inputChannels: channels, outputChannels: 4 * anchorsPerLocation, kernelSize: 1,
                               weightInitializer: weight, biasInitializer: .zeros, using: &generator)
    }

    /// The number of anchors per location A.
    public var anchorsPerLocation: Int { classificationLogits.weight.shape[0] }

    /// Computes objectness logits and box deltas for every anchor.
    /// - Parameter features: [N, C, h, w] feature map.
    /// - Returns: objectness [N, h·w·A] and deltas [N, h·w·A, 4], location-major then anchor.
    /// - Precondition: features are [N, C, h, w].
    public func callAsFunction(_ features: Variable) -> (objectness: Variable, deltas: Variable) {
        precondition(features.value.rank == 4, "RPNHead: features \(features.shape) must be [N, C, h, w]")
        let n = features.shape[0], h = features.shape[2], w = features.shape[3], a = anchorsPerLocation
        let shared = conv(features).relu()
        // [N, A, h, w] → [N, h, w, A]: torchvision's permute_and_flatten.
        let objectness = classificationLogits(shared).permuted([0, 2, 3, 1]).reshaped(to: [n, h * w * a])
        let deltas = boxPrediction(shared).reshaped(to: [n, a, 4, h, w]).permuted([0, 3, 4, 1, 2])
            .reshaped(to: [n, h * w * a, 4])
        return (objectness, deltas)
    }

    /// The parameters with PyTorch's names under the head (`conv.weight`, …, `bbox_pred.bias`).
    public var parameters: [Parameter] {
        conv.parameters(prefixedBy: "conv") + classificationLogits.parameters(prefixedBy: "cls_logits")
            + boxPrediction.parameters(prefixedBy: "bbox_pred")
    }
}
