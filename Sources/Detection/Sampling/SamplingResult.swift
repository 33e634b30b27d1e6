// What a strategy returns for one image at one head.
//
// Legend: N candidates; P selected positives, Q selected negatives.
// Losses over a batch (DESIGN.md "Precise choices"): the selected candidates of all images are
// pooled and the sum is divided by the batch normaliser — the total number selected, max(1,
// total positives), or a moving average of that count the strategy keeps — so the record keeps
// the per-image count, not a quotient. The classification and box terms each have their own.

/// The selection of one strategy for one image at one head.
public struct SamplingResult: Sendable, Equatable {
    /// N, the number of candidates the strategy saw.
    public var candidateCount: Int
    /// [P] selected positive candidate indices (label > 0), ascending, distinct.
    public var positives: [Int]
    /// [Q] selected negative candidate indices (label 0), ascending, distinct, disjoint from
    /// `positives`.
    public var negatives: [Int]
    /// [N] per-candidate loss weights, or nil when every selected candidate weighs 1 (all
    /// built-in strategies). Unselected candidates must weigh 0.
    public var weights: [Float]?
    /// The classification loss the selection is trained with.
    public var classificationLoss: ClassificationLossKind
    /// How the batch's classification loss is normalised.
    public var normalization: LossNormalization
    /// How the batch's box loss is normalised (`.selectedCount` unless a strategy's parameter
    /// says otherwise: the box term is the same for every strategy given the same selection).
    public var boxNormalization: LossNormalization
    /// Background candidates for a separate forward/backward pass (the hard-negative buffer's
    /// separate-pass mode), ascending; empty otherwise. Not part of `negatives` nor of the
    /// normaliser: the detector trains them at their head with the background target, divided
    /// as ``separatePassDivisor`` says, and adds that to the head's classification term.
    public var separatePassNegatives: [Int]
    /// b, the strategy's budget per image (candidates a full batch selects), which the
    /// ``LossNormalization/budget`` normaliser counts; 0 when the strategy sets none.
    public var budget: Int
    /// What the separate pass's classification sum is divided by (`.own` unless the
    /// strategy says otherwise).
    public var separatePassDivisor: SeparatePassDivisor
    /// Counters for logging (selection sizes, losses, buffer activity).
    public var statistics: MiningStatistics

    /// Creates a result.
    /// - Precondition: `weights`, if given, has `candidateCount` elements; `budget` ≥ 1 when
    ///   either normalisation is ``LossNormalization/budget``.
    public init(candidateCount: Int, positives: [Int], negatives: [Int], weights: [Float]? = nil,
                classificationLoss: ClassificationLossKind = .crossEntropy,
                normalization: LossNormalization = .selectedCount, boxNormalization: LossNormalization = .selectedCount,
                separatePassNegatives: [Int] = [], separatePassDivisor: SeparatePassDivisor = .own,
                budget: Int = 0, statistics: MiningStatistics = MiningStatistics()) {
        precondition(weights == nil || weights!.count == candidateCount,
                     "SamplingResult: weights [\(weights!.count)] but \(candidateCount) candidates")
        self.candidateCount = candidateCount
        self.positives = positives
        self.negatives = negatives
        self.weights = weights
        self.classificationLoss = classificationLoss
        self.normalization = normalization
        self.boxNormalization = boxNormalization
        precondition(budget >= 1 || (normalization != .budget && boxNormalization != .budget),
                     "SamplingResult: the budget normaliser needs a budget >= 1, got \(budget)")
        self.separatePassNegatives = separatePassNegatives
        self.budget = budget
        self.separatePassDivisor = separatePassDivisor
        self.statistics = statistics
    }

    /// The number of selected candidates, positives + negatives.
    public var selectedCount: Int { positives.count + negatives.count }

    /// This image's contribution to the batch's classification normaliser: `selectedCount`, or
    /// the number of positives under ``LossNormalization/positiveCount`` and
    /// ``LossNormalization/positiveCountAverage`` (the count the average takes in).
    public var normalizerCount: Int { count(for: normalization) }

    /// This image's contribution to the count a normalisation divides by: `selectedCount`, the
    /// number of positives, or ``budget``.
    public func count(for normalization: LossNormalization) -> Int {
        switch normalization {
        case .selectedCount: selectedCount
        case .positiveCount, .positiveCountAverage: positives.count
        case .budget: budget
        }
    }

    /// The normaliser for a batch of this image alone: max(1, ``normalizerCount``).
    public var normalizer: Float { Float(max(1, normalizerCount)) }

    /// Returns [N] weights: ``weights`` if set, else 1 for selected candidates and 0 for the rest
    /// (the `weights:` argument of the loss kernels).
    public func candidateWeights() -> [Float] {
        if let weights { return weights }
        var mask = [Float](repeating: 0, count: candidateCount)
        for i in positives { mask[i] = 1 }
        for i in negatives { mask[i] = 1 }
        return mask
    }

    /// Returns the batch normaliser: max(1, Σ normalizerCount) over the images of one head.
    ///
    /// DESIGN.md pools the selected candidates of both images of a batch, so the divisor is the
    /// batch total, not a per-image mean; max(1, ·) keeps an empty batch finite (loss 0).
    /// - Parameter results: the results of every image of the batch at one head.
    /// - Returns: the divisor of the summed loss, ≥ 1.
    public static func batchNormalizer(_ results: some Sequence<SamplingResult>) -> Float {
        Float(max(1, results.reduce(0) { $0 + $1.normalizerCount }))
    }

    /// Returns max(1, Σ count) over the images of one head, each image counted by `normalization`
    /// (selected candidates, or positives — also for `.positiveCountAverage`, whose average
    /// takes this count in).
    /// - Parameters:
    ///   - results: the results of every image of the batch at one head.
    ///   - normalization: what to count.
    /// - Returns: the batch count, ≥ 1.
    public static func batchCount(_ results: some Sequence<SamplingResult>, _ normalization: LossNormalization) -> Float {
        Float(max(1, results.reduce(0) { $0 + $1.count(for: normalization) }))
    }
}

// MARK: - Loss evaluation

extension SamplingResult {
    /// The selection as the loss evaluation takes it (`TrainingHead.loss(over:selections:kind:normalization:)`):
    /// positives then negatives, with per-index weights when ``weights`` is set.
    /// Separate-pass negatives are not included.
    public var selection: CandidateSelection {
        let indices = positives + negatives
        return CandidateSelection(indices: indices, weights: weights.map { w in indices.map { w[$0] } })
    }
}

