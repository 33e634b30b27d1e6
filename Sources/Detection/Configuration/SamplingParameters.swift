// One head's strategy parameters: every strategy's knobs in one record, with the head's
// defaults (DESIGN.md's strategy table). A strategy reads only its own (``StrategyKind/parameterNames``).

/// The parameters of the sampling strategies at one head, with DESIGN.md's defaults for that head.
///
/// Defaults: budget 256 and positive fraction 0.5 at the RPN and TinyRetinaNet's dense head, 128
/// and 0.25 at the RoI head; OHEM's NMS 0.7 at the RoI head, none at an anchor head; SSD 3
/// negatives per positive, 16 without positives; focal α 0.25, γ 2, prior π 0.01; every
/// strategy's classification and box normaliser the number selected, except focal's (the
/// classification term over the moving average of the positives, momentum 0.9; the box term over
/// the head's budget per image, the count `random` divides by); the buffer
/// (issue 14) a per-image quota of 128 entries at an anchor head and 64 at the RoI head, no global
/// capacity (quota × training images), rank mining, re-scoring, duplicate IoU 0.9, the separate
/// pass over the batch's divisor, score threshold 0.5, replay fraction 0.5, expiry 3 epochs
/// (the seed's buffer: `capacity=1000, perImageQuota=none, mining=threshold, rescore=false,
/// duplicateIoU=none, separateDivisor=own, expiryEpochs=2`);
/// IoU-balanced 3 bins. JSON keys are the ``Name`` raw values; the command line spells them the
/// same (`ohem(rpn.budget=512)`).
/// Reference: Faster R-CNN (budget, fraction), Shrivastava et al. arXiv:1604.03540 (OHEM NMS),
/// Liu et al. arXiv:1512.02325 (SSD ratio and normaliser), Lin et al. arXiv:1708.02002 (α, γ, π),
/// detectron2 `RetinaNet` (the moving-average normaliser), Pang et al.
/// arXiv:1904.02701 (bins), DESIGN.md "The hard-negative buffer".
public struct SamplingParameters: Sendable, Hashable, Encodable {
    /// Candidates per image in the loss, ≥ 1 (random, ohem, buffer, iou-balanced; focal's
    /// `budget` normaliser counts it).
    public var budget: Int
    /// The fraction of the budget reserved for positives, in [0, 1] (random, buffer, iou-balanced).
    public var positiveFraction: Double
    /// OHEM's NMS IoU over loss-ranked boxes, in [0, 1]; nil: no NMS (anchor heads).
    public var nmsThreshold: Float?
    /// SSD's negatives per positive, ≥ 0 (3).
    public var negativeRatio: Int
    /// SSD's negatives from an image without positives, ≥ 0 (16).
    public var minimumNegatives: Int
    /// Focal α in [0, 1], the foreground weight (0.25).
    public var alpha: Float
    /// Focal γ ≥ 0, the focusing exponent (2).
    public var gamma: Float
    /// Focal prior π in (0, 1) (0.01): a sigmoid head's classification bias starts at
    /// −log((1 − π)/π), a softmax head's background bias at log(K·(1 − π)/π)
    /// (``FocalStrategy/backgroundPriorBias(prior:classCount:)``); nil (`none`): the head keeps
    /// its ordinary initialisation (the RoI head's before issue 14: `roi.prior=none`).
    public var prior: Float?
    /// What the classification sum over the batch is divided by (`normalizer`: `selected`,
    /// `positives`, `positives-ema`, `budget`; the last two only under focal); nil (JSON null or
    /// absent): the strategy's default — `positives-ema` for focal, `selected` for the others.
    public var normalizer: LossNormalization?
    /// What the box sum over the batch is divided by (`selected`, `positives`, or — focal only —
    /// `budget`); nil (JSON null or absent): the strategy's default — `budget` for focal,
    /// `selected` for the others.
    public var boxNormalizer: LossNormalization?
    /// The momentum m of focal's moving-average normaliser, in [0, 1) (0.9, detectron2's).
    public var momentum: Double
    /// The hard-negative buffer's capacity K, entries, ≥ 1; nil (`none`, the default): no global
    /// bound, the per-image quota bounds it (q × training images), which needs a quota.
    public var capacity: Int?
    /// The most entries one visit stores per image (with `rescore`: the most an image holds),
    /// ≥ 1; nil: no quota (128 at an anchor head, 64 at the RoI head).
    public var perImageQuota: Int?
    /// The buffer's mining rule: `rank` (the top `perImageQuota` background candidates; needs a
    /// quota) or `threshold` (foreground probability above `scoreThreshold`) (`rank`).
    public var mining: HardNegativeMining
    /// Whether a buffer visit re-scores the image's entries and keeps the still-hard ones across
    /// visits (`true`), or takes them all out (`false`, the seed's).
    public var rescore: Bool
    /// IoU in [0, 1] at or above which a replayed RoI box duplicates a current proposal and is
    /// dropped (0.9); nil: no check. Read by re-scoring visits at a proposal head only.
    public var duplicateIoU: Float?
    /// The buffer's separate pass divided by the batch's classification divisor (`batch`) or its
    /// own count (`own`, the seed's) (`batch`).
    public var separateDivisor: SeparatePassDivisor
    /// Foreground probability above which a background candidate is hard, in [0, 1] (0.5).
    public var scoreThreshold: Float
    /// The buffer's replay fraction ρ of the negative budget, in [0, 1] (0.5).
    public var replayFraction: Double
    /// Buffer entries expire after this many epochs since first mined, ≥ 1; nil: never (3).
    public var expiryEpochs: Int?
    /// IoU-balanced sampling's bins over [0, background threshold), ≥ 1 (3).
    public var bins: Int
    /// `hard-negative-bootstrap`: iterations between mining rounds, ≥ 1 (500); a round runs the
    /// model over every training tile before iterations N, 2N, … (Felzenszwalb et al., TPAMI
    /// 2010, §4.5; Sung & Poggio 1998).
    public var miningInterval: Int

