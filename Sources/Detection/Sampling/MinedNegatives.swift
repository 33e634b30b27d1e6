// What a strategy trained on, as negatives, for one image at one head: the record behind the
// comparison report's "What each strategy mines" section (issue 14, item 5).
//
// Legend: N candidates of the image at the head, E extra candidates a stateful strategy
// appended (the buffer's replays at a proposal head), Q negatives the strategy chose (its
// batch negatives plus any separate-pass negatives), k ≤ Q recorded. Boxes (x1, y1, x2, y2) in
// pixels of the tile's un-flipped frame.
import DetectionKernels
import TensorCore

/// One negative a strategy trained on, in the training tile's un-flipped frame.
public struct MinedNegative: Sendable, Codable, Equatable {
    /// The candidate's box (x1, y1, x2, y2), pixels, mirrored back through the image's flips
    /// (`Flip.mirrored`), so that it lies on the tile as stored.
    public var box: [Float]
    /// The anchor's index (y·W + x)·A + a in the un-flipped grid at an anchor head
    /// (`Flip.mirroredAnchorIndex`); nil at a proposal head, or when the mirror image of the
    /// anchor is not on the grid (column 0 of a corner-aligned grid flipped horizontally).
    public var anchorIndex: Int?
    /// The candidate's loss in the step it was chosen (no gradient), as `ohem` ranks by
    /// (`HeadPredictions.candidateLosses`: the head's cross-entropy form; a negative has no box term).
    public var loss: Float
    /// Its highest IoU with the image's ground truth, in [0, 1] (0 without ground truth): the
    /// matcher's by-product, unchanged by flips.
    public var maxIoU: Float
    /// Whether it was a replay of the hard-negative buffer: an extra candidate the strategy
    /// appended at a proposal head, or a separate-pass negative. At an anchor head a replay in
    /// the batch is an anchor like any other and is not told apart.
    public var replayed: Bool

    /// Creates a record.
    /// - Precondition: `box` has 4 values.
    public init(box: [Float], anchorIndex: Int? = nil, loss: Float, maxIoU: Float, replayed: Bool = false) {
        precondition(box.count == 4, "MinedNegative: a box has 4 values, got \(box.count)")
        self.box = box
        self.anchorIndex = anchorIndex
        self.loss = loss
        self.maxIoU = maxIoU
        self.replayed = replayed
    }
}

/// The hardest negatives one strategy trained on for one image at one head, in one step.
///
/// Which negatives: the union of the result's `negatives` and `separatePassNegatives`, ranked
/// by loss (descending; ties by candidate index), the first ``recordedCount`` kept. For `focal`,
/// which keeps every background candidate, this is the top of the focal ranking too: a
/// negative's focal term α·p^γ·(−log(1 − p)) and its cross-entropy −log(1 − p) both rise with
/// its foreground probability p (the objectness at the RPN, 1 − P(background) under the RoI
/// head's softmax, for any K), so they order the negatives alike; only with K > 1 sigmoid
/// classes (RetinaNet) may the sums over classes order them differently. Reference: Shrivastava et al.,
/// arXiv:1604.03540 (the hardest negatives by loss); Lin et al., arXiv:1708.02002.
public struct MinedNegatives: Sendable, Codable, Equatable {
    /// How many negatives are kept per image and head: 20.
    public static let recordedCount = 20

    /// The image's id (the training tile's index).
    public var imageID: Int
    /// The head's name (`rpn`, `roi`, `retina`).
    public var head: String
    /// The training step (0-based) the selection was made in.
    public var step: Int
    /// Q, the number of negatives the strategy chose for the image (batch + separate pass).
    public var selectedCount: Int
    /// The k = min(Q, ``recordedCount``) highest-loss of them, by decreasing loss.
    public var negatives: [MinedNegative]

    /// Creates a record from its parts.
    public init(imageID: Int, head: String, step: Int, selectedCount: Int, negatives: [MinedNegative]) {
        self.imageID = imageID
        self.head = head
        self.step = step
        self.selectedCount = selectedCount
        self.negatives = negatives
    }

    /// Records the hardest negatives of one image's selection.
    /// - Parameters:
    ///   - result: the strategy's selection among the N candidates.
    ///   - candidates: the N matched candidates, boxes in the image's current (flipped) frame.
    ///   - losses: [N] per-candidate losses of the step (no gradient).
    ///   - image: the image (id, size, flips, anchor grid of an anchor head).
    ///   - head: the head.
    ///   - extraCount: E, the candidates a stateful strategy appended (the last E of N).
    ///   - step: the training step.
    ///   - count: how many to keep (``recordedCount`` unless given), ≥ 0.
    /// - Precondition: N losses; every chosen index in 0..<N.
    public init(result: SamplingResult, candidates: MatchedCandidates, losses: [Float], image: SamplingImage,
                head: DetectionHead, extraCount: Int, step: Int, count: Int = MinedNegatives.recordedCount) {
        let n = candidates.count
        precondition(losses.count == n && count >= 0, "MinedNegatives: \(losses.count) losses for \(n) candidates, count \(count)")
        let separate = Set(result.separatePassNegatives)
        let chosen = result.negatives + result.separatePassNegatives
        precondition(chosen.allSatisfy { $0 >= 0 && $0 < n }, "MinedNegatives: a negative index outside 0..<\(n)")
        let ranked = chosen.sorted { losses[$0] != losses[$1] ? losses[$0] > losses[$1] : $0 < $1 }.prefix(count)
        let b = candidates.boxes.scalars
        let width = Float(image.width), height = Float(image.height)
        self.init(imageID: image.id, head: head.name, step: step, selectedCount: chosen.count, negatives: ranked.map { j in
            let box = image.flip.mirrored(SIMD4(b[4 * j], b[4 * j + 1], b[4 * j + 2], b[4 * j + 3]), width: width, height: height)
            var anchor: Int?
            if head.candidates == .anchors, let layout = image.anchorLayout, j < layout.anchorCount {
                anchor = image.flip.mirroredAnchorIndex(j, layout: layout, width: image.width, height: image.height)
            }
            return MinedNegative(box: [box.x, box.y, box.z, box.w], anchorIndex: anchor, loss: losses[j],
                                 maxIoU: candidates.maxIoU[j], replayed: separate.contains(j) || j >= n - extraCount)
        })
    }
}
