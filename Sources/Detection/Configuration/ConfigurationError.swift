// What is wrong with a run configuration, naming the key (and the file when it came from one).

/// The error of a configuration value that is missing, of the wrong type, unknown or out of range.
///
/// `key` is the value's path in the configuration's JSON form, sections joined by dots and list
/// positions in brackets (`model.anchorSizes[1]`, `strategy.rpn.budget`, `baseLearningRate`), or a
/// command-line flag (`--learning-rate`) when the value came from one. `file` names the JSON
/// file, checkpoint or results.json the value was read from (nil: from the command line or code).
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the configuration was read from, or nil.
    public var file: String?
    /// The key, as described above.
    public var key: String
    /// What is wrong, e.g. "must be > 0, got -0.1".
    public var reason: String

    /// Creates the error.
    public init(file: String? = nil, key: String, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    /// "FILE: KEY: REASON" (or "KEY: REASON" without a file).
    public var description: String { "\(file.map { "\($0): " } ?? "")\(key): \(reason)" }

    /// The same error, located in `file`.
    public func located(in file: String) -> ConfigurationError {
        ConfigurationError(file: file, key: key, reason: reason)
    }

    /// The same error with its key under a section (`budget` under `strategy.rpn` →
    /// `strategy.rpn.budget`).
    public func nested(under section: String) -> ConfigurationError {
        ConfigurationError(file: file, key: section.isEmpty ? key : "\(section).\(key)", reason: reason)
    }

    /// Turns a `DecodingError` of a configuration document into a `ConfigurationError` naming
    /// the key path at which decoding failed (wrong type, missing value, unknown key, bad value).
    /// - Parameters:
    ///   - error: the decoder's error.
    ///   - file: the document's file, if any.
    /// - Returns: the error, with `key` "(document)" when the failure is at the top level.
    public static func from(_ error: DecodingError, file: String?) -> ConfigurationError {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return text.isEmpty ? "(document)" : text
        }
        switch error {
        case let .typeMismatch(type, context):
            return ConfigurationError(file: file, key: path(context.codingPath), reason: "expected \(Self.typeName(type)): \(context.debugDescription)")
        case let .valueNotFound(type, context):
            return ConfigurationError(file: file, key: path(context.codingPath), reason: "expected \(Self.typeName(type)), found null")
        case let .keyNotFound(key, context):
            return ConfigurationError(file: file, key: path(context.codingPath + [key]), reason: "missing")
        case let .dataCorrupted(context):
            return ConfigurationError(file: file, key: path(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return ConfigurationError(file: file, key: "(document)", reason: "\(error)")
        }
    }

    /// A JSON-flavoured name of a Swift type for messages ("a number", "a string", …).
    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is any BinaryInteger.Type: "an integer"
        case is any BinaryFloatingPoint.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}

// MARK: - Range checks

extension ConfigurationError {
    /// Throws unless `value` is a finite number in `range`.
    /// - Throws: `ConfigurationError` naming `key` and the value.
    public static func check<T: BinaryFloatingPoint>(_ value: T, in range: ClosedRange<T>, key: String) throws(ConfigurationError) {
        guard value.isFinite, range.contains(value) else {
            throw ConfigurationError(key: key, reason: "must be a number in [\(range.lowerBound), \(range.upperBound)], got \(value)")
        }
    }

    /// Throws unless `value` is a finite number above `bound` (strictly).
    /// - Throws: `ConfigurationError` naming `key` and the value.
    public static func check<T: BinaryFloatingPoint>(_ value: T, above bound: T, key: String) throws(ConfigurationError) {
        guard value.isFinite, value > bound else { throw ConfigurationError(key: key, reason: "must be a finite number > \(bound), got \(value)") }
    }

    /// Throws unless `value` ≥ `minimum`.
    /// - Throws: `ConfigurationError` naming `key` and the value.
    public static func check(_ value: Int, atLeast minimum: Int, key: String) throws(ConfigurationError) {
        guard value >= minimum else { throw ConfigurationError(key: key, reason: "must be at least \(minimum), got \(value)") }
    }
}
