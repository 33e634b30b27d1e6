// Choosing a strategy by name: a closed enum and a `switch`, not a string registry.

/// The built-in sampling strategies, named as on the command line (`--strategy ohem`).
public enum StrategyKind: String, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Uniform balanced sampling (``RandomStrategy``).
    case random
    /// Online hard example mining (``OHEMStrategy``).
    case ohem
    /// All positives and 3 hardest negatives per positive (``SSDStrategy``).
    case ssd
    /// Every non-ignored candidate with the focal loss (``FocalStrategy``).
    case focal
    /// `random` plus replay of buffered hard negatives in the batch (``HardNegativeBufferStrategy``,
    /// ``HardNegativeBufferStrategy/ReplayMode/inBatch``).
    case hardNegativeBuffer = "hard-negative-buffer"
    /// `random` batches; buffered hard negatives replayed in a separate pass, normalised by
    /// their own count (``HardNegativeBufferStrategy/ReplayMode/separatePass``).
    case hardNegativeBufferSeparate = "hard-negative-buffer-separate"
    /// Negatives balanced over IoU bins (``IoUBalancedStrategy``).
    case iouBalanced = "iou-balanced"
    /// Classic bootstrapping: `hard-negative-buffer`'s in-batch replay, its entries mined only
    /// by rounds over every training tile every `miningInterval` iterations
    /// (``HardNegativeBufferStrategy/miningInterval``, ``MiningRoundStrategy``).
    case hardNegativeBootstrap = "hard-negative-bootstrap"

    /// The command-line name.
    public var description: String { rawValue }

    /// Every valid name, in declaration order, comma-separated (for messages and help).
    public static var validNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses a strategy name (exact, lower case, as ``StrategyKind/validNames`` lists).
    /// - Parameter name: e.g. `"hard-negative-buffer"`.
    /// - Throws: ``UnknownStrategyError`` naming the input and listing the valid names.
    public init(parsing name: String) throws(UnknownStrategyError) {
        guard let kind = StrategyKind(rawValue: name) else { throw UnknownStrategyError(name: name) }
        self = kind
    }

    /// Builds the strategy for one head with its defaults (DESIGN.md's strategy table).
    ///
    /// Each head gets its own instance with the head's defaults: the RPN's (and RetinaNet's)
    /// budget is 256 with positive fraction 0.5, the RoI head's 128 with 0.25; `ohem` adds NMS
    /// 0.7 at a proposal head (the RoI head); `hard-negative-buffer`
    /// and `hard-negative-buffer-separate` own one 1,000-entry buffer per instance, so per head,
    /// and differ only in the replay mode.
    /// - Parameter head: the head whose candidates the strategy samples.
    /// - Returns: the strategy, ready for ``SamplingStrategy/sample(_:using:)``.
    public func makeStrategy(for head: DetectionHead) -> any SamplingStrategy {
        makeStrategy(for: head, parameters: SamplingParameters(head: head))
    }
}

/// The error of parsing a strategy name that is not one of ``StrategyKind``'s.
public struct UnknownStrategyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name as given.
    public var name: String

    /// Creates the error for a name.
    public init(name: String) { self.name = name }

    /// "unknown strategy 'x'; valid names: random, ohem, ssd, focal, hard-negative-buffer,
    /// hard-negative-buffer-separate, iou-balanced, hard-negative-bootstrap".
    public var description: String {
        "unknown strategy '\(name)'; valid names: \(StrategyKind.validNames)"
    }
}
