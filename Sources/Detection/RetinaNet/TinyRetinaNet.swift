// Legend: N images, H×W image (pixels), 64 feature channels at stride 8 (h×w feature map),
// A = 9 anchors per location, K foreground classes (labels 1...K).
import Autograd
import NN
import TensorCore

/// The outputs of RetinaNet's dense head for a batch, with the anchors they refer to.
public struct RetinaNetOutput {
    /// [N, A_img, K] class logits, location-major then anchor (A_img = h·w·9).
    public var classLogits: Variable
    /// [N, A_img, 4] deltas (coder weights 1, 1, 1, 1).
    public var boxDeltas: Variable
    /// [A_img, 4] anchors shared by every image, pixels.
    public var anchors: Tensor

    /// Creates the record.
    /// - Precondition: logits [N, A_img, K], deltas [N, A_img, 4], anchors [A_img, 4].
    public init(classLogits: Variable, boxDeltas: Variable, anchors: Tensor) {
        precondition(classLogits.value.rank == 3 && boxDeltas.shape == [classLogits.shape[0], classLogits.shape[1], 4]
                     && anchors.shape == [classLogits.shape[1], 4],
                     "RetinaNetOutput: logits \(classLogits.shape), deltas \(boxDeltas.shape), anchors \(anchors.shape)")
        self.classLogits = classLogits
        self.boxDeltas = boxDeltas
        self.anchors = anchors
    }
}

/// A one-stage dense detector on TinyFasterRCNN's backbone, anchors and box coder: RetinaNet at
/// TinyFasterRCNN's scale.
///
/// Backbone as TinyFasterRCNN's (5 convolutions with GroupNorm, stride 8, 64 channels); anchors
/// stride 8, sizes (16, 32, 64) × ratios (0.5, 1, 2) = 9 per location; a `RetinaNetHead` (two
/// 3×3 convolutions + ReLU per subnet, A·K class logits with the prior bias −log(99), A·4
/// deltas; weights N(0, 0.01²)); matcher foreground IoU ≥ 0.5, background < 0.4, between
/// ignored, low-quality matches allowed; coder (1, 1, 1, 1) with dw/dh clamped at log(1000/16);
/// sigmoid focal loss (α 0.25, γ 2) over every non-ignored anchor and class, L1 box loss on
/// positives, both over max(1, positives) — under the `focal` strategy; any other strategy
/// trains BCE over its selection (`RetinaNetTrainingHead`); inference as
/// `RetinaNetPostprocessor` (score > 0.05, top 1,000, per-class NMS 0.5, 100 per image).
/// Parameter names are torchvision's (`backbone.*`, `head.classification_head.*`,
/// `head.regression_head.*`).
/// Reference: Lin et al., "Focal Loss for Dense Object Detection", arXiv:1708.02002; torchvision
/// `retinanet_resnet50_fpn` (every choice above is its default, here on one feature level).
public struct TinyRetinaNet {
    /// Anchors per location, A = 3 sizes × 3 ratios.
    public static let anchorsPerLocation = 9

    /// The convolutional backbone (TinyFasterRCNN's).
    public let backbone: Backbone
    /// The anchor grid (cached per feature size).
    public let anchorGenerator: AnchorGenerator
    /// The dense head.
    public let head: RetinaNetHead
    /// Anchor-to-ground-truth matcher (0.5 / 0.4, low-quality matches).
    public var matcher: Matcher = .retinaNet
    /// Box coder (1, 1, 1, 1).
    public var coder: BoxCoder = .retinaNet
    /// Inference post-processing.
    public var postprocessor = RetinaNetPostprocessor()
    /// K, the number of foreground classes (labels 1...K).
    public let classCount: Int

    /// The settings it was built with (anchors, backbone width, inference tiling; the proposal
    /// counts and RoI size are unused).
    public let configuration: DetectorConfiguration

    /// Creates a freshly initialised detector.
    ///
    /// Initialisation order (one generator): backbone stages, then the head (see `RetinaNetHead`).
    /// - Parameters:
    ///   - classCount: K ≥ 1 foreground classes.
    ///   - configuration: anchors, backbone width, tiling (DESIGN.md's reference unless given).
    ///   - generator: the random source.
    /// - Precondition: K ≥ 1; the configuration is valid (`DetectorConfiguration.validate()`).
    public init(classCount: Int, configuration: DetectorConfiguration = DetectorConfiguration(),
                using generator: inout some RandomNumberGenerator) {
        precondition(classCount >= 1, "TinyRetinaNet: class count \(classCount) must be at least 1")
        self.classCount = classCount
        self.configuration = configuration
        backbone = Backbone(channels: configuration.backboneStages, using: &generator)
        anchorGenerator = configuration.makeAnchorGenerator()
        head = RetinaNetHead(channels: backbone.outputChannels, anchorsPerLocation: anchorGenerator.anchorsPerLocation,
                             classCount: classCount, using: &generator)
    }

