// `iou-balanced`: negatives drawn evenly across IoU bins (Libra R-CNN).
//
// Legend: N candidates, P foreground, Q background, b the batch, f the positive fraction,
// t the background threshold, B bins. Positives: min(Int(b·f), P) uniform. Negatives:
// k = min(b − positives, Q); bin j holds background candidates with max IoU in
// [j·t/B, (j+1)·t/B); each bin gives min(⌊k/B⌋, its size) uniform draws; the shortfall is filled
// uniformly from the background candidates not yet drawn (any bin).

/// A strategy that samples positives as `random` and spreads the negatives evenly over IoU bins,
/// so that the rare negatives that overlap an object (the hard ones) are not drowned by the
/// many with IoU ≈ 0 (Libra R-CNN's IoU-balanced sampling).
///
/// Three bins over [0, background threshold) (0.3 RPN, 0.5 RoI head); a background candidate
/// whose max IoU is outside that range (possible only if the labels come from another matcher)
/// counts in the nearest end bin. Draw order (part of the reproducibility contract): positives,
/// then bins from low to high IoU, then the fill. An image with no ground truth has every
/// negative in bin 0, which then also supplies the fill: a uniform draw, as `random`.
/// Reference: Pang et al., "Libra R-CNN: Towards Balanced Learning for Object Detection",
/// CVPR 2019, arXiv:1904.02701, §3.1; mmdetection `IoUBalancedNegSampler` (floor_thr −1), which
/// bins [0, max IoU among the negatives] instead of [0, t) — DESIGN.md fixes t.
public struct IoUBalancedStrategy: SamplingStrategy {
    /// The head this instance samples.
    public var head: DetectionHead
    /// What the batch's classification sum is divided by: `.selectedCount` (DESIGN.md), or
    /// `.positiveCount`. A moving average is focal's alone (it needs state).
    public var normalization: LossNormalization = .selectedCount
    /// What the batch's box sum is divided by: `.selectedCount` (DESIGN.md), or `.positiveCount`.
    public var boxNormalization: LossNormalization = .selectedCount
    /// b, candidates per image in the loss (256 RPN, 128 RoI head), ≥ 0.
    public var batchSize: Int
    /// f in [0, 1], the positive fraction (0.5 RPN, 0.25 RoI head).
    public var positiveFraction: Double
    /// t in (0, 1], the upper end of the binned IoU range (0.3 RPN, 0.5 RoI head).
    public var backgroundThreshold: Float
    /// B ≥ 1, the number of equal-width IoU bins (3).
    public var binCount: Int

    /// `iou-balanced`.
    public var name: String { StrategyKind.iouBalanced.rawValue }
    /// Each candidate's max IoU with the ground truth.
    public var requirements: SamplingRequirements { .maxIoU }

    /// Creates the strategy with the head's defaults unless given (3 bins).
    /// - Precondition: `batchSize >= 0`, `positiveFraction` in [0, 1], `backgroundThreshold` in
    ///   (0, 1], `binCount >= 1`.
    public init(head: DetectionHead, batchSize: Int? = nil, positiveFraction: Double? = nil,
                backgroundThreshold: Float? = nil, binCount: Int = 3) {
        self.head = head
        self.batchSize = batchSize ?? head.defaultBatchSize
        self.positiveFraction = positiveFraction ?? head.defaultPositiveFraction
        self.backgroundThreshold = backgroundThreshold ?? head.defaultBackgroundThreshold
        self.binCount = binCount
        precondition(self.batchSize >= 0 && self.positiveFraction >= 0 && self.positiveFraction <= 1,
                     "IoUBalancedStrategy: need batchSize >= 0 and positiveFraction in [0, 1], got \(self.batchSize), \(self.positiveFraction)")
        precondition(self.backgroundThreshold > 0 && self.backgroundThreshold <= 1 && binCount >= 1,
                     "IoUBalancedStrategy: need backgroundThreshold in (0, 1] and binCount >= 1, got \(self.backgroundThreshold), \(binCount)")
    }

    /// The bin of a background candidate with max IoU `iou`: ⌊iou·B/t⌋ clamped to 0 ..< B.
    public func bin(ofIoU iou: Float) -> Int {
        let scaled = iou * Float(binCount) / backgroundThreshold
        guard scaled >= 0 else { return 0 }  // also NaN → bin 0
        return scaled < Float(binCount) ? Int(scaled) : binCount - 1
    }

    /// Draws uniform positives and IoU-balanced negatives.
    /// - Parameters:
    ///   - input: [N] labels, [N] max IoU.
    ///   - generator: the random source.
    /// - Returns: the selection, cross-entropy, normalised by the number selected.
    public mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        input.validate(requirements, by: name)
        let labels = input.labels, maxIoU = input.maxIoU!
        let available = SamplingPools.counts(labels)
        let positiveCount = min(Int(Double(batchSize) * positiveFraction), available.positives)
        let positives = SamplingPools.randomPositives(labels, count: positiveCount, using: &generator)
        let wanted = min(batchSize - positiveCount, available.negatives)

        var bins = [[Int]](repeating: [], count: binCount)
        for i in labels.indices where labels[i] == 0 { bins[bin(ofIoU: maxIoU[i])].append(i) }
        let perBin = wanted / binCount
        var negatives: [Int] = []
        negatives.reserveCapacity(wanted)
        for members in bins {
            negatives += SamplingPools.uniformSubset(of: members, count: perBin, using: &generator)
        }
        if negatives.count < wanted {
            // The fill: background candidates not drawn yet, in index order, then a uniform draw.
            var taken = [Bool](repeating: false, count: labels.count)
            for i in negatives { taken[i] = true }
            let rest = labels.indices.filter { labels[$0] == 0 && !taken[$0] }
            negatives += SamplingPools.uniformSubset(of: rest, count: wanted - negatives.count, using: &generator)
        }
        negatives.sort()
        return SamplingResult(candidateCount: input.candidateCount, positives: positives, negatives: negatives,
                              normalization: normalization, boxNormalization: boxNormalization,
                              statistics: MiningStatistics(selectionOf: input, positives: positives, negatives: negatives))
    }
}
