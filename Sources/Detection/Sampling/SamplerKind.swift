// Choosing a strategy by name: a closed enum and a `switch`, not a string registry.

/// The built-in sampling strategies, named as on the command line (`--sampler ohem`).
public enum SamplerKind: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// Uniform balanced sampling (``RandomSampler``).
    case random
    /// Online hard example mining (``OHEMSampler``).
    case ohem
    /// All positives and 3 hardest negatives per positive (``SSDSampler``).
    case ssd
    /// Every non-ignored candidate with the focal loss (``FocalSampler``).
    case focal
    /// `random` plus replay of buffered hard negatives in the batch (``HardNegativeBufferSampler``,
    /// ``HardNegativeBufferSampler/ReplayMode/inBatch``).
    case hardNegativeBuffer = "hard-negative-buffer"
    /// `random` batches; buffered hard negatives replayed in a separate pass, normalised by
    /// their own count (``HardNegativeBufferSampler/ReplayMode/separatePass``).
    case hardNegativeBufferSeparate = "hard-negative-buffer-separate"
    /// Negatives balanced over IoU bins (``IoUBalancedSampler``).
    case iouBalanced = "iou-balanced"

    /// The command-line name.
    public var description: String { rawValue }

    /// Every valid name, in declaration order, comma-separated (for messages and help).
    public static var validNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses a strategy name (exact, lower case, as ``SamplerKind/validNames`` lists).
    /// - Parameter name: e.g. `"hard-negative-buffer"`.
    /// - Throws: ``UnknownSamplerError`` naming the input and listing the valid names.
    public init(parsing name: String) throws(UnknownSamplerError) {
        guard let kind = SamplerKind(rawValue: name) else { throw UnknownSamplerError(name: name) }
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
        switch self {
        case .random: RandomSampler(head: head)
        case .ohem: OHEMSampler(head: head)
        case .ssd: SSDSampler(head: head)
        case .focal: FocalSampler(head: head)
        case .hardNegativeBuffer: HardNegativeBufferSampler(head: head)
        case .hardNegativeBufferSeparate: HardNegativeBufferSampler(head: head, replayMode: .separatePass)
        case .iouBalanced: IoUBalancedSampler(head: head)
        }
    }
}

/// The error of parsing a strategy name that is not one of ``SamplerKind``'s.
public struct UnknownSamplerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name as given.
    public var name: String

    /// Creates the error for a name.
    public init(name: String) { self.name = name }

    /// "unknown sampler 'x'; valid names: random, ohem, ssd, focal, hard-negative-buffer,
    /// hard-negative-buffer-separate, iou-balanced".
    public var description: String {
        "unknown sampler '\(name)'; valid names: \(SamplerKind.validNames)"
    }
}
