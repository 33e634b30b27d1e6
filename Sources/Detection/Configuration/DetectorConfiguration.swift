// The model half of a run configuration: classes, anchors, backbone width, proposal counts, RoI
// output size and tiling. The defaults are DESIGN.md's reference detector, number for number.

/// The settings that build a detector (TinyFasterRCNN or TinyRetinaNet) and cut its images.
///
/// Defaults (DESIGN.md "The reference detector"): anchors (16, 32, 64) px × ratios (0.5, 1, 2),
/// backbone width 64 (stages 16, 32, 32, 64, 64 channels, output stride 8), RPN top 2,000 →
/// 512 proposals in training and 1,000 → 300 at inference, RoI Align 7×7, 400-px tiles at
/// stride 300 for training (NEON) and for tiled inference. A configuration read from JSON
/// starts from these and replaces only the keys given (``init(from:)``).
/// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497 (anchors, proposal counts).
public struct DetectorConfiguration: Sendable, Hashable, Codable {
    /// Class names, label i (1-based) is `classNames[i − 1]`; filled from the training data
    /// (empty in a configuration written by hand: the data decides).
    public var classNames: [String] = []
    /// Anchor sizes (square-root areas), input pixels, each > 0 ((16, 32, 64)).
    public var anchorSizes: [Float] = [16, 32, 64]
    /// Anchor aspect ratios h/w, each > 0 ((0.5, 1, 2)).
    public var aspectRatios: [Float] = [0.5, 1, 2]
    /// The backbone's output channels C, a multiple of 32 (64); the stages have C/4, C/2, C/2,
    /// C, C channels.
    public var backboneWidth = 64
    /// RPN proposals kept by objectness before NMS, per training image (2,000).
    public var trainingPreNMSTopN = 2000
    /// RPN proposals kept after NMS, per training image (512).
    public var trainingPostNMSTopN = 512
    /// RPN proposals kept before NMS at inference, per image (1,000).
    public var inferencePreNMSTopN = 1000
    /// RPN proposals kept after NMS at inference, per image (300).
    public var inferencePostNMSTopN = 300
    /// RoI Align output side, cells (7): the box head sees C·s·s features.
    public var roiOutputSize = 7
    /// Training tile side, pixels (400; NEON's training tiles).
    public var trainingTileSize = 400
    /// Stride between training tile origins, pixels (300).
    public var trainingTileStride = 300
    /// Inference tile side, pixels (400; `detectTiled`).
    public var inferenceTileSize = 400
    /// Stride between inference tile origins, pixels (300).
    public var inferenceTileStride = 300

    /// The backbone's output stride, pixels per feature cell (8): three stride-2 convolutions.
    public static let backboneStride = 8

    /// Creates the reference configuration.
    public init() {}

    /// A = sizes × ratios, anchors per feature-map location (9 by default).
    public var anchorsPerLocation: Int { anchorSizes.count * aspectRatios.count }

    /// K, the number of class names (0 when the data has not filled them).
    public var classCount: Int { classNames.count }

    /// The anchor generator of these sizes and ratios at the backbone's stride.
    /// - Precondition: the configuration is valid (``validate()``).
    public func makeAnchorGenerator() -> AnchorGenerator {
        AnchorGenerator(sizes: anchorSizes, aspectRatios: aspectRatios, stride: Self.backboneStride)
    }

    /// The backbone's stages (input, output channels, stride) for ``backboneWidth`` C:
    /// 3→C/4 s2, C/4→C/2 s2, C/2→C/2 s1, C/2→C s2, C→C s1 (`Backbone.tinyFasterRCNNChannels` at 64).
    public var backboneStages: [(input: Int, output: Int, stride: Int)] {
        let c = backboneWidth
        return [(3, c / 4, 2), (c / 4, c / 2, 2), (c / 2, c / 2, 1), (c / 2, c, 2), (c, c, 1)]
    }

