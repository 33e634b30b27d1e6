// `hard-negative-buffer`: `random`, plus replay of an image's past confident false positives.
//
// Legend: N candidates, P foreground / Q background among them, b the batch, f the positive
// fraction, ρ the replay fraction; positives p = min(Int(b·f), P), negative budget n_b = b − p.
// One visit of an image at one head:
//   1. expire entries older than `expiryEpochs` epochs (whole buffer);
//   2. take the image's entries out; mirror them into the current frame; keep those whose
//      candidate is background now; the best min(⌊ρ·n_b⌋, those) are replayed: forced negatives
//      at an anchor head (RPN, RetinaNet), or — through `extraCandidates` before a proposal
//      head (the RoI head) is matched — up to ⌊ρ·b⌋ (64) extra proposals appended last, of which
//      the background ones are forced at `sample`;
//   3. the rest of the batch is `random`: p uniform positives and min(n_b − F, Q − F) uniform
//      negatives among those not forced;
//   4. this pass's hard negatives — label background, max IoU below the background threshold,
//      foreground probability > 0.5, over all N — are stored in the un-flipped frame.
// Separate-pass mode (`hard-negative-buffer-separate`): the F replays are not forced into the
// batch but returned in `separatePassNegatives`; the batch is p positives and min(n_b, Q − F)
// uniform negatives among the others, and the detector trains the F in a pass of their own.
// That is the seed's visit (`rescore=false`): the image's entries are taken out and what is
// not replayed is lost. With `rescore=true` (issue 14) a visit reads the entries in place,
// scores them again in this pass and keeps them across visits — see
// HardNegativeBufferStrategy+Rescoring.swift. The mining rule of step 4 is `mining`: above the
// score threshold, or the image's top q background candidates by foreground probability.
// Bootstrapping (`hard-negative-bootstrap`, ``miningInterval`` set): step 4 never happens in a
// training visit, only in the mining rounds (HardNegativeBufferStrategy+MiningRounds.swift).

import TensorCore

