// A detector head as the sampling strategies see it: its name, what its candidates are, and
// the defaults a strategy takes from it. The heads themselves (their layers, candidates and
// losses) conform to `TrainingHead`; this value is what they tell a strategy.

/// The identity of a detector head and the sampling defaults it gives a strategy.
///
/// A strategy instance serves one head; it reads the head's defaults (budget, positive
/// fraction, background threshold) and what its candidates are, never the head's layers.
/// Built-in heads: ``rpn`` and ``roi`` (Faster R-CNN's, DESIGN.md) and ``retinaNet`` (the dense
/// head of TinyRetinaNet). A new detector describes its heads with new values.
/// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497 (256 anchors at 0.5, 128 RoIs at
/// 0.25 in TinyFasterRCNN); torchvision's `RPN`/`RoIHeads`; Lin et al., arXiv:1708.02002.
public struct DetectionHead: Sendable, Hashable, CustomStringConvertible {
    /// What a head's candidates are, which decides what a strategy may store and add.
    public enum Candidates: Sendable, Hashable {
        /// A fixed anchor grid (RPN, RetinaNet): a candidate is an anchor index, mirrored through
        /// flips with the grid's `AnchorLayout`; no candidates can be added.
        case anchors
        /// Boxes produced per image (RoI-head proposals): a candidate is a box; a strategy may
        /// append extra boxes (the hard-negative buffer's replays), and near-duplicate boxes
        /// are common (OHEM suppresses them by NMS).
        case proposals
    }

    /// The head's name in logs, loss columns and checkpoints (`rpn`, `roi`, `retina`).
    public var name: String
    /// What the candidates are.
    public var candidates: Candidates
    /// The name of the head's classification term in the loss log (`objectness` at the RPN,
    /// `classification` elsewhere); the box term is always `box`.
    public var classificationTermName: String
    /// The number of candidates per image that enter the loss (256 RPN and RetinaNet, 128 RoI head).
    public var defaultBatchSize: Int
    /// The fraction of the batch reserved for positives (0.5 RPN and RetinaNet, 0.25 RoI head).
    public var defaultPositiveFraction: Double
    /// The matcher's background threshold, IoU (max IoU below it is background): 0.3 RPN, 0.5
    /// RoI head, 0.4 RetinaNet.
    public var defaultBackgroundThreshold: Float

    /// Creates a head description.
    /// - Precondition: a non-empty name without commas or spaces; batch size ≥ 0; fraction and
    ///   threshold in [0, 1].
    public init(name: String, candidates: Candidates, classificationTermName: String = "classification",
                defaultBatchSize: Int, defaultPositiveFraction: Double, defaultBackgroundThreshold: Float) {
        precondition(!name.isEmpty && !name.contains(",") && !name.contains(" "),
                     "DetectionHead: name '\(name)' must be non-empty, without commas or spaces (it names loss columns)")
        precondition(defaultBatchSize >= 0 && (0...1).contains(defaultPositiveFraction) && (0...1).contains(defaultBackgroundThreshold),
                     "DetectionHead: batch size \(defaultBatchSize), positive fraction \(defaultPositiveFraction), background threshold \(defaultBackgroundThreshold)")
        self.name = name
        self.candidates = candidates
        self.classificationTermName = classificationTermName
        self.defaultBatchSize = defaultBatchSize
        self.defaultPositiveFraction = defaultPositiveFraction
        self.defaultBackgroundThreshold = defaultBackgroundThreshold
    }

    /// Faster R-CNN's region proposal network: anchors, objectness; 256 per image at 0.5,
    /// background below IoU 0.3.
    public static let rpn = DetectionHead(name: "rpn", candidates: .anchors, classificationTermName: "objectness",
                                          defaultBatchSize: 256, defaultPositiveFraction: 0.5, defaultBackgroundThreshold: 0.3)
    /// Faster R-CNN's RoI (box) head: proposals, softmax over K + 1 classes; 128 per image at
    /// 0.25, background below IoU 0.5.
    public static let roi = DetectionHead(name: "roi", candidates: .proposals, defaultBatchSize: 128,
                                          defaultPositiveFraction: 0.25, defaultBackgroundThreshold: 0.5)
    /// RetinaNet's dense head: anchors, K sigmoid logits; background below IoU 0.4 (its
    /// matcher). Sampling strategies other than `focal` take the RPN's budget, 256 per image at
    /// 0.5: it is an anchor head of the same grid.
    public static let retinaNet = DetectionHead(name: "retina", candidates: .anchors, defaultBatchSize: 256,
                                                defaultPositiveFraction: 0.5, defaultBackgroundThreshold: 0.4)

    /// The name (`rpn`, `roi`, `retina`).
    public var description: String { name }
}
