// A strategy with parameters as the command line writes it: `focal(gamma=1)`,
// `ohem(rpn.budget=512, roi.nmsThreshold=none)`; a comparison sweeps a parameter by listing
// several variants of one strategy.
import Foundation

/// A named strategy configuration parsed from `name` or `name(parameter=value, …)`.
///
/// A parameter applies to every head (`gamma=1`) or to one (`rpn.budget=512`; heads `rpn`,
/// `roi`, `retina`). Values are integers, numbers, or `none` for the optional parameters
/// (`nmsThreshold`, `perImageQuota`, `expiryEpochs`). Only the strategy's own parameters
/// (``StrategyKind/parameterNames``) may be given. The variant's ``name`` is the text with its
/// spaces removed (`focal(gamma=1)`), which the reports and plots show.
public struct StrategyVariant: Sendable, Hashable {
    /// The display name: the specification without spaces, e.g. `ohem(rpn.budget=512)`.
    public var name: String
    /// The strategy and its parameters: the base with the given parameters replaced.
    public var configuration: StrategyConfiguration

    /// Creates a variant directly.
    public init(name: String, configuration: StrategyConfiguration) {
        self.name = name
        self.configuration = configuration
    }

    /// Parses one specification.
    /// - Parameters:
    ///   - text: e.g. `focal(gamma=1)`.
    ///   - base: the parameters the specification starts from (a configuration file's, or the
    ///     defaults); its strategy name is replaced by the text's.
    /// - Throws: ``StrategySpecificationError`` naming an unknown strategy (listing the valid
    ///   names), an unknown head or parameter (listing the valid ones), a value that does not
    ///   parse or is out of range, or malformed text.
    public init(parsing text: String, base: StrategyConfiguration = StrategyConfiguration(kind: .random)) throws(StrategySpecificationError) {
        let compact = text.filter { !$0.isWhitespace }
        var name = Substring(compact), arguments: Substring = ""
        if let open = compact.firstIndex(of: "(") {
            guard compact.hasSuffix(")"), open > compact.startIndex else { throw .malformed(text: text) }
            name = compact[..<open]
            arguments = compact[compact.index(after: open)..<compact.index(before: compact.endIndex)]
        }
        let kind: StrategyKind
        do { kind = try StrategyKind(parsing: String(name)) } catch { throw .unknownStrategy(error) }
        var configuration = base
        configuration.kind = kind
        for assignment in arguments.isEmpty ? [] : arguments.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw .malformed(text: text) }
            let path = parts[0].split(separator: ".", omittingEmptySubsequences: false)
            guard path.count <= 2 else { throw .malformed(text: text) }
            var heads = StrategyConfiguration.heads
            if path.count == 2 {
                guard let head = heads.first(where: { $0.name == path[0] }) else {
                    throw .unknownHead(String(path[0]), strategy: kind)
                }
                heads = [head]
            }
            guard let parameter = SamplingParameters.Name(rawValue: String(path.last!)), kind.parameterNames.contains(parameter) else {
                throw .unknownParameter(String(path.last!), strategy: kind)
            }
            for head in heads {
                do {
                    try configuration[head].set(parameter, from: String(parts[1]))
                    try configuration[head].validate(for: kind, checkingCombinations: false)
                } catch {
                    throw .badValue(ConfigurationError(key: "\(kind.rawValue)(\(head.name).\(parameter.rawValue))", reason: error.reason))
                }
            }
        }
        // Rules between parameters (the buffer's quota and mining) once every value is set, so
        // that the order of the assignments does not matter; the error names its own key.
        for head in StrategyConfiguration.heads {
            do { try configuration[head].validate(for: kind) } catch {
                throw .badValue(ConfigurationError(key: "\(kind.rawValue)(\(head.name).\(error.key))", reason: error.reason))
            }
        }
        do { try configuration.validateAcrossHeads() } catch {
            throw .badValue(ConfigurationError(key: "\(kind.rawValue)(\(error.key))", reason: error.reason))
        }
        self.name = compact
        self.configuration = configuration
    }

    /// Splits a comma-separated list of specifications at the commas outside parentheses, and
    /// trims each item: `"random, focal(gamma=1, alpha=0.5)"` → `["random", "focal(gamma=1, alpha=0.5)"]`.
    /// - Returns: the items, empty ones included (the caller rejects them).
    public static func splitList(_ text: String) -> [String] {
        var items: [String] = [], current = "", depth = 0
        for character in text {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0: items.append(current); current = ""
            default: current.append(character)
            }
        }
        items.append(current)
        return items.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// The error of a strategy specification that does not parse.
public enum StrategySpecificationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The strategy name is not one of ``StrategyKind``'s.
    case unknownStrategy(UnknownStrategyError)
    /// A `head.parameter` names no head.
    case unknownHead(String, strategy: StrategyKind)
    /// The parameter is not one the strategy reads.
    case unknownParameter(String, strategy: StrategyKind)
    /// A value that does not parse or is out of range (the key names strategy, head and parameter).
    case badValue(ConfigurationError)
    /// Unbalanced parentheses, an item without `=`, or an empty name or value.
    case malformed(text: String)

    /// The message, listing the valid names where one is unknown.
    public var description: String {
        switch self {
        case let .unknownStrategy(error):
            return error.description
        case let .unknownHead(name, strategy):
            return "\(strategy.rawValue): unknown head '\(name)'; valid heads: \(StrategyConfiguration.heads.map(\.name).joined(separator: ", "))"
        case let .unknownParameter(name, strategy):
            return "\(strategy.rawValue): unknown parameter '\(name)'; valid parameters: \(strategy.parameterNames.map(\.rawValue).joined(separator: ", ")) (each optionally prefixed by a head: \(StrategyConfiguration.heads.map(\.name).joined(separator: ", ")))"
        case let .badValue(error):
            return error.description
        case let .malformed(text):
            return "'\(text)' is not a strategy specification: write name or name(parameter=value, head.parameter=value, …)"
        }
    }
}
