// Configuration documents are decoded strictly: a key the type does not know is an error, not
// silently ignored (JSONDecoder's default), so a misspelt "learningrate" cannot go unnoticed.

/// A coding key for any string: lists every key a JSON object holds.
public struct AnyCodingKey: CodingKey, Sendable {
    /// The key's text.
    public var stringValue: String
    /// Always nil: configuration objects have string keys.
    public var intValue: Int? { nil }
    /// Creates the key for a string.
    public init(stringValue: String) { self.stringValue = stringValue }
    /// Integer keys do not occur in configuration objects.
    public init?(intValue: Int) { nil }
}

extension Decoder {
    /// Throws when the object being decoded holds a key that `Key` does not list.
    /// - Parameter keys: the type's coding keys.
    /// - Throws: `DecodingError.dataCorrupted` at the unknown key's path, whose description
    ///   names the key and lists the valid ones (``ConfigurationError/from(_:file:)`` turns it
    ///   into a `ConfigurationError`); `DecodingError.typeMismatch` when the value is not an object.
    public func rejectUnknownKeys<Key: CodingKey & CaseIterable>(_ keys: Key.Type) throws {
        let container = try self.container(keyedBy: AnyCodingKey.self)
        let valid = Key.allCases.map(\.stringValue)
        for key in container.allKeys where !valid.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath + [key],
                debugDescription: "unknown key '\(key.stringValue)'; valid keys: \(valid.joined(separator: ", "))"))
        }
    }
}

extension KeyedDecodingContainer {
    /// The value at `key` when the object holds it, else `current`: a configuration document
    /// changes only the keys it holds.
    /// - Throws: `DecodingError` when the value has the wrong type (or is null).
    public func decode<T: Decodable>(_ key: Key, keeping current: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? current
    }

    /// The optional value at `key`: a value replaces `current`, null clears it, an absent key
    /// keeps it (so that "no NMS" survives a round trip instead of falling back to a default).
    /// - Throws: `DecodingError` when the value has the wrong type.
    public func decodeOptional<T: Decodable>(_ key: Key, keeping current: T?) throws -> T? {
        guard contains(key) else { return current }
        return try decodeNil(forKey: key) ? nil : try decode(T.self, forKey: key)
    }
}
