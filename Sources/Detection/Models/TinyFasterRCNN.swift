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

    /// The settings it was built with (anchors, width, proposal counts, RoI size, tiling).
    public let configuration: DetectorConfiguration

    /// Creates a freshly initialised detector.
    ///
    /// Initialisation order (one generator): backbone stages, RPN head, box head.
    /// - Parameters:
    ///   - classCount: K ≥ 1 foreground classes.
    ///   - configuration: anchors, backbone width, proposal counts, RoI output size, tiling
    ///     (DESIGN.md's reference unless given).
    ///   - generator: the random source.
    /// - Precondition: K ≥ 1; the configuration is valid (`DetectorConfiguration.validate()`).
    public init(classCount: Int, configuration: DetectorConfiguration = DetectorConfiguration(),
                using generator: inout some RandomNumberGenerator) {
        precondition(classCount >= 1, "TinyFasterRCNN: class count \(classCount) must be at least 1")
        self.classCount = classCount
        self.configuration = configuration
        backbone = Backbone(channels: configuration.backboneStages, using: &generator)
        let anchors = configuration.makeAnchorGenerator()
        let width = configuration.backboneWidth
        rpn = RegionProposalNetwork(head: RPNHead(channels: width, anchorsPerLocation: anchors.anchorsPerLocation,
                                                  using: &generator),
                                    anchorGenerator: anchors)
        rpn.trainingFilter = ProposalFilter(preNMSTopN: configuration.trainingPreNMSTopN, postNMSTopN: configuration.trainingPostNMSTopN)
        rpn.inferenceFilter = ProposalFilter(preNMSTopN: configuration.inferencePreNMSTopN, postNMSTopN: configuration.inferencePostNMSTopN)
        let side = configuration.roiOutputSize
        roiHeads = RoIHeads(boxHead: BoxHead(inputFeatures: width * side * side, hiddenFeatures: 256, classCount: classCount + 1,
                                             using: &generator))
        roiHeads.pooledSize = side
        roiHeads.spatialScale = 1 / Float(DetectorConfiguration.backboneStride)
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
