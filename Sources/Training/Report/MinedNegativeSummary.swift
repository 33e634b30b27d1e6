// The report's "What each strategy mines" table (issue 14, item 5): for one strategy and head,
// where its hardest negatives lie relative to the ground truth, and whether the final `random`
// model of the same seed takes them for objects.
//
// Legend: T recorded tiles, n ≤ 20·T recorded negatives (the top by loss per tile,
// `MinedNegatives`); IoU is each negative's highest IoU with the tile's ground truth.
import Detection

/// The mined negatives of one strategy at one head, binned by IoU with the nearest ground truth
/// and by the reference (`random`) model's foreground probability.
///
/// Bins: IoU < 0.1 (pure background), 0.1 ≤ IoU < 0.3, 0.3 ≤ IoU < 0.5 (near misses), ≥ 0.5
/// (not a negative at any built-in head; counted so that the bins add up to n). A negative
/// "looks like an object" when the reference model's foreground probability is ≥ 0.5
/// (``objectScoreThreshold``, the score `detections-<strategy>.png` draws at). At the RPN, whose
/// background is IoU < 0.3 (Ren et al., arXiv:1506.01497), the bins from 0.3 up are empty by
/// construction; at the RoI head (background < 0.5) and RetinaNet (< 0.4) they are not.
public struct MinedNegativeSummary: Sendable, Equatable, Codable {
    /// The foreground probability from which a negative "looks like an object": 0.5.
    public static let objectScoreThreshold: Float = 0.5
    /// The IoU bin edges: 0.1, 0.3, 0.5.
    public static let binEdges: [Float] = [0.1, 0.3, 0.5]

    /// The entry's name (`ohem`).
    public var strategy: String
    /// The head's name (`rpn`, `roi`, `retina`).
    public var head: String
    /// T, the tiles recorded.
    public var tiles: Int
    /// n, the negatives recorded (the top by loss of each tile).
    public var negatives: Int
    /// The negatives the strategy chose on those tiles in the recorded steps, all of them.
    public var selected: Int
    /// Negatives per IoU bin: [< 0.1, 0.1–0.3, 0.3–0.5, ≥ 0.5]; they add up to ``negatives``.
    public var iouBins: [Int]
    /// How many the reference model scored (0 without one; anchors without an index are not scored).
    public var scored: Int
    /// Of those, how many it scores ≥ ``objectScoreThreshold``.
    public var objectLike: Int
    /// Of those, how many lie at IoU < 0.1: an object-like region far from every annotation — a
    /// candidate unannotated object.
    public var objectLikeBackground: Int
    /// How many were replays of the hard-negative buffer (``MinedNegative/replayed``).
    public var replayed: Int
    /// The mean of their losses.
    public var meanLoss: Double
    /// The reference model's entry name (`random`), or nil without one.
    public var reference: String?
    /// The pictures of this strategy and head (file names in the report folder).
    public var pictures: [String]
    /// For scale, at a proposal head: how many ground-truth boxes of the recorded tiles the
    /// reference model scored (each given as a proposal), and how many of them at ≥
    /// ``objectScoreThreshold``; 0 and 0 at an anchor head or without a reference.
    public var groundTruthScored = 0, groundTruthObjectLike = 0

    /// Summarises one strategy's records at one head.
    /// - Parameters:
    ///   - strategy: the entry's name.
    ///   - head: the head's name; records of other heads are skipped.
    ///   - records: the run's records (one per tile and head).
    ///   - scores: per record of `head`, in order, the reference model's probability of each of its
    ///     negatives (nil entries not scored); nil without a reference model.
    ///   - reference: the reference entry's name.
    ///   - pictures: the pictures' file names.
    /// - Precondition: `scores`, if given, matches the records of `head` negative for negative.
    public init(strategy: String, head: String, records: [MinedNegatives], scores: [[Float?]]?, reference: String?,
                pictures: [String] = []) {
        let mine = records.filter { $0.head == head }
        precondition(scores == nil || (scores!.count == mine.count && zip(scores!, mine).allSatisfy { $0.count == $1.negatives.count }),
                     "MinedNegativeSummary: scores do not match the \(head) records")
        self.strategy = strategy
        self.head = head
        self.reference = scores == nil ? nil : reference
        self.pictures = pictures
        tiles = mine.count
        let all = mine.flatMap(\.negatives)
        negatives = all.count
        selected = mine.reduce(0) { $0 + $1.selectedCount }
        iouBins = [0, 0, 0, 0]
        for n in all { iouBins[Self.bin(of: n.maxIoU)] += 1 }
        replayed = all.count { $0.replayed }
        meanLoss = all.isEmpty ? 0 : all.reduce(0.0) { $0 + Double($1.loss) } / Double(all.count)
        var scored = 0, objectLike = 0, objectLikeBackground = 0
        for (n, score) in zip(all, (scores ?? []).flatMap { $0 }) {
            guard let score else { continue }
            scored += 1
            if score >= Self.objectScoreThreshold {
                objectLike += 1
                if n.maxIoU < Self.binEdges[0] { objectLikeBackground += 1 }
            }
        }
        self.scored = scored
        self.objectLike = objectLike
        self.objectLikeBackground = objectLikeBackground
    }