/// A strategy that samples as `random` but fills up to half of the negative budget with the
/// image's hard negatives remembered from earlier visits (DESIGN.md's seed design, done right).
///
/// A hard negative is a confident false positive: matched as background by IoU against the
/// ground truth and predicted foreground with probability above ``scoreThreshold``. The
/// per-head ``buffer`` keeps the ``HardNegativeBuffer/capacity`` highest-scoring ones (1,000;
/// a full buffer evicts its lowest score in O(log K)), records image id, anchor index (RPN) or box
/// (RoI head), score and step, and drops entries older than ``expiryEpochs`` epochs (2). Entries
/// are stored in the un-flipped frame and mirrored exactly through the image's flips (see
/// `Flip`); an anchor whose mirror image is not on the grid is not replayed. Options: a
/// per-image quota on the entries one visit stores (DESIGN.md measured that a shared buffer
/// evicts most of a tile's entries before its next visit), and a separate-pass mode that
/// returns the replayed negatives in ``SamplingResult/separatePassNegatives`` instead of the
/// batch, which `TrainingHead.sampledLoss(strategy:images:progress:using:)` trains in a pass of their own
/// (``ReplayMode/separatePass``). Needs the foreground probability of every candidate (at the
/// RoI head: a read-only pass over every proposal). An image without ground truth, or without any background, works:
/// nothing to replay or mine is not an error. With an empty buffer the selection equals
/// `random`'s for the same generator state. Those are the seed's rules, and this initialiser's
/// defaults; issue 14's — rank mining (``mining``), a per-image quota with an unbounded buffer,
/// visits that re-score the entries in place and keep the still-hard ones across visits
/// (``rescore``), RoI duplicates (``duplicateIoU``), the separate pass over the batch's divisor
/// (``separatePassDivisor``) — are the configured defaults (`SamplingParameters(head:)`; see
/// HardNegativeBufferStrategy+Rescoring.swift). With ``miningInterval`` set it is
/// `hard-negative-bootstrap`: the same replay, its entries stored only by mining rounds over
/// every training image (``MiningRoundStrategy``).
/// Reference: DESIGN.md "The hard-negative buffer"; the replayed-negatives idea follows hard
/// negative mining with a cache of past false positives (Felzenszwalb et al., "Object Detection
/// with Discriminatively Trained Part-Based Models", TPAMI 2010, §4.5).
public struct HardNegativeBufferStrategy: StatefulSamplingStrategy {
    /// Where the replayed negatives go.
    public enum ReplayMode: Sendable, Hashable {
        /// Forced into this pass's negatives, counted in the batch normaliser (the default;
        /// `hard-negative-buffer`).
        case inBatch
        /// Returned apart in ``SamplingResult/separatePassNegatives`` (the batch is pure
        /// `random`): the detector trains them in a pass of their own, the classification loss
        /// against background divided by their own count over the batch, added to the head's
        /// classification term — the same update as an extra forward/backward on them only
        /// (the seed's form; `hard-negative-buffer-separate`).
        case separatePass
    }

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
    /// Max IoU below which a candidate is background (0.3 RPN, 0.5 RoI head), checked when the
    /// input carries max IoU (the label must be background in any case).
    public var backgroundThreshold: Float
    /// A background candidate is hard when its foreground probability exceeds this (0.5).
    public var scoreThreshold: Float
    /// ρ in [0, 1]: replays fill at most ⌊ρ · negative budget⌋ of the negatives (0.5).
    public var replayFraction: Double
    /// The most extra proposals one RoI-head visit returns (⌊ρ·b⌋ = 64 by default).
    public var maxExtraProposals: Int
    /// Entries expire once `expiryEpochs · stepsPerEpoch` steps old (2); nil: never.
    public var expiryEpochs: Int?
    /// q, the most entries one visit stores per image (its highest scores, ties by lower index);
    /// with ``rescore``, the most entries an image holds after its visit. nil: no quota
    /// (DESIGN.md's shared buffer).
    public var perImageQuota: Int?
    /// Which background candidates are hard (`.threshold`, the seed's; `.rank` needs a quota).
    public var mining: HardNegativeMining
    /// Whether a visit scores the image's entries again and keeps those still hard across
    /// visits (issue 14), instead of taking every entry out (the seed's visit).
    public var rescore: Bool
    /// IoU with a current proposal at or above which a replayed box is a duplicate, dropped from
    /// the replay and the buffer (proposal heads, re-scoring visits; nil: no check).
    public var duplicateIoU: Float?
    /// What the separate pass's classification sum is divided by (separate-pass mode).
    public var separatePassDivisor: SeparatePassDivisor
    /// Where replayed negatives go.
    public var replayMode: ReplayMode
    /// N, the iterations between mining rounds (`hard-negative-bootstrap`): training visits then
    /// replay and (with ``rescore``) re-score entries but store none, and only mining rounds
    /// (``MiningRoundStrategy``) fill the buffer. nil: every training visit mines (the buffer).
    public var miningInterval: Int?
    /// Whether a mining round is under way (between ``beginMiningRound()`` and
    /// ``endMiningRound()``): `sample` then only mines and selects nothing.
    var isMiningRound = false
    /// The buffer of this head's hard negatives.
    public internal(set) var buffer: HardNegativeBuffer
    /// Extra proposals handed out per image id, awaiting that image's `sample` call.
    var pendingReplays: [Int: PendingReplay] = [:]
    /// The step's starting buffer and recorded visits during a data-parallel step
    /// (`beginSharedStep()`); nil otherwise, when visits insert at once.
    var sharedStep: HardNegativeSharedStep?

    /// `hard-negative-buffer` (in-batch replay) or `hard-negative-buffer-separate` (separate pass),
    /// the ``StrategyKind`` name that builds this configuration.
    public var name: String {
        if miningInterval != nil { return StrategyKind.hardNegativeBootstrap.rawValue }
        return (replayMode == .inBatch ? StrategyKind.hardNegativeBuffer : .hardNegativeBufferSeparate).rawValue
    }
    /// The foreground probability of every candidate.
    public var requirements: SamplingRequirements { .foregroundProbabilities }

