// Legend: N images, H×W image (pixels), 64 feature channels at stride 8 (h = ⌈H/8⌉ for the
// backbone's three stride-2 convolutions), K foreground classes (L = K + 1 with background).
import Autograd
import NN
import TensorCore

/// The reference detector of DESIGN.md: a small Faster R-CNN with a 5-convolution GroupNorm
/// backbone (output stride 8, 64 channels), a 9-anchor RPN and a two-layer RoI box head.
///
/// Every number is part of the contract with its PyTorch twin (see DESIGN.md, "The reference
/// detector"); parameter names are PyTorch's (`backbone.{i}.{0,1}.*`, `rpn_head.*`,
/// `box_head.*`), so its safetensors checkpoints load by name. Parameters are reference-type
/// `Variable`s: copies of the struct share them.
///
/// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497.
public struct TinyFasterRCNN {
    /// The convolutional backbone.
    public let backbone: Backbone
    /// The region proposal network.
    public var rpn: RegionProposalNetwork
    /// The RoI heads (RoI Align, box head, matching, post-processing).
    public var roiHeads: RoIHeads
    /// K, the number of foreground classes (labels 1...K).
    public let classCount: Int

    /// Creates a freshly initialised detector.
    ///
    /// Initialisation order (one generator): backbone stages, RPN head, box head.
    /// - Parameters:
    ///   - classCount: K ≥ 1 foreground classes.
    ///   - generator: the random source.
    /// - Precondition: K ≥ 1.
    public init(classCount: Int, using generator: inout some RandomNumberGenerator) {
        precondition(classCount >= 1, "TinyFasterRCNN: class count \(classCount) must be at least 1")
        self.classCount = classCount
        backbone = Backbone(channels: Backbone.tinyFasterRCNNChannels, using: &generator)
        let anchors = AnchorGenerator(sizes: [16, 32, 64], aspectRatios: [0.5, 1, 2], stride: 8)
        rpn = RegionProposalNetwork(head: RPNHead(channels: 64, anchorsPerLocation: anchors.anchorsPerLocation,
                                                  using: &generator),
                                    anchorGenerator: anchors)
        roiHeads = RoIHeads(boxHead: BoxHead(inputFeatures: 64 * 7 * 7, hiddenFeatures: 256, classCount: classCount + 1,
                                             using: &generator))
    }

    /// Every parameter with its PyTorch name, in the order backbone, `rpn_head`, `box_head`.
    public var parameters: [Parameter] {
        backbone.parameters.prefixed(by: "backbone") + rpn.parameters.prefixed(by: "rpn_head")
            + roiHeads.parameters.prefixed(by: "box_head")
    }

    /// Computes the feature map of a batch of images.
    /// - Parameter images: [N, 3, H, W] RGB pixels in 0...255.
    /// - Returns: [N, 64, h, w] features (stride 8).
    public func features(_ images: Tensor) -> Variable {
        backbone(Variable(Backbone.normalized(images)))
    }
}
