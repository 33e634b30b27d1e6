// Legend: N images, C feature channels (64), h×w feature map (cells), A anchors per location
// (9), K foreground classes; outputs location-major then anchor: row (y·w + x)·A + a.
import Autograd
import Foundation
import NN
import TensorCore

/// RetinaNet's dense head: a classification subnet and a box-regression subnet, each two 3×3
/// convolutions with ReLU (C → C, padding 1) and a final 3×3 convolution, giving A·K class
/// logits and A·4 box deltas per location.
///
/// Initialisation as torchvision's `RetinaNetHead`: every weight N(0, 0.01²), biases 0, except
/// the class logits' bias, −log((1 − π)/π) with π = 0.01 (every anchor starts with foreground
/// probability 0.01, so the focal loss of the many easy negatives does not swamp the first
/// steps). Parameter names are torchvision's (`classification_head.conv.{0,1}.0.*`,
/// `classification_head.cls_logits.*`, `regression_head.conv.{0,1}.0.*`,
/// `regression_head.bbox_reg.*`); output channel a·K + k holds class k of anchor a, a·4 + j
/// coordinate j. Two convolutions per subnet instead of torchvision's four: TinyFasterRCNN's
/// scale (its RPN head has one).
/// Reference: Lin et al., "Focal Loss for Dense Object Detection", arXiv:1708.02002, §4 and
/// Fig. 3; torchvision `RetinaNetClassificationHead` / `RetinaNetRegressionHead`.
public struct RetinaNetHead {
    /// The classification subnet's two C → C convolutions (each followed by ReLU).
    public let classificationConvolutions: [Conv2d]
    /// The C → A·K class-logit convolution.
    public let classificationLogits: Conv2d
    /// The regression subnet's two C → C convolutions (each followed by ReLU).
    public let regressionConvolutions: [Conv2d]
    /// The C → A·4 box-delta convolution.
    public let boxRegression: Conv2d

    /// The prior probability π of the class logits' initial bias (0.01).
    public static let priorProbability: Float = 0.01

    /// Creates a head with torchvision's initialisation.
    ///
    /// Initialisation order (one generator): classification convolutions, class logits,
    /// regression convolutions, box deltas.
    /// - Parameters:
    ///   - channels: C, the feature channels.
    ///   - anchorsPerLocation: A.
    ///   - classCount: K ≥ 1 foreground classes.
    ///   - generator: the random source.
    /// - Precondition: C, A, K ≥ 1.
    public init(channels: Int, anchorsPerLocation: Int, classCount: Int, using generator: inout some RandomNumberGenerator) {
        precondition(channels >= 1 && anchorsPerLocation >= 1 && classCount >= 1,
                     "RetinaNetHead: channels \(channels), anchors \(anchorsPerLocation), classes \(classCount) must be ≥ 1")
        let weight = Initializer.normal(std: 0.01)
        func convolution(_ output: Int, _ generator: inout some RandomNumberGenerator) -> Conv2d {
            Conv2d(inputChannels: channels, outputChannels: output, kernelSize: 3, padding: 1,
                   weightInitializer: weight, biasInitializer: .zeros, using: &generator)
        }
        classificationConvolutions = [convolution(channels, &generator), convolution(channels, &generator)]
        classificationLogits = convolution(anchorsPerLocation * classCount, &generator)
        regressionConvolutions = [convolution(channels, &generator), convolution(channels, &generator)]
        boxRegression = convolution(4 * anchorsPerLocation, &generator)
        initializePrior(probability: Self.priorProbability)
    }

    /// A, anchors per location.
    public var anchorsPerLocation: Int { boxRegression.weight.shape[0] / 4 }
    /// K, foreground classes.
    public var classCount: Int { classificationLogits.weight.shape[0] / anchorsPerLocation }

    /// Sets the class logits' bias to −log((1 − π)/π) (−4.595 for π = 0.01).
    /// - Precondition: 0 < π < 1.
    public func initializePrior(probability: Float) {
        precondition(probability > 0 && probability < 1, "RetinaNetHead.initializePrior: π = \(probability) must lie in (0, 1)")
        let bias = classificationLogits.bias!
        bias.value = Tensor(repeating: -Foundation.log((1 - probability) / probability), shape: bias.shape)
    }

    /// Computes class logits and box deltas for every anchor.
    /// - Parameter features: [N, C, h, w] feature map.
    /// - Returns: logits [N, h·w·A, K] and deltas [N, h·w·A, 4], location-major then anchor.
    /// - Precondition: features are [N, C, h, w].
    public func callAsFunction(_ features: Variable) -> (classLogits: Variable, boxDeltas: Variable) {
        precondition(features.value.rank == 4, "RetinaNetHead: features \(features.shape) must be [N, C, h, w]")
        let n = features.shape[0], h = features.shape[2], w = features.shape[3]
        let a = anchorsPerLocation, k = classCount
        let classified = classificationConvolutions.reduce(features) { $1($0).relu() }
        let regressed = regressionConvolutions.reduce(features) { $1($0).relu() }
        // [N, A·K, h, w] → [N, A, K, h, w] → [N, h, w, A, K]: torchvision's view and permute.
        let logits = classificationLogits(classified).reshaped(to: [n, a, k, h, w]).permuted([0, 3, 4, 1, 2])
            .reshaped(to: [n, h * w * a, k])
        let deltas = boxRegression(regressed).reshaped(to: [n, a, 4, h, w]).permuted([0, 3, 4, 1, 2])
            .reshaped(to: [n, h * w * a, 4])
        return (logits, deltas)
    }

    /// The parameters with torchvision's names under the head (`classification_head.conv.0.0.weight`, …).
    public var parameters: [Parameter] {
        classificationConvolutions.enumerated().flatMap { i, c in c.parameters(prefixedBy: "classification_head.conv.\(i).0") }
            + classificationLogits.parameters(prefixedBy: "classification_head.cls_logits")
            + regressionConvolutions.enumerated().flatMap { i, c in c.parameters(prefixedBy: "regression_head.conv.\(i).0") }
            + boxRegression.parameters(prefixedBy: "regression_head.bbox_reg")
    }
}
