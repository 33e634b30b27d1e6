// The strategy half of a run configuration: which strategy, and its parameters at each head.

/// A sampling strategy with its parameters at every head a detector can have: the RPN and RoI
/// head of TinyFasterRCNN, the dense head of TinyRetinaNet.
///
/// The defaults are DESIGN.md's (``SamplingParameters/init(head:)``), so
/// `StrategyConfiguration(kind: k).makeStrategy(for: head)` builds exactly
/// `k.makeStrategy(for: head)`. JSON: `{"name": "focal", "rpn": {…}, "roi": {…}, "retina": {…}}`,
/// each head section holding only the parameters it changes.
public struct StrategyConfiguration: Sendable, Hashable, Codable {
    /// The strategy.
    public var kind: StrategyKind
    /// Parameters at the RPN (``DetectionHead/rpn``).
    public var rpn = SamplingParameters(head: .rpn)
    /// Parameters at the RoI head (``DetectionHead/roi``).
    public var roi = SamplingParameters(head: .roi)
    /// Parameters at TinyRetinaNet's dense head (``DetectionHead/retinaNet``).
    public var retina = SamplingParameters(head: .retinaNet)

    /// Every head a configuration has parameters for, in the order of the JSON sections.
    public static let heads: [DetectionHead] = [.rpn, .roi, .retinaNet]

    /// Creates the configuration of `kind` with every head's defaults.
    public init(kind: StrategyKind) { self.kind = kind }

    /// The parameters of one head.
    /// - Precondition: `head` is one of ``heads``.
    public subscript(head: DetectionHead) -> SamplingParameters {
        get {
            switch head.name {
            case DetectionHead.rpn.name: rpn
            case DetectionHead.roi.name: roi
            case DetectionHead.retinaNet.name: retina
            default: preconditionFailure("StrategyConfiguration: no parameters for head '\(head.name)'")
            }
        }
        set {
            switch head.name {
            case DetectionHead.rpn.name: rpn = newValue
            case DetectionHead.roi.name: roi = newValue
            case DetectionHead.retinaNet.name: retina = newValue
            default: preconditionFailure("StrategyConfiguration: no parameters for head '\(head.name)'")
            }
        }
    }

    /// This configuration with every parameter its strategy does not read
    /// (``StrategyKind/parameterNames``) at its head's default. Two configurations train alike
    /// exactly when their `effective` forms are equal, whatever their unread parameters hold — a
    /// run recorded before a parameter of another strategy existed, or changed its default, is
    /// still the same run (`quarry compare --resume`, `quarry train --resume`).
    public var effective: StrategyConfiguration {
        var result = StrategyConfiguration(kind: kind)
        for head in Self.heads {
            for name in kind.parameterNames { result[head].copy(name, from: self[head]) }
        }
        return result
    }

    /// Builds the strategy for one head with this configuration's parameters there.
    /// - Precondition: the configuration is valid (``validate()``); `head` is one of ``heads``.
    public func makeStrategy(for head: DetectionHead) -> any SamplingStrategy {
        kind.makeStrategy(for: head, parameters: self[head])
    }

    /// Checks every head's parameters (all of them, whichever the strategy reads, so that a file
    /// cannot hold a bad value that only shows when the strategy changes).
    /// - Throws: `ConfigurationError` with the key under its head (`rpn.budget`).
    public func validate() throws(ConfigurationError) {
        for head in Self.heads {
            do { try self[head].validate(for: kind) } catch { throw error.nested(under: head.name) }
        }
        try validateAcrossHeads()
    }

    /// Checks the rules between heads: under `hard-negative-bootstrap` one mining round serves
    /// both of TinyFasterRCNN's heads, so `rpn.miningInterval` and `roi.miningInterval` must be
    /// equal (RetinaNet's single head has its own).
    /// - Throws: `ConfigurationError` naming `roi.miningInterval`.
    public func validateAcrossHeads() throws(ConfigurationError) {
        if kind == .hardNegativeBootstrap, rpn.miningInterval != roi.miningInterval {
            throw ConfigurationError(key: "roi.\(SamplingParameters.Name.miningInterval.rawValue)",
                                     reason: "must equal rpn.miningInterval, \(rpn.miningInterval): one mining round serves both heads, got \(roi.miningInterval)")
        }
    }

    // MARK: - Codable

    /// The JSON keys: `name` (the strategy's command-line name) and one section per head.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case name, rpn, roi, retina
    }

    /// Encodes the name and every head's parameters.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .name)
        try c.encode(rpn, forKey: .rpn)
        try c.encode(roi, forKey: .roi)
        try c.encode(retina, forKey: .retina)
    }

    /// Decodes a JSON object; a missing name is `random`, missing heads or parameters keep their defaults.
    /// - Throws: `DecodingError` at an unknown key, a value of the wrong type, or an unknown
    ///   strategy name (listing the valid ones).
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let name = try c.decodeIfPresent(String.self, forKey: .name) {
            do { kind = try StrategyKind(parsing: name) } catch {
                throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: error.description)
            }
        } else {
            kind = .random
        }
        for (key, head) in [(CodingKeys.rpn, DetectionHead.rpn), (.roi, .roi), (.retina, .retinaNet)] where c.contains(key) {
            self[head] = try SamplingParameters(from: c.superDecoder(forKey: key), defaults: SamplingParameters(head: head))
        }
    }
}

