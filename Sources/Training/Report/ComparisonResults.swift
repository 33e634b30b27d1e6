// The numbers a strategy comparison produces, per strategy and seed, and their JSON form
// (one object per strategy in `results.json`'s `strategies`, with keys strategy, ap50, coco_ap,
// model, augmentations, ap75, ar100, seconds_per_iteration, peak_rss_bytes, seeds, loss_curve, learning_curve, plus
// coco_ap_maxdets300 and the sample standard deviation over seeds of each averaged metric as
// `<key>_std`).

import Datasets
import Detection

/// What one training run (one strategy, one seed) measured.
public struct SeedRun: Sendable, Equatable, Codable {
    /// The seed of data order, flips, sampling and initialisation.
    public var seed: UInt64
    /// VOC AP at IoU 0.5 (all-point interpolation) on the test split — the primary metric.
    public var ap50: Double
    /// COCO AP@[.5:.95] at maxDets 100, and at maxDets 300 (test images hold up to 279 trees).
    public var cocoAP: Double, cocoAP300: Double
    /// COCO AP at IoU 0.75 (maxDets 100).
    public var ap75: Double
    /// COCO AR at maxDets 100.
    public var ar100: Double
    /// Wall-clock seconds per training iteration, batch preparation included.
    public var secondsPerIteration: Double
    /// Peak resident memory during this run, in bytes (0 when unknown).
    public var peakRSSBytes: Int
    /// The total training loss per logged iteration, as (iteration, loss).
    public var lossCurve: [LossPoint]
    /// Mining statistics summed over the run, per head.
    public var mining: [String: MiningTotals]
    /// The 95% percentile-bootstrap interval of `ap50` over the test images (nil without them).
    public var ap50Interval: ConfidenceInterval?
    /// AP50 on the test split during training, every `--eval-every` iterations and at the end
    /// (the last point is the final evaluation).
    public var learningCurve: [LearningCurvePoint]
    /// Whether the curve was still rising at the end; nil with a single evaluation.
    public var stillRising: StillRisingCheck?
    /// Wall-clock seconds spent evaluating (every curve point and its bootstrap), not counted in
    /// `secondsPerIteration` nor on the curve's seconds axis.
    public var evaluationSeconds: Double

    /// Creates a run record.
    public init(seed: UInt64, ap50: Double, cocoAP: Double, cocoAP300: Double, ap75: Double, ar100: Double,
                secondsPerIteration: Double, peakRSSBytes: Int, lossCurve: [LossPoint], mining: [String: MiningTotals],
                ap50Interval: ConfidenceInterval? = nil, learningCurve: [LearningCurvePoint] = [],
                stillRising: StillRisingCheck? = nil, evaluationSeconds: Double = 0) {
        self.seed = seed; self.ap50 = ap50; self.cocoAP = cocoAP; self.cocoAP300 = cocoAP300; self.ap75 = ap75
        self.ar100 = ar100; self.secondsPerIteration = secondsPerIteration; self.peakRSSBytes = peakRSSBytes
        self.lossCurve = lossCurve; self.mining = mining
        self.ap50Interval = ap50Interval; self.learningCurve = learningCurve; self.stillRising = stillRising
        self.evaluationSeconds = evaluationSeconds
    }

    enum CodingKeys: String, CodingKey {
        case seed, ap50, ap75, ar100, mining
        case cocoAP = "coco_ap", cocoAP300 = "coco_ap_maxdets300"
        case secondsPerIteration = "seconds_per_iteration", peakRSSBytes = "peak_rss_bytes", lossCurve = "loss_curve"
        case ap50Interval = "ap50_ci", learningCurve = "learning_curve", stillRising = "still_rising"
        case evaluationSeconds = "evaluation_seconds"
    }

    /// Encodes every field; `ap50_ci` and `still_rising` are null rather than absent when nil.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seed, forKey: .seed); try c.encode(ap50, forKey: .ap50); try c.encode(ap50Interval, forKey: .ap50Interval)
        try c.encode(cocoAP, forKey: .cocoAP); try c.encode(cocoAP300, forKey: .cocoAP300)
        try c.encode(ap75, forKey: .ap75); try c.encode(ar100, forKey: .ar100)
        try c.encode(secondsPerIteration, forKey: .secondsPerIteration); try c.encode(peakRSSBytes, forKey: .peakRSSBytes)
        try c.encode(lossCurve, forKey: .lossCurve); try c.encode(mining, forKey: .mining)
        try c.encode(learningCurve, forKey: .learningCurve); try c.encode(stillRising, forKey: .stillRising)
        try c.encode(evaluationSeconds, forKey: .evaluationSeconds)
    }

    /// Decodes the form `encode(to:)` writes (the four learning-curve keys may be absent, as in
    /// files from before they existed).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seed = try c.decode(UInt64.self, forKey: .seed); ap50 = try c.decode(Double.self, forKey: .ap50)
        cocoAP = try c.decode(Double.self, forKey: .cocoAP); cocoAP300 = try c.decode(Double.self, forKey: .cocoAP300)
        ap75 = try c.decode(Double.self, forKey: .ap75); ar100 = try c.decode(Double.self, forKey: .ar100)
        secondsPerIteration = try c.decode(Double.self, forKey: .secondsPerIteration)
        peakRSSBytes = try c.decode(Int.self, forKey: .peakRSSBytes)
        lossCurve = try c.decode([LossPoint].self, forKey: .lossCurve)
        mining = try c.decode([String: MiningTotals].self, forKey: .mining)
        ap50Interval = try c.decodeIfPresent(ConfidenceInterval.self, forKey: .ap50Interval)
        learningCurve = try c.decodeIfPresent([LearningCurvePoint].self, forKey: .learningCurve) ?? []
        stillRising = try c.decodeIfPresent(StillRisingCheck.self, forKey: .stillRising)
        evaluationSeconds = try c.decodeIfPresent(Double.self, forKey: .evaluationSeconds) ?? 0
    }
}

