// The inference half of a detector's configuration, changed on a trained detector: what
// `quarry eval` and `quarry detect` take as flags. The weights do not depend on these fields.

/// Inference settings to use instead of those a detector was trained with: the RPN's pre- and
/// post-NMS top-N per tile and the tiling of an image. Nil keeps the configuration's value.
///
/// The RPN's top-N settle how many proposals reach the RoI head (torchvision's
/// `rpn_pre_nms_top_n_test` / `rpn_post_nms_top_n_test`, detectron2's
/// `MODEL.RPN.PRE_NMS_TOPK_TEST` / `POST_NMS_TOPK_TEST`); a pre-NMS top-N that fills with the
/// anchors of a few objects starves the second stage (docs/configuration.md, "Why: the pre-NMS
/// top-N fills with a few digits' anchors"). Tiles are square windows in pixels, `tileSize` per
/// side, origins `tileStride` apart (DESIGN.md "The reference detector": 400, stride 300).
public struct InferenceSettings: Sendable, Hashable {
    /// The RPN's anchors kept per tile before NMS (`DetectorConfiguration.inferencePreNMSTopN`).
    public var preNMSTopN: Int?
    /// The RPN's proposals kept per tile after NMS (`DetectorConfiguration.inferencePostNMSTopN`).
    public var postNMSTopN: Int?
    /// The tile side in pixels (`DetectorConfiguration.inferenceTileSize`).
    public var tileSize: Int?
    /// The distance between tile origins in pixels (`DetectorConfiguration.inferenceTileStride`).
    public var tileStride: Int?

    /// Creates the settings; nil keeps the configuration's value.
    public init(preNMSTopN: Int? = nil, postNMSTopN: Int? = nil, tileSize: Int? = nil, tileStride: Int? = nil) {
        self.preNMSTopN = preNMSTopN
        self.postNMSTopN = postNMSTopN
        self.tileSize = tileSize
        self.tileStride = tileStride
    }

    /// The key of `DetectorConfiguration` each setting replaces, for errors and records.
    public static let keys = (preNMSTopN: "inferencePreNMSTopN", postNMSTopN: "inferencePostNMSTopN",
                              tileSize: "inferenceTileSize", tileStride: "inferenceTileStride")

    /// `configuration` with each given setting in place of its inference field, validated.
    /// - Parameters:
    ///   - configuration: a detector's configuration (a checkpoint's recorded one).
    ///   - hasProposals: whether the detector has an RPN (TinyFasterRCNN); the top-N settings
    ///     apply only to one.
    /// - Throws: `ConfigurationError` naming the `DetectorConfiguration` key: a top-N given for a
    ///   detector without proposals, a value the configuration refuses (a count below 1, a tile
    ///   under the backbone's stride, a post-NMS top-N above the pre-NMS one), or, when a tile
    ///   setting is given, a stride above the tile size (bands of the image no tile would see).
    public func applied(to configuration: DetectorConfiguration, hasProposals: Bool) throws(ConfigurationError) -> DetectorConfiguration {
        if !hasProposals {
            for (key, value) in [(Self.keys.preNMSTopN, preNMSTopN), (Self.keys.postNMSTopN, postNMSTopN)] where value != nil {
                throw ConfigurationError(key: key, reason: "applies to the RPN of a two-stage detector (faster-rcnn); this detector makes no proposals")
            }
        }
        var result = configuration
        if let preNMSTopN { result.inferencePreNMSTopN = preNMSTopN }
        if let postNMSTopN { result.inferencePostNMSTopN = postNMSTopN }
        if let tileSize { result.inferenceTileSize = tileSize }
        if let tileStride { result.inferenceTileStride = tileStride }
        try result.validate()
        if tileSize != nil || tileStride != nil, result.inferenceTileStride > result.inferenceTileSize {
            throw ConfigurationError(key: Self.keys.tileStride,
                                     reason: "\(result.inferenceTileStride) exceeds \(Self.keys.tileSize) \(result.inferenceTileSize): bands of the image between tiles would never be seen")
        }
        return result
    }
}
