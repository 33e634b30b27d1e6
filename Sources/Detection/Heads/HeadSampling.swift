// Legend: B images in the batch, N candidates of one image at the head, E extra candidates a
// stateful strategy appends, S separate-pass negatives pooled over the batch.
//
// The one function that runs a sampling strategy over any head (DESIGN.md "Sampling
// strategies"), for images 0, 1, … in order:
//   1. a stateful strategy's extra candidates for the image (the buffer's replays; none at an
//      anchor head), appended after the head's own;
//   2. the head matches the candidates;
//   3. what the strategy's requirements name — per-candidate losses, foreground probabilities —
//      from the head's predictions without gradient (computed once, only when asked for; max IoU
//      comes with matching and is always passed);
//   4. the strategy samples.
// Then the strategy gives the batch's divisors (once per step: a moving-average normaliser is
// updated here) and the head evaluates its loss over the pooled selections, with the results'
// classification loss and those divisors, and — when a result carries separate-pass negatives (the
// hard-negative buffer's `.separatePass` mode) — adds the pass of their own:
//
//   L_sep = (1 / S) · Σ_{i ∈ separate pass} ℓ(x_i, background)
//
// with ℓ the head's classification loss, S the pass's own count over the batch (the seed's,
// `SeparatePassDivisor.own`) or the batch's classification divisor (`.batch`, issue 14: each
// replay then weighs what an in-batch negative weighs). Gradients of a sum are the
// sum of the gradients, so one backward of L_batch + L_sep leaves in every parameter what a
// backward of L_batch followed, before the optimiser step, by a forward/backward of L_sep alone
// would have accumulated: the same update as the seed's extra pass.
import Autograd
import TensorCore

/// A head's loss terms for one step, with its strategy's mining statistics.
public struct SampledHeadLoss {
    /// The head the loss belongs to.
    public var head: DetectionHead
    /// The classification and box terms (scalars with gradient); the classification term
    /// includes the separate pass when there was one.
    public var loss: HeadLoss
    /// The strategy's statistics, merged over the batch's images.
    public var mining: MiningStatistics
    /// The batch's terms alone, divided by the strategy's divisors (for the built-in counts,
    /// max(1, ``normalizerCount``) and max(1, ``boxNormalizerCount``)); ``loss`` without the
    /// separate pass.
    public var batchLoss: HeadLoss
    /// The separate pass's classification term, divided by max(1, ``separatePassCount``); nil
    /// when the batch had no separate-pass negatives.
    public var separatePass: Variable?
    /// The count behind the batch's classification divisor, before max(1, ·): selected
    /// candidates (or selected positives) summed over the batch's images, as the results'
    /// `normalization` says (for a moving average, the batch's positives it takes in).
    public var normalizerCount: Int
    /// The count behind the batch's box divisor, before max(1, ·), as the results'
    /// `boxNormalization` says.
    public var boxNormalizerCount: Int
    /// The separate-pass negatives summed over the batch's images (their pass's normaliser
    /// before max(1, ·) under `.own`); 0 without a separate pass.
    public var separatePassCount: Int
    /// What ``separatePass`` was divided by: max(1, ``separatePassCount``) (`.own`) or the
    /// batch's classification divisor (`.batch`).
    public var separatePassDivisor: SeparatePassDivisor = .own
    /// The hardest negatives chosen for each image that asked for them
    /// (``SamplingImage/recordsMinedNegatives``), in batch order; empty otherwise.
    public var minedNegatives: [MinedNegatives] = []

    /// Creates the record of a head without a separate pass whose normaliser is unknown
    /// (``normalizerCount`` 0).
    public init(head: DetectionHead, loss: HeadLoss, mining: MiningStatistics) {
        self.init(head: head, batchLoss: loss, separatePass: nil, normalizerCount: 0, boxNormalizerCount: 0, separatePassCount: 0,
                  mining: mining)
    }