    /// Creates the strategy with the seed's rules (DESIGN.md's defaults, the buffer before issue
    /// 14) unless given; `SamplingParameters(head:)` holds the configured defaults, which differ
    /// (docs/configuration.md).
    /// - Parameters:
    ///   - capacity: K entries; nil: ``HardNegativeBuffer/unbounded`` (the quota bounds it).
    /// - Precondition: counts ≥ 0; fractions and thresholds in [0, 1]; `expiryEpochs`,
    ///   `perImageQuota` ≥ 0 when given; `.rank` mining has a quota.
    public init(head: DetectionHead, batchSize: Int? = nil, positiveFraction: Double? = nil,
                capacity: Int? = 1_000, backgroundThreshold: Float? = nil, scoreThreshold: Float = 0.5,
                replayFraction: Double = 0.5, maxExtraProposals: Int? = nil, expiryEpochs: Int? = 2,
                perImageQuota: Int? = nil, replayMode: ReplayMode = .inBatch, mining: HardNegativeMining = .threshold,
                rescore: Bool = false, duplicateIoU: Float? = nil, separatePassDivisor: SeparatePassDivisor = .own) {
        self.head = head
        self.batchSize = batchSize ?? head.defaultBatchSize
        self.positiveFraction = positiveFraction ?? head.defaultPositiveFraction
        self.backgroundThreshold = backgroundThreshold ?? head.defaultBackgroundThreshold
        self.scoreThreshold = scoreThreshold
        self.replayFraction = replayFraction
        self.maxExtraProposals = maxExtraProposals ?? Int(replayFraction * Double(self.batchSize))
        self.expiryEpochs = expiryEpochs
        self.perImageQuota = perImageQuota
        self.replayMode = replayMode
        self.mining = mining
        self.rescore = rescore
        self.duplicateIoU = duplicateIoU
        self.separatePassDivisor = separatePassDivisor
        buffer = HardNegativeBuffer(capacity: capacity ?? HardNegativeBuffer.unbounded)
        precondition(mining == .threshold || perImageQuota != nil, "HardNegativeBufferStrategy: rank mining needs a per-image quota")
        precondition(duplicateIoU.map { $0 >= 0 && $0 <= 1 } ?? true, "HardNegativeBufferStrategy: duplicateIoU must be in [0, 1], got \(duplicateIoU!)")
        precondition(self.batchSize >= 0 && self.maxExtraProposals >= 0 && (expiryEpochs ?? 0) >= 0 && (perImageQuota ?? 0) >= 0,
                     "HardNegativeBufferStrategy: counts must be >= 0, got batchSize \(self.batchSize), maxExtraProposals \(self.maxExtraProposals), expiryEpochs \(String(describing: expiryEpochs)), perImageQuota \(String(describing: perImageQuota))")
        precondition([self.positiveFraction, replayFraction, Double(scoreThreshold), Double(self.backgroundThreshold)].allSatisfy { $0 >= 0 && $0 <= 1 },
                     "HardNegativeBufferStrategy: fractions and thresholds must be in [0, 1], got positiveFraction \(self.positiveFraction), replayFraction \(replayFraction), scoreThreshold \(scoreThreshold), backgroundThreshold \(self.backgroundThreshold)")
    }

