// The errors of reading an augmentation list such as `flip, scale-jitter(0.5-2.0), copy-paste(p=0.5)`.

/// Why an augmentation list could not be read; the description names the item and lists what
/// would have been valid.
public enum AugmentationParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An empty item (`"flip,,blur"`, a trailing comma, or an empty list).
    case emptyItem(list: String)
    /// An item whose parentheses do not match or that has text after its `)`.
    case malformedItem(item: String)
    /// A name that is not an augmentation.
    case unknownAugmentation(name: String)
    /// A parameter the augmentation does not have; `valid` lists the ones it has.
    case unknownParameter(augmentation: String, parameter: String, valid: [String])
    /// A value that is not of the parameter's kind or outside its range; `expected` says which.
    case invalidValue(augmentation: String, parameter: String, value: String, expected: String)
    /// A parameter given twice, or a positional value where the augmentation has none.
    case ambiguousParameter(augmentation: String, parameter: String)
    /// An augmentation named twice in one list.
    case repeatedAugmentation(name: String)

    /// A sentence naming the problem and the valid choices.
    public var description: String {
        switch self {
        case .emptyItem(let list):
            "empty item in augmentation list '\(list)'; give comma-separated augmentations (\(Augmentation.validNames)) or 'none'"
        case .malformedItem(let item):
            "malformed augmentation '\(item)'; write name or name(value, key=value, …), e.g. scale-jitter(0.5-2.0, p=0.5)"
        case .unknownAugmentation(let name):
            "unknown augmentation '\(name)'; valid names: \(Augmentation.validNames)"
        case let .unknownParameter(augmentation, parameter, valid):
            "\(augmentation) has no parameter '\(parameter)'; valid parameters: \(valid.joined(separator: ", "))"
        case let .invalidValue(augmentation, parameter, value, expected):
            "\(augmentation): \(parameter) '\(value)' is not \(expected)"
        case let .ambiguousParameter(augmentation, parameter):
            "\(augmentation): parameter '\(parameter)' is given twice or has no name; name it (key=value)"
        case .repeatedAugmentation(let name):
            "augmentation '\(name)' is named twice; give each augmentation once with its parameters"
        }
    }
}