// MARK: - Building strategies from parameters

extension StrategyKind {
    /// The parameters this strategy reads (the others are kept but unused).
    public var parameterNames: [SamplingParameters.Name] {
        switch self {
        case .random: [.budget, .positiveFraction, .normalizer, .boxNormalizer]
        case .ohem: [.budget, .nmsThreshold, .normalizer, .boxNormalizer]
        case .ssd: [.negativeRatio, .minimumNegatives, .normalizer, .boxNormalizer]
        case .focal: [.alpha, .gamma, .prior, .normalizer, .boxNormalizer, .momentum, .budget]
        case .hardNegativeBuffer, .hardNegativeBufferSeparate:
            [.budget, .positiveFraction, .capacity, .perImageQuota, .scoreThreshold, .replayFraction, .expiryEpochs,
             .mining, .rescore, .duplicateIoU, .separateDivisor, .normalizer, .boxNormalizer]
        case .iouBalanced: [.budget, .positiveFraction, .bins, .normalizer, .boxNormalizer]
        // No expiry (a round replaces the entries) and no separate pass (in-batch replay only).
        case .hardNegativeBootstrap:
            [.budget, .positiveFraction, .capacity, .perImageQuota, .scoreThreshold, .replayFraction,
             .mining, .rescore, .duplicateIoU, .miningInterval, .normalizer, .boxNormalizer]
        }
    }

    /// Builds the strategy for one head with the given parameters.
    /// - Parameters:
    ///   - head: the head whose candidates the strategy samples.
    ///   - parameters: the head's parameters (``SamplingParameters/init(head:)`` gives
    ///     ``makeStrategy(for:)``'s defaults).
    /// - Returns: the strategy.
    /// - Precondition: the parameters are valid for this strategy (``SamplingParameters/validate(for:)``).
    public func makeStrategy(for head: DetectionHead, parameters p: SamplingParameters) -> any SamplingStrategy {
        // Every strategy but focal divides both terms by the number selected unless told
        // otherwise; focal's defaults are the moving average and the budget (FocalStrategy).
        let normalization = p.normalizer ?? (self == .focal ? .positiveCountAverage : .selectedCount)
        let boxNormalization = p.boxNormalizer ?? (self == .focal ? .budget : .selectedCount)
        func normalized<S: SamplingStrategy>(_ strategy: S, _ set: (inout S) -> Void) -> S {
            var strategy = strategy
            set(&strategy)
            return strategy
        }
        switch self {
        case .random:
            return normalized(RandomStrategy(head: head, batchSize: p.budget, positiveFraction: p.positiveFraction)) {
                $0.normalization = normalization; $0.boxNormalization = boxNormalization
            }
        case .ohem:
            var strategy = OHEMStrategy(head: head, batchSize: p.budget, positiveFraction: p.positiveFraction)
            strategy.nmsThreshold = p.nmsThreshold
            strategy.normalization = normalization
            strategy.boxNormalization = boxNormalization
            return strategy
        case .ssd:
            return normalized(SSDStrategy(head: head, negativeRatio: p.negativeRatio, negativesWithoutPositives: p.minimumNegatives)) {
                $0.normalization = normalization; $0.boxNormalization = boxNormalization
            }
        case .focal:
            return FocalStrategy(head: head, alpha: p.alpha, gamma: p.gamma, normalization: normalization,
                                 boxNormalization: boxNormalization, budget: p.budget, momentum: p.momentum)
        case .hardNegativeBuffer, .hardNegativeBufferSeparate:
            return normalized(HardNegativeBufferStrategy(
                head: head, batchSize: p.budget, positiveFraction: p.positiveFraction, capacity: p.capacity,
                scoreThreshold: p.scoreThreshold, replayFraction: p.replayFraction, expiryEpochs: p.expiryEpochs,
                perImageQuota: p.perImageQuota, replayMode: self == .hardNegativeBuffer ? .inBatch : .separatePass,
                mining: p.mining, rescore: p.rescore, duplicateIoU: p.duplicateIoU, separatePassDivisor: p.separateDivisor)) {
                $0.normalization = normalization; $0.boxNormalization = boxNormalization
            }
        case .hardNegativeBootstrap:
            // Entries live until the next round replaces them: no expiry.
            return normalized(HardNegativeBufferStrategy(
                head: head, batchSize: p.budget, positiveFraction: p.positiveFraction, capacity: p.capacity,
                scoreThreshold: p.scoreThreshold, replayFraction: p.replayFraction, expiryEpochs: nil,
                perImageQuota: p.perImageQuota, replayMode: .inBatch, mining: p.mining, rescore: p.rescore,
                duplicateIoU: p.duplicateIoU, separatePassDivisor: p.separateDivisor)) {
                $0.normalization = normalization; $0.boxNormalization = boxNormalization
                $0.miningInterval = p.miningInterval
            }
        case .iouBalanced:
            return normalized(IoUBalancedStrategy(head: head, batchSize: p.budget, positiveFraction: p.positiveFraction, binCount: p.bins)) {
                $0.normalization = normalization; $0.boxNormalization = boxNormalization
            }
        }
    }
}