    /// Creates the record from its parts; ``loss`` is `batchLoss` with `separatePass` added to
    /// its classification term.
    /// - Parameters:
    ///   - batchLoss: the batch's terms, divided by the strategy's divisors.
    ///   - separatePass: the separate pass's term, divided by max(1, `separatePassCount`), or nil.
    ///   - normalizerCount: the classification divisor's count, ≥ 0.
    ///   - boxNormalizerCount: the box divisor's count, ≥ 0.
    ///   - separatePassCount: the separate pass's count, ≥ 0.
    ///   - mining: the strategy's statistics over the batch.
    public init(head: DetectionHead, batchLoss: HeadLoss, separatePass: Variable?, normalizerCount: Int,
                boxNormalizerCount: Int, separatePassCount: Int, mining: MiningStatistics) {
        self.head = head
        self.batchLoss = batchLoss
        self.separatePass = separatePass
        self.normalizerCount = normalizerCount
        self.boxNormalizerCount = boxNormalizerCount
        self.separatePassCount = separatePassCount
        self.mining = mining
        var loss = batchLoss
        if let separatePass { loss.classification = loss.classification + separatePass }
        self.loss = loss
    }
}

extension TrainingHead {
    /// Runs a sampling strategy over this head for every image of the batch and evaluates the
    /// head's loss on what it chose.
    ///
    /// Per image, in order: the extra candidates of a ``StatefulSamplingStrategy``, matching,
    /// the predictions the strategy's ``SamplingStrategy/requirements`` name (without gradient,
    /// at most once), ``SamplingStrategy/sample(_:using:)``; then the loss over the pooled
    /// selections with the results' loss kind and the strategy's divisors
    /// (``SamplingStrategy/lossDivisors(for:)``, called once per call: the total number selected,
    /// max(1, positives), or focal's moving average of that count), plus the separate pass of any
    /// separate-pass negatives.
    /// An image without an anchor layout gets the head's. An image that records its mined
    /// negatives (``SamplingImage/recordsMinedNegatives``) gets its per-candidate losses computed
    /// even when the strategy needs none, after it has sampled (so its selection is unchanged).
    /// - Parameters:
    ///   - strategy: the head's strategy, kept across steps by the caller (its state, e.g. the
    ///     hard-negative buffer, lives in it).
    ///   - images: B image descriptions (id = the training tile's index, size, flips).
    ///   - progress: the current step and steps per epoch (for the buffer's expiry).
    ///   - generator: the random source of every selection.
    /// - Returns: the head's two loss terms and the batch's mining statistics.
    /// - Precondition: B images; the strategy serves this head; every result names the same
    ///   loss and normaliser; separate-pass negatives are background, in range and not selected.
    public func sampledLoss(strategy: inout any SamplingStrategy, images: [SamplingImage], progress: TrainingProgress,
                            using generator: inout some RandomNumberGenerator) -> SampledHeadLoss {
        precondition(images.count == imageCount, "sampledLoss: \(images.count) sampling images for \(imageCount) images at the \(head) head")
        precondition(strategy.head == head, "sampledLoss: a strategy for the \(strategy.head) head given to the \(head) head")
        let needs = strategy.requirements
        var candidateSets: [MatchedCandidates] = [], results: [SamplingResult] = []
        var mining = MiningStatistics()
        var mined: [MinedNegatives] = []
        for index in 0..<imageCount {
            var image = images[index]
            var extra: Tensor?
            if var stateful = strategy as? any StatefulSamplingStrategy {
                extra = stateful.extraCandidates(for: image, progress: progress)
                strategy = stateful
            }
            let candidates = candidates(ofImage: index, appending: extra)
            if image.anchorLayout == nil { image.anchorLayout = anchorLayout }
            var losses: [Float]?, probabilities: [Float]?
            if needs.contains(.candidateLosses) || needs.contains(.foregroundProbabilities) {
                let predictions = predictions(ofImage: index, for: candidates)
                if needs.contains(.candidateLosses) { losses = predictions.candidateLosses(for: candidates, beta: boxLossBeta) }
                if needs.contains(.foregroundProbabilities) { probabilities = predictions.foregroundProbabilities() }
            }
            let input = SamplingInput(candidates: candidates, image: image, progress: progress, losses: losses,
                                      foregroundProbabilities: probabilities)
            // Data-parallel training draws each image's selections from the image's own stream,
            // so that they do not depend on which rank trains which image.
            (generator as? ImageRandomStreams)?.select(image: index)
            let result = strategy.sample(input, using: &generator)
            if image.recordsMinedNegatives {
                let recorded = losses ?? predictions(ofImage: index, for: candidates).candidateLosses(for: candidates, beta: boxLossBeta)
                mined.append(MinedNegatives(result: result, candidates: candidates, losses: recorded, image: image, head: head,
                                            extraCount: extra?.shape[0] ?? 0, step: progress.step))
            }
            mining.merge(result.statistics)
            candidateSets.append(candidates)
            results.append(result)
        }
        let kind = Self.sharedRule(of: results, head: head).0
        // Once per step and head, after every image: a moving-average normaliser (focal's
        // `positives-ema`) takes in this batch's count here.
        let divisors = strategy.lossDivisors(for: results)
        let loss = loss(over: candidateSets, selections: results.map(\.selection), kind: kind, divisors: divisors)
        // The counts behind the batch divisors (data-parallel training sums them over the ranks).
        let count = results.first.map { first in results.reduce(0) { $0 + $1.count(for: first.normalization) } } ?? 0
        let boxCount = results.first.map { first in results.reduce(0) { $0 + $1.count(for: first.boxNormalization) } } ?? 0
        var separatePass: Variable?, separateCount = 0
        if let separate = Self.separatePassSelections(results, candidates: candidateSets, head: head) {
            // Every index is background: the box term is 0 and the classification target is 0.
            separatePass = switch results[0].separatePassDivisor {
            case .own: self.loss(over: candidateSets, selections: separate, kind: kind, normalization: .selectedCount).classification
            case .batch: self.loss(over: candidateSets, selections: separate, kind: kind, divisors: divisors).classification
            }
            separateCount = separate.reduce(0) { $0 + $1.indices.count }
        }
        var sampled = SampledHeadLoss(head: head, batchLoss: loss, separatePass: separatePass, normalizerCount: count,
                                      boxNormalizerCount: boxCount, separatePassCount: separateCount, mining: mining)
        sampled.separatePassDivisor = results.first?.separatePassDivisor ?? .own
        sampled.minedNegatives = mined
        return sampled
    }

