// Legend: K RoIs, C = 64 feature channels, 7×7 pooled bins, D = 256 hidden features,
// L = K' + 1 classes (0 = background).
import Autograd
import NN
import TensorCore

/// The RoI box head: two fully connected layers with ReLU over the flattened pooled features,
/// then the predictor's class logits and class-specific box deltas.
///
/// Parameters (PyTorch names, under `box_head.`): `fc6` [D, C·7·7], `fc7` [D, D], `cls_score`
/// [L, D], `bbox_pred` [4·L, D] (row class·4 + coordinate); PyTorch's default Linear init.
///
/// Reference: Ren et al., arXiv:1506.01497; torchvision `TwoMLPHead` and `FastRCNNPredictor`.
public struct BoxHead {
    /// First hidden layer, C·7·7 → D.
    public let fc6: Linear
    /// Second hidden layer, D → D.
    public let fc7: Linear
    /// Class logits, D → L.
    public let classScore: Linear
    /// Class-specific deltas, D → 4·L.
    public let boxPrediction: Linear

    /// Creates a head with PyTorch's default Linear initialisation (U(±1/√fan_in)).
    /// - Parameters:
    ///   - inputFeatures: C·7·7 (3,136 for TinyFasterRCNN).
    ///   - hiddenFeatures: D (256).
    ///   - classCount: L = foreground classes + 1.
    ///   - generator: the random source.
    public init(inputFeatures: Int, hiddenFeatures: Int, classCount: Int, using generator: inout some RandomNumberGenerator) {
        fc6 = Linear(inputFeatures: inputFeatures, outputFeatures: hiddenFeatures, using: &generator)
        fc7 = Linear(inputFeatures: hiddenFeatures, outputFeatures: hiddenFeatures, using: &generator)
        classScore = Linear(inputFeatures: hiddenFeatures, outputFeatures: classCount, using: &generator)
        boxPrediction = Linear(inputFeatures: hiddenFeatures, outputFeatures: 4 * classCount, using: &generator)
    }

    /// The number of classes L, background included.
    public var classCount: Int { classScore.weight.shape[0] }

    /// Maps pooled RoI features to class logits and deltas.
    /// - Parameter pooled: [K, C, 7, 7] RoI Align output (flattened as [K, C·7·7], C-major).
    /// - Returns: class logits [K, L] and deltas [K, 4·L].
    /// - Precondition: C·7·7 equals fc6's input size.
    public func callAsFunction(_ pooled: Variable) -> (classLogits: Variable, boxDeltas: Variable) {
        let k = pooled.shape[0], features = pooled.value.count / max(k, 1)
        precondition(features == fc6.weight.shape[1] || k == 0,
                     "BoxHead: pooled \(pooled.shape) does not flatten to \(fc6.weight.shape[1]) features")
        let x = pooled.reshaped(to: [k, fc6.weight.shape[1]])
        let hidden = fc7(fc6(x).relu()).relu()
        return (classScore(hidden), boxPrediction(hidden))
    }

    /// The parameters with PyTorch's names (`fc6.weight`, …, `bbox_pred.bias`).
    public var parameters: [Parameter] {
        fc6.parameters(prefixedBy: "fc6") + fc7.parameters(prefixedBy: "fc7")
            + classScore.parameters(prefixedBy: "cls_score") + boxPrediction.parameters(prefixedBy: "bbox_pred")
    }
}