/// One point of a loss curve.
public struct LossPoint: Sendable, Equatable, Codable {
    /// The iteration (0-based).
    public var iteration: Int
    /// The total loss at that iteration.
    public var loss: Double

    /// Creates a point.
    public init(iteration: Int, loss: Double) { self.iteration = iteration; self.loss = loss }
}

/// Mining statistics accumulated over a run for one head (RPN or RoI), from the strategy's
/// per-step `MiningStatistics` (see `MiningAccumulator`).
public struct MiningTotals: Sendable, Equatable, Codable {
    /// Candidates seen, positives and negatives selected, summed over images and steps.
    public var candidates = 0, positives = 0, negatives = 0
    /// Hard-negative buffer events, summed (0 for strategies without a buffer).
    public var insertions = 0, evictions = 0, replays = 0, expirations = 0
    /// Sampling calls (image visits at this head), replays trained in a separate pass (also in
    /// `replays`), re-scored entries dropped as no longer hard, replays dropped as duplicates;
    /// 0 in results written before issue 14 recorded them.
    public var visits = 0, separatePassReplays = 0, drops = 0, duplicates = 0
    /// Mean per-candidate loss of the selected candidates and of all candidates, averaged over
    /// the steps where losses were computed (nil when the strategy never needed them).
    public var meanSelectedLoss: Double?, meanCandidateLoss: Double?

    /// Creates empty totals.
    public init() {}

    /// The replays' share of the negatives trained: replays / (in-batch negatives + separate-pass
    /// replays), in [0, 1]; nil without negatives.
    public var replayShare: Double? {
        let negativesTrained = negatives + separatePassReplays
        return negativesTrained > 0 ? Double(replays) / Double(negativesTrained) : nil
    }

    enum CodingKeys: String, CodingKey {
        case candidates, positives, negatives, insertions, evictions, replays, expirations
        case visits, separatePassReplays = "separate_pass_replays", drops, duplicates
        case meanSelectedLoss = "mean_selected_loss", meanCandidateLoss = "mean_candidate_loss"
    }

    /// Decodes totals; the counters issue 14 added read as 0 when absent (older results).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        candidates = try c.decode(Int.self, forKey: .candidates)
        positives = try c.decode(Int.self, forKey: .positives)
        negatives = try c.decode(Int.self, forKey: .negatives)
        insertions = try c.decode(Int.self, forKey: .insertions)
        evictions = try c.decode(Int.self, forKey: .evictions)
        replays = try c.decode(Int.self, forKey: .replays)
        expirations = try c.decode(Int.self, forKey: .expirations)
        visits = try c.decodeIfPresent(Int.self, forKey: .visits) ?? 0
        separatePassReplays = try c.decodeIfPresent(Int.self, forKey: .separatePassReplays) ?? 0
        drops = try c.decodeIfPresent(Int.self, forKey: .drops) ?? 0
        duplicates = try c.decodeIfPresent(Int.self, forKey: .duplicates) ?? 0
        meanSelectedLoss = try c.decodeIfPresent(Double.self, forKey: .meanSelectedLoss)
        meanCandidateLoss = try c.decodeIfPresent(Double.self, forKey: .meanCandidateLoss)
    }
}

/// All seeds of one strategy (of one detector).
public struct StrategyResults: Sendable, Equatable {
    /// The compared entry's name: the strategy as the command line spells it (`random`, `ohem`, …),
    /// or `model:strategy` (`retinanet:focal`) in a comparison of several detectors.
    public var strategy: String
    /// The detector trained (`faster-rcnn`, `retinanet`).
    public var model: String
    /// The augmentation list the runs trained with, in its text form (`flip(p=0.5)`).
    public var augmentations: String
    /// One record per seed, in the order run.
    public var runs: [SeedRun]
    /// The strategy's parameters at every head, as run (nil in results written before they
    /// were recorded); results.json's `configuration` of the entry.
    public var configuration: StrategyConfiguration?

    /// Creates the results of one strategy.
    public init(strategy: String, model: String = DetectorKind.fasterRCNN.rawValue,
                augmentations: String = AugmentationList.reference.description, runs: [SeedRun]) {
        self.strategy = strategy; self.model = model; self.augmentations = augmentations; self.runs = runs
    }