    /// The parameter names, as JSON keys and on the command line.
    public enum Name: String, CodingKey, CaseIterable, Sendable {
        case budget, positiveFraction, nmsThreshold, negativeRatio, minimumNegatives, alpha, gamma, prior
        case normalizer, boxNormalizer, momentum
        case capacity, perImageQuota, scoreThreshold, replayFraction, expiryEpochs, bins
        case mining, rescore, duplicateIoU, separateDivisor, miningInterval
    }

    /// Creates the defaults of `head` (see the type's documentation).
    public init(head: DetectionHead) {
        budget = head.defaultBatchSize
        positiveFraction = head.defaultPositiveFraction
        nmsThreshold = head.candidates == .proposals ? 0.7 : nil
        negativeRatio = 3
        minimumNegatives = 16
        alpha = 0.25
        gamma = 2
        prior = 0.01
        normalizer = nil
        boxNormalizer = nil
        momentum = 0.9
        capacity = nil
        perImageQuota = head.candidates == .anchors ? 128 : 64
        mining = .rank
        rescore = true
        duplicateIoU = 0.9
        separateDivisor = .batch
        scoreThreshold = 0.5
        replayFraction = 0.5
        expiryEpochs = 3
        bins = 3
        miningInterval = 500
    }

    /// Checks every value (``validate()``) and that `kind` can use the normalisers: the moving
    /// average needs focal's state, the budget normaliser focal's budget (the other strategies
    /// select up to their budget, so `selected` is theirs); and, when `checkingCombinations`, the
    /// rules between the buffer's parameters (``validateCombinations(for:)``).
    /// - Throws: `ConfigurationError` naming the first bad parameter.
    public func validate(for kind: StrategyKind, checkingCombinations: Bool = true) throws(ConfigurationError) {
        try validate()
        if checkingCombinations { try validateCombinations(for: kind) }
        guard normalizer != .positiveCountAverage || kind == .focal else {
            throw ConfigurationError(key: Name.normalizer.rawValue,
                                     reason: "positives-ema keeps a moving average only focal has; \(kind.rawValue) takes selected or positives")
        }
        for (key, value) in [(Name.normalizer, normalizer), (.boxNormalizer, boxNormalizer)] where value == .budget && kind != .focal {
            throw ConfigurationError(key: key.rawValue,
                                     reason: "budget is focal's (it selects every candidate); \(kind.rawValue) selects up to its budget: take selected or positives")
        }
    }

