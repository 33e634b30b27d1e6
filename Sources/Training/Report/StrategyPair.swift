// One pair of strategies of a comparison, compared seed by seed on every metric.

/// Two strategies compared on the seeds both ran: the paired difference of every
/// `ComparisonMetric`, first − second.
public struct StrategyPair: Sendable, Equatable {
    /// The first strategy's name (the minuend), e.g. `random`.
    public var first: String
    /// The second strategy's name.
    public var second: String
    /// The seeds both ran, in the first strategy's order.
    public var seeds: [UInt64]
    /// The paired differences, one per metric, in `ComparisonMetric.allCases` order.
    public var differences: [(metric: ComparisonMetric, difference: PairedDifference)]

    /// Pairs the runs of two strategies by seed.
    /// - Parameters:
    ///   - first: a strategy's results.
    ///   - second: another strategy's results.
    ///   - confidence: the intervals' level, in (0, 1).
    /// - Returns: nil when the two share no seed.
    public init?(_ first: StrategyResults, _ second: StrategyResults, confidence: Double = 0.95) {
        let shared = first.runs.compactMap { run in second.runs.first { $0.seed == run.seed }.map { (run, $0) } }
        guard !shared.isEmpty else { return nil }
        self.first = first.strategy
        self.second = second.strategy
        seeds = shared.map(\.0.seed)
        differences = ComparisonMetric.allCases.map { metric in
            (metric, PairedDifference(shared.map { metric.value(of: $0.0) }, shared.map { metric.value(of: $0.1) },
                                      confidence: confidence))
        }
    }

    /// The paired difference of one metric.
    public func difference(_ metric: ComparisonMetric) -> PairedDifference {
        differences.first { $0.metric == metric }!.difference
    }

    /// The verdict sentence on AP50, the primary metric.
    public var sentence: String { difference(.ap50).sentence(first: first, second: second, metric: .ap50) }

    /// Compares pairs by names, seeds and differences.
    public static func == (lhs: StrategyPair, rhs: StrategyPair) -> Bool {
        lhs.first == rhs.first && lhs.second == rhs.second && lhs.seeds == rhs.seeds
            && lhs.differences.map(\.metric) == rhs.differences.map(\.metric)
            && lhs.differences.map(\.difference) == rhs.differences.map(\.difference)
    }
}

extension StrategyPair: Encodable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The per-metric JSON object.
    struct MetricRecord: Encodable {
        var difference: PairedDifference
        enum CodingKeys: String, CodingKey {
            case differences, mean, sd, ci, verdict
            case tQuantile = "t_quantile", smallestResolvable = "smallest_resolvable"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(difference.differences, forKey: .differences)
            try c.encode(difference.mean, forKey: .mean)
            try c.encode(difference.standardDeviation, forKey: .sd)
            try c.encode(difference.tQuantile, forKey: .tQuantile)
            try c.encode(difference.interval, forKey: .ci)
            try c.encode(difference.smallestResolvableDifference, forKey: .smallestResolvable)
            try c.encode(difference.verdict, forKey: .verdict)
        }
    }

    /// Encodes `{"first", "second", "seeds", "verdict": the AP50 sentence, and per metric key
    /// (ap50, coco_ap, …) {"differences": [n] first − second per seed, "mean", "sd", "t_quantile",
    /// "ci": [lower, upper], "smallest_resolvable", "verdict": a_higher | a_lower | unresolved |
    /// one_seed}}`; sd, t_quantile, ci and smallest_resolvable are null for one seed.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(first, forKey: Key("first"))
        try c.encode(second, forKey: Key("second"))
        try c.encode(seeds, forKey: Key("seeds"))
        try c.encode(sentence, forKey: Key("verdict"))
        for (metric, difference) in differences {
            try c.encode(MetricRecord(difference: difference), forKey: Key(metric.rawValue))
        }
    }
}
