import Foundation

/// An error in a COCO ground-truth or detection-result file, naming the file and the JSON location.
///
/// `location` is a JSON path such as `annotations[3].bbox` or `[12].score` (the 13th detection of a
/// result list); it is empty when the problem concerns the whole file (unreadable, not JSON).
public struct COCOFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong at `location`.
    public enum Kind: Sendable, Equatable {
        /// The file could not be read (missing, permissions); the system's message.
        case unreadable(String)
        /// The file could not be written; the system's message.
        case unwritable(String)
        /// The file is not valid JSON; the parser's message.
        case malformedJSON(String)
        /// A required key is absent.
        case missingKey(String)
        /// A value has the wrong JSON type or form (a string for a number, 1.5 for an id, 3 box values).
        case invalidValue(String)
        /// A number is NaN or infinite (JSON has no such numbers; Python writes them as `NaN`/`Infinity`).
        case nonFiniteNumber
        /// A box has a negative width or height, in pixels.
        case negativeSize(width: Double, height: Double)
        /// An annotation's `area` is negative, in square pixels.
        case negativeArea(Double)
        /// An annotation or detection refers to an image id absent from the ground truth's `images`.
        case unknownImage(id: Int)
        /// An annotation or detection refers to a category id absent from the ground truth's `categories`.
        case unknownCategory(id: Int)
        /// An image, annotation or category id occurs twice in its list.
        case duplicateID(Int)
    }

    /// The path of the offending file, as given.
    public var file: String
    /// The JSON path of the offending value, e.g. `annotations[3].bbox`; empty for the whole file.
    public var location: String
    /// What is wrong.
    public var kind: Kind

    /// Creates an error for `file` at the JSON path `location`.
    public init(file: String, location: String, kind: Kind) {
        self.file = file
        self.location = location
        self.kind = kind
    }

    /// A one-line message: `file: location: problem`.
    public var description: String {
        let message: String
        switch kind {
        case .unreadable(let reason): message = "cannot read the file (\(reason))"
        case .unwritable(let reason): message = "cannot write the file (\(reason))"
        case .malformedJSON(let reason): message = "not valid JSON (\(reason))"
        case .missingKey(let key): message = "missing key \"\(key)\""
        case .invalidValue(let reason): message = reason
        case .nonFiniteNumber: message = "non-finite number (NaN or infinity)"
        case .negativeSize(let width, let height): message = "negative box size (w \(width), h \(height))"
        case .negativeArea(let area): message = "negative area \(area)"
        case .unknownImage(let id): message = "image id \(id) is not in the ground truth's images"
        case .unknownCategory(let id): message = "category id \(id) is not in the ground truth's categories"
        case .duplicateID(let id): message = "duplicate id \(id)"
        }
        return location.isEmpty ? "\(file): \(message)" : "\(file): \(location): \(message)"
    }
}

// MARK: - Decoding diagnostics

extension COCOFileError {
    /// Translates a `JSONDecoder` failure into a located error; `data` is scanned to name bare
    /// `NaN`/`Infinity` tokens, which Foundation reports only as "not valid JSON".
    static func decoding(_ error: DecodingError, file: String, data: Data) -> COCOFileError {
        switch error {
        case .keyNotFound(let key, let context):
            return COCOFileError(file: file, location: jsonPath(context.codingPath), kind: .missingKey(key.stringValue))
        case .valueNotFound(let type, let context):
            return COCOFileError(file: file, location: jsonPath(context.codingPath),
                                 kind: .invalidValue("expected \(typeName(type)), found null"))
        case .typeMismatch(let type, let context):
            return COCOFileError(file: file, location: jsonPath(context.codingPath),
                                 kind: .invalidValue("expected \(typeName(type))"))
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return COCOFileError(file: file, location: jsonPath(context.codingPath),
                                 kind: .invalidValue(context.debugDescription))
        case .dataCorrupted:
            return malformed(data, file: file)
        @unknown default:
            return COCOFileError(file: file, location: "", kind: .malformedJSON(String(describing: error)))
        }
    }

    /// Describes why `data` is not JSON: a bare non-finite token, or the parser's message.
    static func malformed(_ data: Data, file: String) -> COCOFileError {
        if let line = lineOfNonFiniteToken(in: data) {
            return COCOFileError(file: file, location: "line \(line)", kind: .nonFiniteNumber)
        }
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return COCOFileError(file: file, location: "", kind: .malformedJSON("unexpected structure"))
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            return COCOFileError(file: file, location: "", kind: .malformedJSON(reason ?? "\(error)"))
        }
    }

    /// The 1-based line of the first `NaN`/`Infinity` token outside a string, if any.
    ///
    /// A token is the whole word: `None`, `Nope` or `NaNa` is some other mistake, and so is a
    /// stray `N` in binary garbage; those are left to the JSON parser's message.
    static func lineOfNonFiniteToken(in data: Data) -> Int? {
        let bytes = [UInt8](data)
        let tokens = [Array("NaN".utf8), Array("Infinity".utf8)]
        func isWordByte(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
        var line = 1, inString = false, escaped = false, index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if index == 0 || !isWordByte(bytes[index - 1]) {
                for token in tokens where bytes[index...].starts(with: token) {
                    let end = index + token.count
                    if end == bytes.count || !isWordByte(bytes[end]) { return line }
                }
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            index += 1
        }
        return nil
    }

    /// Renders a coding path as `annotations[3].bbox`.
    static func jsonPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