    /// Checks the rules between the buffer's parameters (for the buffer strategies only: the
    /// others ignore them): `capacity=none` and `mining=rank` each need a `perImageQuota`.
    /// - Throws: `ConfigurationError` naming `capacity` or `mining`.
    public func validateCombinations(for kind: StrategyKind) throws(ConfigurationError) {
        guard [.hardNegativeBuffer, .hardNegativeBufferSeparate, .hardNegativeBootstrap].contains(kind), perImageQuota == nil else { return }
        if capacity == nil {
            throw ConfigurationError(key: Name.capacity.rawValue, reason: "none (no global bound) needs a perImageQuota to bound the buffer")
        }
        if mining == .rank {
            throw ConfigurationError(key: Name.mining.rawValue, reason: "rank keeps the top perImageQuota candidates, and perImageQuota is none (the buffer before issue 14 is mining=threshold, rescore=false, duplicateIoU=none, separateDivisor=own)")
        }
    }

    /// Checks every value against its range (see each property).
    /// - Throws: `ConfigurationError` naming the first bad parameter (`budget`, …).
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.check(budget, atLeast: 1, key: Name.budget.rawValue)
        try ConfigurationError.check(positiveFraction, in: 0...1, key: Name.positiveFraction.rawValue)
        if let nmsThreshold { try ConfigurationError.check(nmsThreshold, in: 0...1, key: Name.nmsThreshold.rawValue) }
        try ConfigurationError.check(negativeRatio, atLeast: 0, key: Name.negativeRatio.rawValue)
        try ConfigurationError.check(minimumNegatives, atLeast: 0, key: Name.minimumNegatives.rawValue)
        try ConfigurationError.check(alpha, in: 0...1, key: Name.alpha.rawValue)
        try ConfigurationError.check(gamma, in: 0...Float.greatestFiniteMagnitude, key: Name.gamma.rawValue)
        if let prior, !(prior.isFinite && prior > 0 && prior < 1) {
            throw ConfigurationError(key: Name.prior.rawValue, reason: "must be a probability in (0, 1), got \(prior)")
        }
        guard boxNormalizer != .positiveCountAverage else {
            throw ConfigurationError(key: Name.boxNormalizer.rawValue,
                                     reason: "must be selected, positives or budget (the moving average is the classification term's), got positives-ema")
        }
        guard momentum.isFinite, momentum >= 0, momentum < 1 else {
            throw ConfigurationError(key: Name.momentum.rawValue, reason: "must be in [0, 1), got \(momentum)")
        }
        if let capacity { try ConfigurationError.check(capacity, atLeast: 1, key: Name.capacity.rawValue) }
        if let perImageQuota { try ConfigurationError.check(perImageQuota, atLeast: 1, key: Name.perImageQuota.rawValue) }
        if let duplicateIoU { try ConfigurationError.check(duplicateIoU, in: 0...1, key: Name.duplicateIoU.rawValue) }
        try ConfigurationError.check(scoreThreshold, in: 0...1, key: Name.scoreThreshold.rawValue)
        try ConfigurationError.check(replayFraction, in: 0...1, key: Name.replayFraction.rawValue)
        if let expiryEpochs { try ConfigurationError.check(expiryEpochs, atLeast: 1, key: Name.expiryEpochs.rawValue) }
        try ConfigurationError.check(bins, atLeast: 1, key: Name.bins.rawValue)
        try ConfigurationError.check(miningInterval, atLeast: 1, key: Name.miningInterval.rawValue)
    }

    /// Sets one parameter to its value in `other` (the others keep theirs).
    /// - Parameters:
    ///   - name: the parameter.
    ///   - other: where its value comes from.
    public mutating func copy(_ name: Name, from other: SamplingParameters) {
        switch name {
        case .budget: budget = other.budget
        case .positiveFraction: positiveFraction = other.positiveFraction
        case .nmsThreshold: nmsThreshold = other.nmsThreshold
        case .negativeRatio: negativeRatio = other.negativeRatio
        case .minimumNegatives: minimumNegatives = other.minimumNegatives
        case .alpha: alpha = other.alpha
        case .gamma: gamma = other.gamma
        case .prior: prior = other.prior
        case .normalizer: normalizer = other.normalizer
        case .boxNormalizer: boxNormalizer = other.boxNormalizer
        case .momentum: momentum = other.momentum
        case .capacity: capacity = other.capacity
        case .perImageQuota: perImageQuota = other.perImageQuota
        case .scoreThreshold: scoreThreshold = other.scoreThreshold
        case .replayFraction: replayFraction = other.replayFraction
        case .expiryEpochs: expiryEpochs = other.expiryEpochs
        case .bins: bins = other.bins
        case .mining: mining = other.mining
        case .rescore: rescore = other.rescore
        case .duplicateIoU: duplicateIoU = other.duplicateIoU
        case .separateDivisor: separateDivisor = other.separateDivisor
        case .miningInterval: miningInterval = other.miningInterval
        }
    }

    /// Sets one parameter from its text form (`512`, `0.25`, `none` for the optional ones).
    /// - Parameters:
    ///   - name: the parameter.
    ///   - text: the value as written.
    /// - Throws: `ConfigurationError` naming the parameter when the text is not a value of its
    ///   type (an integer, a number, a normaliser name, or `none` where nil is allowed). Ranges are
    ///   checked by ``validate()``.
    public mutating func set(_ name: Name, from text: String) throws(ConfigurationError) {
        func integer() throws(ConfigurationError) -> Int {
            guard let value = Int(text) else { throw ConfigurationError(key: name.rawValue, reason: "expected an integer, got '\(text)'") }
            return value
        }
        func number() throws(ConfigurationError) -> Double {
            guard let value = Double(text) else { throw ConfigurationError(key: name.rawValue, reason: "expected a number, got '\(text)'") }
            return value
        }
        let none = text.lowercased() == "none"
        switch name {
        case .budget: budget = try integer()
        case .positiveFraction: positiveFraction = try number()
        case .nmsThreshold: nmsThreshold = none ? nil : Float(try number())
        case .negativeRatio: negativeRatio = try integer()
        case .minimumNegatives: minimumNegatives = try integer()
        case .alpha: alpha = Float(try number())
        case .gamma: gamma = Float(try number())
        case .prior: prior = none ? nil : Float(try number())
        case .normalizer, .boxNormalizer:
            guard let value = LossNormalization(rawValue: text) else {
                throw ConfigurationError(key: name.rawValue, reason: "expected one of \(LossNormalization.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            if name == .normalizer { normalizer = value } else { boxNormalizer = value }
        case .momentum: momentum = try number()
        case .capacity: capacity = none ? nil : try integer()
        case .perImageQuota: perImageQuota = none ? nil : try integer()
        case .scoreThreshold: scoreThreshold = Float(try number())
        case .replayFraction: replayFraction = try number()
        case .expiryEpochs: expiryEpochs = none ? nil : try integer()
        case .bins: bins = try integer()
        case .mining:
            guard let value = HardNegativeMining(rawValue: text) else {
                throw ConfigurationError(key: name.rawValue, reason: "expected one of \(HardNegativeMining.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            mining = value
        case .rescore:
            guard let value = Bool(text) else { throw ConfigurationError(key: name.rawValue, reason: "expected true or false, got '\(text)'") }
            rescore = value
        case .duplicateIoU: duplicateIoU = none ? nil : Float(try number())
        case .separateDivisor:
            guard let value = SeparatePassDivisor(rawValue: text) else {
                throw ConfigurationError(key: name.rawValue, reason: "expected one of \(SeparatePassDivisor.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            separateDivisor = value
        case .miningInterval: miningInterval = try integer()
        }
    }

    // MARK: - Codable

    /// Encodes every parameter, the optional ones as null when nil (so that "no NMS" survives a
    /// round trip instead of falling back to the head's default).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Name.self)
        try c.encode(budget, forKey: .budget); try c.encode(positiveFraction, forKey: .positiveFraction)
        try c.encode(nmsThreshold, forKey: .nmsThreshold)
        try c.encode(negativeRatio, forKey: .negativeRatio); try c.encode(minimumNegatives, forKey: .minimumNegatives)
        try c.encode(alpha, forKey: .alpha); try c.encode(gamma, forKey: .gamma); try c.encode(prior, forKey: .prior)
        try c.encode(normalizer, forKey: .normalizer); try c.encode(boxNormalizer, forKey: .boxNormalizer)
        try c.encode(momentum, forKey: .momentum)
        try c.encode(capacity, forKey: .capacity); try c.encode(perImageQuota, forKey: .perImageQuota)
        try c.encode(scoreThreshold, forKey: .scoreThreshold); try c.encode(replayFraction, forKey: .replayFraction)
        try c.encode(expiryEpochs, forKey: .expiryEpochs); try c.encode(bins, forKey: .bins)
        try c.encode(mining, forKey: .mining); try c.encode(rescore, forKey: .rescore)
        try c.encode(duplicateIoU, forKey: .duplicateIoU); try c.encode(separateDivisor, forKey: .separateDivisor)
        try c.encode(miningInterval, forKey: .miningInterval)
    }

    /// Decodes a JSON object onto `defaults`: keys present replace their value (null clears an
    /// optional one), keys absent keep it.
    /// - Throws: `DecodingError` at an unknown key or a value of the wrong type.
    public init(from decoder: any Decoder, defaults: SamplingParameters) throws {
        try decoder.rejectUnknownKeys(Name.self)
        let c = try decoder.container(keyedBy: Name.self)
        self = defaults
        budget = try c.decode(.budget, keeping: budget)
        positiveFraction = try c.decode(.positiveFraction, keeping: positiveFraction)
        nmsThreshold = try c.decodeOptional(.nmsThreshold, keeping: nmsThreshold)
        negativeRatio = try c.decode(.negativeRatio, keeping: negativeRatio)
        minimumNegatives = try c.decode(.minimumNegatives, keeping: minimumNegatives)
        alpha = try c.decode(.alpha, keeping: alpha)
        gamma = try c.decode(.gamma, keeping: gamma)
        prior = try c.decodeOptional(.prior, keeping: prior)
        normalizer = try c.decodeOptional(.normalizer, keeping: normalizer)
        boxNormalizer = try c.decodeOptional(.boxNormalizer, keeping: boxNormalizer)
        momentum = try c.decode(.momentum, keeping: momentum)
        capacity = try c.decodeOptional(.capacity, keeping: capacity)
        perImageQuota = try c.decodeOptional(.perImageQuota, keeping: perImageQuota)
        scoreThreshold = try c.decode(.scoreThreshold, keeping: scoreThreshold)
        replayFraction = try c.decode(.replayFraction, keeping: replayFraction)
        expiryEpochs = try c.decodeOptional(.expiryEpochs, keeping: expiryEpochs)
        bins = try c.decode(.bins, keeping: bins)
        mining = try c.decode(.mining, keeping: mining)
        rescore = try c.decode(.rescore, keeping: rescore)
        duplicateIoU = try c.decodeOptional(.duplicateIoU, keeping: duplicateIoU)
        separateDivisor = try c.decode(.separateDivisor, keeping: separateDivisor)
        miningInterval = try c.decode(.miningInterval, keeping: miningInterval)
    }
}