    /// Checks every value.
    /// - Throws: `ConfigurationError` naming the first bad key (relative to this section, e.g.
    ///   `anchorSizes[1]`): no or non-positive anchor sizes or ratios, a width that is not a
    ///   positive multiple of 32 (GroupNorm's 8 groups need C/4 divisible by 8), proposal counts
    ///   below 1 or post-NMS above pre-NMS, an RoI size below 1, a tile smaller than the backbone's
    ///   stride, a stride below 1.
    public func validate() throws(ConfigurationError) {
        for (name, values) in [("anchorSizes", anchorSizes), ("aspectRatios", aspectRatios)] {
            guard !values.isEmpty else { throw ConfigurationError(key: name, reason: "needs at least one value") }
            for (i, value) in values.enumerated() where !(value.isFinite && value > 0) {
                throw ConfigurationError(key: "\(name)[\(i)]", reason: "must be a finite number > 0, got \(value)")
            }
        }
        guard backboneWidth >= 32, backboneWidth % 32 == 0 else {
            throw ConfigurationError(key: "backboneWidth", reason: "must be a positive multiple of 32 (32, 64, 96, …), got \(backboneWidth)")
        }
        for (name, value) in [("trainingPreNMSTopN", trainingPreNMSTopN), ("trainingPostNMSTopN", trainingPostNMSTopN),
                              ("inferencePreNMSTopN", inferencePreNMSTopN), ("inferencePostNMSTopN", inferencePostNMSTopN),
                              ("roiOutputSize", roiOutputSize), ("trainingTileStride", trainingTileStride),
                              ("inferenceTileStride", inferenceTileStride)] {
            try ConfigurationError.check(value, atLeast: 1, key: name)
        }
        for (name, value) in [("trainingTileSize", trainingTileSize), ("inferenceTileSize", inferenceTileSize)] where value < Self.backboneStride {
            throw ConfigurationError(key: name, reason: "must be at least the backbone's stride, \(Self.backboneStride) px, got \(value)")
        }
        for (post, pre, postValue, preValue) in [("trainingPostNMSTopN", "trainingPreNMSTopN", trainingPostNMSTopN, trainingPreNMSTopN),
                                                 ("inferencePostNMSTopN", "inferencePreNMSTopN", inferencePostNMSTopN, inferencePreNMSTopN)]
        where postValue > preValue {
            throw ConfigurationError(key: post, reason: "\(postValue) exceeds \(pre) \(preValue): NMS cannot keep more proposals than it is given")
        }
    }

    // MARK: - Codable

    /// The JSON keys: the property names.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case classNames, anchorSizes, aspectRatios, backboneWidth
        case trainingPreNMSTopN, trainingPostNMSTopN, inferencePreNMSTopN, inferencePostNMSTopN
        case roiOutputSize, trainingTileSize, trainingTileStride, inferenceTileSize, inferenceTileStride
    }

    /// Decodes a JSON object, starting from the defaults and replacing the keys it holds.
    /// - Throws: `DecodingError` at the key of an unknown key or a value of the wrong type.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        classNames = try c.decode(.classNames, keeping: classNames)
        anchorSizes = try c.decode(.anchorSizes, keeping: anchorSizes)
        aspectRatios = try c.decode(.aspectRatios, keeping: aspectRatios)
        backboneWidth = try c.decode(.backboneWidth, keeping: backboneWidth)
        trainingPreNMSTopN = try c.decode(.trainingPreNMSTopN, keeping: trainingPreNMSTopN)
        trainingPostNMSTopN = try c.decode(.trainingPostNMSTopN, keeping: trainingPostNMSTopN)
        inferencePreNMSTopN = try c.decode(.inferencePreNMSTopN, keeping: inferencePreNMSTopN)
        inferencePostNMSTopN = try c.decode(.inferencePostNMSTopN, keeping: inferencePostNMSTopN)
        roiOutputSize = try c.decode(.roiOutputSize, keeping: roiOutputSize)
        trainingTileSize = try c.decode(.trainingTileSize, keeping: trainingTileSize)
        trainingTileStride = try c.decode(.trainingTileStride, keeping: trainingTileStride)
        inferenceTileSize = try c.decode(.inferenceTileSize, keeping: inferenceTileSize)
        inferenceTileStride = try c.decode(.inferenceTileStride, keeping: inferenceTileStride)
    }
}