    /// results.json's keys, snake_case like the rest of the file.
    enum CodingKeys: String, CodingKey {
        case strategy, head, tiles, negatives, selected, scored, replayed, reference, pictures
        case iouBins = "iou_bins", objectLike = "object_like", objectLikeBackground = "object_like_background"
        case meanLoss = "mean_loss", groundTruthScored = "ground_truth_scored", groundTruthObjectLike = "ground_truth_object_like"
    }

    /// The bin of an IoU: 0 for < 0.1, 1 for [0.1, 0.3), 2 for [0.3, 0.5), 3 for ≥ 0.5.
    public static func bin(of iou: Float) -> Int {
        binEdges.firstIndex { iou < $0 } ?? binEdges.count
    }
}

// MARK: - Report text

extension ComparisonReport {
    /// The "What each strategy mines" table: per strategy and head, the recorded negatives by IoU
    /// bin (count and share), how many the reference model takes for objects, and the pictures.
    public func minedNegativesTable() -> String {
        func share(_ count: Int, of total: Int) -> String {
            total == 0 ? "0" : "\(count) (\(format(100 * Double(count) / Double(total), 0))%)"
        }
        var s = "| strategy | head | tiles | negatives (of chosen) | IoU < 0.1 | 0.1–0.3 | 0.3–0.5 | score ≥ 0.5 | … and IoU < 0.1 "
        s += "| replayed | mean loss | pictures |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for m in minedNegatives {
            let scoredText = m.reference == nil || m.scored == 0 ? "—" : share(m.objectLike, of: m.scored)
            let backgroundText = m.reference == nil || m.scored == 0 ? "—" : share(m.objectLikeBackground, of: m.scored)
            let pictures = m.pictures.map { "[\($0)](\($0))" }.joined(separator: ", ")
            s += "| \(m.strategy) | \(m.head) | \(m.tiles) | \(m.negatives) (of \(m.selected)) | \(share(m.iouBins[0], of: m.negatives)) "
            s += "| \(share(m.iouBins[1], of: m.negatives)) | \(share(m.iouBins[2], of: m.negatives)) | \(scoredText) | \(backgroundText) "
            s += "| \(m.replayed) | \(format(m.meanLoss, 3)) | \(pictures.isEmpty ? "—" : pictures) |\n"
        }
        return s
    }

    /// The section's Markdown: what was recorded, the table, and how to read it.
    func minedNegativesSection() -> String {
        guard !minedNegatives.isEmpty else { return "" }
        let reference = minedNegatives.compactMap(\.reference).first
        var s = "## What each strategy mines\n\n"
        s += "For the first seed of each strategy, the \(MinedNegatives.recordedCount) highest-loss negatives it trained on "
        s += "(batch and separate-pass negatives, buffer replays included) for each of the first \(MinedNegativeRecording.tileCount) "
        s += "training tiles at its last visit in the final two epochs of iterations, with each one's IoU with the nearest ground "
        s += "truth. At the RPN, background is IoU < 0.3, so its 0.3–0.5 bin is empty by construction. "
        if let reference {
            s += "\"score ≥ 0.5\": the final `\(reference)` model of the same seed gives the negative a foreground probability ≥ 0.5 "
            s += "(RPN: the anchor's objectness; RoI head: 1 − P(background) of the box as a proposal) — it looks like an object to "
            s += "that model; \"… and IoU < 0.1\" counts those far from every annotation, candidate unannotated objects.\n\n"
        } else {
            s += "No `random` entry was compared, so no negative is scored (\"—\").\n\n"
        }
        s += minedNegativesTable() + "\n"
        // Once per head and reference (the same model and tiles for every strategy): how strict 0.5 is.
        var stated: Set<String> = []
        for m in minedNegatives where m.groundTruthScored > 0 && stated.insert("\(m.head) \(m.reference ?? "")").inserted {
            s += "For scale, at the \(m.head) head the `\(m.reference ?? "")` model scores \(m.groundTruthObjectLike) of the "
            s += "\(m.groundTruthScored) ground-truth boxes of the recorded tiles ≥ 0.5 (each given as a proposal).\n\n"
        }
        s += "Pictures (`mined-<strategy>-<head>-tile-<i>.png`): the tile as stored (un-flipped), its ground truth in yellow, the "
        s += "recorded negatives in red (buffer replays in magenta), the \(MinedNegativePictures.drawnCount) highest-loss drawn.\n\n"
        return s
    }
}