    /// Takes the image's buffered entries out and returns the best ones as extra proposals at a
    /// proposal head (the RoI head); [0, 4] at an anchor head, whose replays are forced
    /// negatives chosen in `sample`.
    ///
    /// Expires old entries first. The returned boxes are best first, mirrored into the image's
    /// current frame; append them after every other proposal. Entries beyond
    /// ``maxExtraProposals`` are dropped (counted as discards in the next result's statistics).
    /// - Parameters:
    ///   - image: the image about to be trained on (id, size, flips).
    ///   - progress: the current step and steps per epoch.
    /// - Returns: [E, 4] boxes (x1, y1, x2, y2), pixels, E ≤ ``maxExtraProposals``.
    public mutating func extraCandidates(for image: SamplingImage, progress: TrainingProgress) -> Tensor {
        guard head.candidates == .proposals, !isMiningRound else { return Tensor(shape: [0, 4], scalars: []) }
        var statistics = MiningStatistics()
        let taken: [HardNegative], kept: ArraySlice<HardNegative>
        if rescore {
            // Read in place: the entries beyond the cap stay as they are (not scored this visit).
            taken = beginVisit(image, progress: progress, statistics: &statistics, takingOut: false)
            kept = taken.prefix(maxExtraProposals)
        } else {
            taken = beginVisit(image, progress: progress, statistics: &statistics)
            kept = taken.prefix(maxExtraProposals)
            statistics.discards += taken.count - kept.count
        }
        var boxes: [Float] = []
        boxes.reserveCapacity(4 * kept.count)
        let width = Double(image.width), height = Double(image.height)
        for entry in kept {
            guard case .box(let stored) = entry.location else { preconditionFailure("\(head) buffer holds an anchor entry") }
            let box = image.flip.mirrored(stored, width: width, height: height)
            boxes += [Float(box.x), Float(box.y), Float(box.z), Float(box.w)]
        }
        pendingReplays[image.id] = PendingReplay(offered: Array(kept), unreviewed: Array(taken.dropFirst(kept.count)),
                                                 statistics: statistics)
        return Tensor(shape: [kept.count, 4], scalars: boxes)
    }

    /// Selects the batch: replayed hard negatives first, the rest as `random`; then stores this
    /// pass's hard negatives.
    /// - Parameters:
    ///   - input: [N] labels, [N] foreground probabilities, [N, 4] boxes (stored at a proposal
    ///     head), optionally [N] max IoU; at a proposal head the last E candidates are the boxes
    ///     of the preceding ``extraCandidates(for:progress:)`` for this image. At an anchor head a flipped
    ///     image needs `input.image.anchorLayout` with H·W·A = N.
    ///   - generator: the random source.
    /// - Returns: the selection, cross-entropy, normalised by the number selected; buffer
    ///   counters in the statistics.
    public mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        input.validate(requirements, by: name)
        if isMiningRound { return mine(input) }
        if rescore { return sampleRescoring(input, using: &generator) }
        let image = input.image, n = input.candidateCount
        let anchors = head.candidates == .anchors
        checkAnchorLayout(of: input)
        var statistics = MiningStatistics()
        var replayable: [Int] = []  // best first
        if !anchors, let pending = pendingReplays.removeValue(forKey: image.id) {
            precondition(pending.offered.count <= n, "\(name): \(pending.offered.count) extra proposals were handed out for image \(image.id) but only \(n) candidates arrived")
            statistics = pending.statistics
            for i in (n - pending.offered.count)..<n {
                if isBackground(i, in: input) { replayable.append(i) } else { statistics.discards += 1 }
            }
        } else {
            let taken = beginVisit(image, progress: input.progress, statistics: &statistics)
            if anchors {
                replayable = currentAnchors(of: taken, in: input, statistics: &statistics)
            } else {
                statistics.discards += taken.count  // boxes can only come back through extraCandidates
            }
        }