    /// Every parameter with its torchvision name, backbone then head.
    public var parameters: [Parameter] {
        backbone.parameters.prefixed(by: "backbone") + head.parameters.prefixed(by: "head")
    }

    /// Computes the feature map of a batch of images.
    /// - Parameter images: [N, 3, H, W] RGB pixels in 0...255.
    /// - Returns: [N, 64, h, w] features (stride 8).
    public func features(_ images: Tensor) -> Variable {
        backbone(Variable(Backbone.normalized(images)))
    }

    /// Runs the dense head and returns per-anchor outputs with the anchors.
    /// - Parameter features: [N, 64, h, w] feature map.
    public func callAsFunction(_ features: Variable) -> RetinaNetOutput {
        let (logits, deltas) = head(features)
        let anchors = anchorGenerator.anchors(featureHeight: features.shape[2], featureWidth: features.shape[3])
        return RetinaNetOutput(classLogits: logits, boxDeltas: deltas, anchors: anchors)
    }
}

// MARK: - Detector

extension TinyRetinaNet: Detector {
    /// ``DetectorKind/retinaNet``.
    public var kind: DetectorKind { .retinaNet }

    /// The dense head alone, ``DetectionHead/retinaNet``.
    public var heads: [DetectionHead] { [.retinaNet] }

    /// Computes one training step's losses: backbone and head with gradient, then the dense head
    /// as a training head (`RetinaNetTrainingHead`: anchors matched per image with the batch's
    /// classes, the strategy's requirements read from the outputs without an extra forward).
    /// - Parameters:
    ///   - images: [N, 3, H, W] RGB pixels in 0...255, as trained on (already flipped).
    ///   - groundTruth: N ground-truth sets in the same frame; empty: background only.
    ///   - samplingImages: N image descriptions (id = the training tile's index, size, flips).
    ///   - progress: the current step and steps per epoch.
    ///   - strategies: one strategy, for the dense head, kept across steps by the caller.
    ///   - generator: the random source of every selection.
    /// - Returns: `retina_classification` and `retina_box`, with the strategy's mining statistics.
    /// - Precondition: one ground-truth set and sampling image per image; labels in 1...K; one strategy.
    public func trainingLoss(images: Tensor, groundTruth: [GroundTruth], samplingImages: [SamplingImage],
                             progress: TrainingProgress, strategies: inout [any SamplingStrategy],
                             using generator: inout some RandomNumberGenerator) -> DetectorLosses {
        precondition(images.rank == 4 && images.shape[0] == groundTruth.count,
                     "trainingLoss: images \(images.shape) need one ground-truth set each, got \(groundTruth.count)")
        precondition(groundTruth.allSatisfy { $0.labels.allSatisfy { $0 <= classCount } },
                     "trainingLoss: ground-truth labels must lie in 1...\(classCount)")
        precondition(strategies.count == 1, "trainingLoss: TinyRetinaNet needs 1 strategy (the dense head), got \(strategies.count)")
        let features = self.features(images)
        let head = RetinaNetTrainingHead(model: self, output: self(features), groundTruth: groundTruth,
                                         featureHeight: features.shape[2], featureWidth: features.shape[3])
        return DetectorLosses(heads: [head.sampledLoss(strategy: &strategies[0], images: samplingImages, progress: progress,
                                                       using: &generator)])
    }

    /// Detects objects in a batch of images (no graph is recorded): per image, the class
    /// sigmoids, score > 0.05, top 1,000, decode, clip, per-class NMS 0.5, top 100
    /// (`RetinaNetPostprocessor`).
    /// - Parameter images: [N, 3, H, W] RGB pixels in 0...255.
    /// - Returns: N detection sets, each by decreasing score.
    /// - Precondition: images are [N, 3, H, W].
    public func detect(images: Tensor) -> [Detections] {
        precondition(images.rank == 4, "detect: images \(images.shape) must be [N, 3, H, W]")
        return withoutGradients {
            let height = images.shape[2], width = images.shape[3]
            let output = self(features(images))
            let a = output.anchors.shape[0], k = classCount
            return (0..<images.shape[0]).map { image in
                postprocessor.detections(
                    classLogits: output.classLogits.value.slice(alongAxis: 0, image..<(image + 1)).reshaped(to: [a, k]),
                    boxDeltas: output.boxDeltas.value.slice(alongAxis: 0, image..<(image + 1)).reshaped(to: [a, 4]),
                    anchors: output.anchors, coder: coder, imageHeight: height, imageWidth: width)
            }
        }
    }

    /// Sets the class logits' bias to −log((1 − π)/π); the head starts at π = 0.01 anyway.
    /// - Precondition: 0 < π < 1; `head` is ``DetectionHead/retinaNet``.
    public func initializeClassificationPrior(of head: DetectionHead, probability: Float) {
        precondition(head == .retinaNet, "initializeClassificationPrior: TinyRetinaNet has no \(head) head")
        self.head.initializePrior(probability: probability)
    }
}