    /// The loss kind and normaliser shared by a head's results (CE over the number selected for
    /// an empty batch).
    /// - Precondition: every result agrees.
    static func sharedRule(of results: [SamplingResult], head: DetectionHead) -> (ClassificationLossKind, LossNormalization) {
        guard let first = results.first else { return (.crossEntropy, .selectedCount) }
        precondition(results.allSatisfy { $0.classificationLoss == first.classificationLoss && $0.normalization == first.normalization
                                              && $0.boxNormalization == first.boxNormalization },
                     "sampledLoss: the \(head) head's images disagree on the classification loss or normalisers: \(results.map { ($0.classificationLoss, $0.normalization, $0.boxNormalization) })")
        return (first.classificationLoss, first.normalization)
    }

    /// The results' separate-pass negatives as selections (normalised by their own total count),
    /// or nil when there are none in the batch.
    /// - Precondition: every separate-pass index in range, background (label 0) and not in its
    ///   image's selection.
    static func separatePassSelections(_ results: [SamplingResult], candidates: [MatchedCandidates],
                                       head: DetectionHead) -> [CandidateSelection]? {
        guard results.contains(where: { !$0.separatePassNegatives.isEmpty }) else { return nil }
        for (image, (result, matched)) in zip(results, candidates).enumerated() where !result.separatePassNegatives.isEmpty {
            let selected = Set(result.positives + result.negatives)
            for j in result.separatePassNegatives {
                precondition(j >= 0 && j < matched.count && matched.labels[j] == 0,
                             "sampledLoss: \(head) head, image \(image): separate-pass negative \(j) is not a background candidate of \(matched.count) (label \(j >= 0 && j < matched.count ? String(matched.labels[j]) : "out of range"))")
                precondition(!selected.contains(j),
                             "sampledLoss: \(head) head, image \(image): separate-pass negative \(j) is also in the batch selection")
            }
        }
        return results.map { CandidateSelection(indices: $0.separatePassNegatives) }
    }
}