        let (positives, negatives, separatePass) = selectBatch(around: replayable, in: input, statistics: &statistics, using: &generator)
        // Bootstrapping stores entries in its mining rounds only.
        if miningInterval == nil { storeHardNegatives(of: input, statistics: &statistics) }
        return result(of: input, positives: positives, negatives: negatives, separatePass: separatePass, statistics: statistics)
    }

    /// The `random` part of a visit, around the replayable negatives (best first): p uniform
    /// positives, the best ⌊ρ·n_b⌋ replays, and uniform negatives among the others.
    /// Replayable negatives over the cap count as discards when `countingDiscards` (the seed's
    /// visit, which loses them).
    /// - Returns: positives, in-batch negatives (ascending) and separate-pass negatives (ascending).
    mutating func selectBatch(around replayable: [Int], in input: SamplingInput, countingDiscards: Bool = true,
                              statistics: inout MiningStatistics,
                              using generator: inout some RandomNumberGenerator) -> ([Int], [Int], [Int]) {
        let labels = input.labels
        let available = SamplingPools.counts(labels)
        let positiveCount = min(Int(Double(batchSize) * positiveFraction), available.positives)
        let negativeBudget = batchSize - positiveCount
        let replayCount = min(replayable.count, Int(replayFraction * Double(negativeBudget)))
        if countingDiscards { statistics.discards += replayable.count - replayCount }
        statistics.replays += replayCount
        let replayed = Array(replayable.prefix(replayCount))
        let positives = SamplingPools.randomPositives(labels, count: positiveCount, using: &generator)
        let negatives: [Int], separatePass: [Int]
        switch replayMode {
        case .inBatch:
            let drawn = SamplingPools.randomNegatives(
                labels, count: min(negativeBudget - replayCount, available.negatives - replayCount),
                excluding: replayed, using: &generator)
            negatives = (replayed + drawn).sorted()
            separatePass = []
        case .separatePass:
            negatives = SamplingPools.randomNegatives(
                labels, count: min(negativeBudget, available.negatives - replayCount), excluding: replayed, using: &generator)
            separatePass = replayed.sorted()
            statistics.separatePassReplays += replayCount
        }
        return (positives, negatives, separatePass)
    }

    /// The visit's result: the selection, the statistics with the selection's counters.
    func result(of input: SamplingInput, positives: [Int], negatives: [Int], separatePass: [Int],
                statistics: MiningStatistics) -> SamplingResult {
        var result = MiningStatistics(selectionOf: input, positives: positives, negatives: negatives)
        result.merge(statistics)
        result.images = 1
        result.bufferSize = buffer.count
        return SamplingResult(candidateCount: input.candidateCount, positives: positives, negatives: negatives,
                              normalization: normalization, boxNormalization: boxNormalization, separatePassNegatives: separatePass,
                              separatePassDivisor: separatePassDivisor, statistics: result)
    }

    // MARK: - Visit steps

    /// Traps unless an anchor head's input can be mirrored: its anchor layout, when given, has
    /// H·W·A = N, and a flipped image has one.
    func checkAnchorLayout(of input: SamplingInput) {
        let image = input.image, n = input.candidateCount
        guard head.candidates == .anchors else { return }
        if let layout = image.anchorLayout {
            precondition(layout.anchorCount == n, "\(name): anchor layout \(layout.featureHeight)×\(layout.featureWidth)×\(layout.anchorsPerLocation) but \(n) candidates")
        }
        precondition(image.flip.isIdentity || image.anchorLayout != nil,
                     "\(name): a flipped image at an anchor head needs its anchor layout to mirror anchor indices")
    }

    /// Expires old entries and takes the image's entries out (best first), or reads them in
    /// place when `takingOut` is false (a re-scoring visit).
    mutating func beginVisit(_ image: SamplingImage, progress: TrainingProgress, statistics: inout MiningStatistics,
                             takingOut: Bool = true) -> [HardNegative] {
        if let expiryEpochs {
            statistics.expirations += buffer.removeExpired(lifetime: expiryEpochs * progress.stepsPerEpoch, currentStep: progress.step)
        }
        return takingOut ? buffer.removeEntries(forImage: image.id) : buffer.entries(forImage: image.id)
    }

    /// Whether candidate i is background now: label 0 and (if known) max IoU below the threshold.
    func isBackground(_ i: Int, in input: SamplingInput) -> Bool {
        input.labels[i] == 0 && (input.maxIoU.map { $0[i] < backgroundThreshold } ?? true)
    }

    /// Maps taken-out anchor entries to current-frame indices that are background now, best
    /// first (equal scores: lower index first); the others count as discards.
    func currentAnchors(of taken: [HardNegative], in input: SamplingInput, statistics: inout MiningStatistics) -> [Int] {
        var found: [(index: Int, score: Float)] = []
        let image = input.image
        for entry in taken {
            guard case .anchor(let stored) = entry.location else { preconditionFailure("\(head) buffer holds a box entry") }
            var current: Int? = stored < input.candidateCount ? stored : nil
            if !image.flip.isIdentity, let layout = image.anchorLayout, stored < layout.anchorCount {
                current = image.flip.mirroredAnchorIndex(stored, layout: layout, width: image.width, height: image.height)
            }
            if let current, isBackground(current, in: input) {
                found.append((current, entry.score))
            } else {
                statistics.discards += 1
            }
        }
        found.sort { $0.score > $1.score || ($0.score == $1.score && $0.index < $1.index) }
        return found.map(\.index)
    }

    /// Stores this pass's hard negatives (in the un-flipped frame) and counts what happened.
    ///
    /// Only the best min(quota, K) of them can stay in the buffer, so they are selected first
    /// (`Kernels.ohemSelect` on the probabilities: score descending, ties by lower index) and
    /// the rest counted as rejected without building entries.
    mutating func storeHardNegatives(of input: SamplingInput, statistics: inout MiningStatistics) {
        let probabilities = input.foregroundProbabilities!, labels = input.labels, image = input.image
        let n = input.candidateCount
        // 0 marks a hard negative, −1 anything else: the label layout `ohemSelect` reads. Rank
        // mining takes every background candidate here and the quota below keeps the top q.
        let threshold = mining == .threshold ? scoreThreshold : -Float.infinity
        var hard = [Int32](repeating: -1, count: n)
        var hardCount = 0
        if let maxIoU = input.maxIoU {
            for i in 0..<n where labels[i] == 0 && probabilities[i] > threshold && maxIoU[i] < backgroundThreshold {
                hard[i] = 0
                hardCount += 1
            }
        } else {
            for i in 0..<n where labels[i] == 0 && probabilities[i] > threshold {
                hard[i] = 0
                hardCount += 1
            }
        }
        let keep = min(hardCount, perImageQuota ?? hardCount, buffer.capacity)
        let mined: [Int]
        if keep < hardCount {
            mined = SamplingPools.topByLoss(hard, losses: probabilities, count: keep)
            statistics.rejections += hardCount - keep
        } else {
            mined = SamplingPools.indices(of: hard) { $0 == 0 }
        }
        var batch: [HardNegative] = []
        batch.reserveCapacity(mined.count)
        for i in mined {
            guard let location = storedLocation(of: i, in: input) else { statistics.rejections += 1; continue }
            batch.append(HardNegative(imageID: image.id, location: location, score: probabilities[i], stepMined: input.progress.step))
        }
        if sharedStep != nil {
            // Inserted by every rank at the step's end (endSharedStep), in global image order.
            sharedStep!.visits.append(HardNegativeVisit(imageID: image.id, step: input.progress.step,
                                                        stepsPerEpoch: input.progress.stepsPerEpoch, entries: batch))
            return
        }
        let outcome = buffer.insert(contentsOf: batch)
        statistics.insertions += outcome.inserted
        statistics.evictions += outcome.evicted
        statistics.rejections += outcome.rejected
    }

    /// Candidate i's location in the un-flipped frame: its anchor index mirrored through the
    /// image's flips (nil when the mirror is off the grid), or its box mirrored back.
    func storedLocation(of i: Int, in input: SamplingInput) -> HardNegativeLocation? {
        let image = input.image
        if head.candidates == .anchors {
            guard !image.flip.isIdentity else { return .anchor(index: i) }
            return image.flip.mirroredAnchorIndex(i, layout: image.anchorLayout!, width: image.width, height: image.height)
                .map { .anchor(index: $0) }
        }
        let b = input.boxes.scalars
        let box = SIMD4(Double(b[4 * i]), Double(b[4 * i + 1]), Double(b[4 * i + 2]), Double(b[4 * i + 3]))
        return .box(image.flip.mirrored(box, width: Double(image.width), height: Double(image.height)))
    }
}