    /// Statistics of one metric over seeds.
    public func statistics(_ metric: (SeedRun) -> Double) -> SeedStatistics { SeedStatistics(runs.map(metric)) }

    /// The learning curve averaged over seeds, point by point (runs share their evaluation
    /// iterations): mean AP50 and mean training seconds at each evaluated iteration.
    public var meanLearningCurve: [(iteration: Int, seconds: Double, ap50: Double)] {
        guard let first = runs.first else { return [] }
        return first.learningCurve.indices.map { i in
            let points = runs.compactMap { $0.learningCurve.indices.contains(i) ? $0.learningCurve[i] : nil }
            let n = Double(points.count)
            return (first.learningCurve[i].iteration, points.map(\.seconds).reduce(0, +) / n, points.map(\.ap50).reduce(0, +) / n)
        }
    }

    /// The loss curve averaged over seeds, point by point (runs share their logged iterations).
    public var meanLossCurve: [LossPoint] {
        guard let first = runs.first else { return [] }
        return first.lossCurve.indices.map { i in
            let values = runs.compactMap { $0.lossCurve.indices.contains(i) ? $0.lossCurve[i].loss : nil }
            return LossPoint(iteration: first.lossCurve[i].iteration, loss: values.reduce(0, +) / Double(values.count))
        }
    }
}

extension StrategyResults: Codable {
    enum CodingKeys: String, CodingKey {
        case strategy, model, augmentations, ap50, ap75, ar100, seeds
        case ap50Std = "ap50_std", cocoAP = "coco_ap", cocoAPStd = "coco_ap_std", cocoAP300 = "coco_ap_maxdets300"
        case ap75Std = "ap75_std", ar100Std = "ar100_std", cocoAP300Std = "coco_ap_maxdets300_std"
        case secondsPerIteration = "seconds_per_iteration", secondsPerIterationStd = "seconds_per_iteration_std"
        case peakRSSBytes = "peak_rss_bytes", lossCurve = "loss_curve"
        case meanLearningCurve = "mean_learning_curve", stillRisingSeeds = "still_rising_seeds", configuration
    }

    /// One point of the seed-mean learning curve in JSON.
    struct MeanCurvePoint: Encodable {
        var iteration: Int, seconds: Double, ap50: Double
    }

    /// Encodes the seed means (and standard deviations) at the top level, the per-seed records
    /// under `seeds`, the mean loss curve as [[iteration, loss], …], the mean learning curve as
    /// [{"iteration", "seconds", "ap50"}, …] and the seeds whose curve was still rising.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(strategy, forKey: .strategy)
        try c.encode(model, forKey: .model)
        try c.encode(augmentations, forKey: .augmentations)
        let ap50 = statistics(\.ap50), coco = statistics(\.cocoAP), ap75 = statistics(\.ap75), ar100 = statistics(\.ar100)
        try c.encode(ap50.mean, forKey: .ap50); try c.encode(ap50.standardDeviation, forKey: .ap50Std)
        try c.encode(coco.mean, forKey: .cocoAP); try c.encode(coco.standardDeviation, forKey: .cocoAPStd)
        let coco300 = statistics(\.cocoAP300), seconds = statistics(\.secondsPerIteration)
        try c.encode(coco300.mean, forKey: .cocoAP300); try c.encode(coco300.standardDeviation, forKey: .cocoAP300Std)
        try c.encode(ap75.mean, forKey: .ap75); try c.encode(ap75.standardDeviation, forKey: .ap75Std)
        try c.encode(ar100.mean, forKey: .ar100); try c.encode(ar100.standardDeviation, forKey: .ar100Std)
        try c.encode(seconds.mean, forKey: .secondsPerIteration); try c.encode(seconds.standardDeviation, forKey: .secondsPerIterationStd)
        try c.encode(runs.map(\.peakRSSBytes).max() ?? 0, forKey: .peakRSSBytes)
        try c.encode(runs, forKey: .seeds)
        try c.encode(meanLossCurve.map { [Double($0.iteration), $0.loss] }, forKey: .lossCurve)
        try c.encode(meanLearningCurve.map { MeanCurvePoint(iteration: $0.iteration, seconds: $0.seconds, ap50: $0.ap50) },
                     forKey: .meanLearningCurve)
        try c.encode(runs.filter { $0.stillRising?.isRising == true }.map(\.seed), forKey: .stillRisingSeeds)
        try c.encodeIfPresent(configuration, forKey: .configuration)
    }

    /// Decodes the form written by `encode(to:)` (the per-seed records carry everything).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        strategy = try c.decode(String.self, forKey: .strategy)
        // Results written before the model was recorded are TinyFasterRCNN's.
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? DetectorKind.fasterRCNN.rawValue
        // Results written before augmentation lists were recorded trained with DESIGN.md's flips.
        augmentations = try c.decodeIfPresent(String.self, forKey: .augmentations) ?? AugmentationList.reference.description
        runs = try c.decode([SeedRun].self, forKey: .seeds)
        configuration = try c.decodeIfPresent(StrategyConfiguration.self, forKey: .configuration)
    }
}
