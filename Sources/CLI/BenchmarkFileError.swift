// The typed error of `quarry bench`'s files: the --against reference it reads and the --json
// file it writes. Each names the file and the JSON key, so a bad file never ends in a trap.
import Foundation

/// A problem with a benchmark JSON file, located by file and JSON key.
struct BenchmarkFileError: Error, Equatable, CustomStringConvertible {
    /// What is wrong at `location`.
    enum Kind: Equatable {
        /// The file could not be read (missing, permissions); the system's message.
        case unreadable(String)
        /// The file could not be written; the system's message.
        case unwritable(String)
        /// The file is not valid JSON; the parser's message.
        case malformedJSON(String)
        /// A required key is absent.
        case missingKey(String)
        /// A value has the wrong JSON type or an impossible value (a string for a number, a
        /// negative throughput).
        case invalidValue(String)
        /// The workload's unit differs from the one Quarry measures, so no ratio can be formed.
        case unitMismatch(found: String, expected: String)
        /// No key of the file is a contract id (K1a … K11).
        case noWorkloads
    }

    /// The path of the file, as given.
    var file: String
    /// The JSON path of the offending value, e.g. `K9a.throughput`; empty for the whole file.
    var location: String
    /// What is wrong.
    var kind: Kind

    /// A one-line message: `file: location: problem`.
    var description: String {
        let message: String
        switch kind {
        case .unreadable(let reason): message = "cannot read the file (\(reason))"
        case .unwritable(let reason): message = "cannot write the file (\(reason))"
        case .malformedJSON(let reason): message = "not valid JSON (\(reason))"
        case .missingKey(let key): message = "missing key \"\(key)\""
        case .invalidValue(let reason): message = reason
        case .unitMismatch(let found, let expected):
            message = "unit \"\(found)\", but Quarry measures this workload in \"\(expected)\""
        case .noWorkloads:
            message = "no workload of the kernel contract (keys K1a … K11, each {\"throughput\": number, \"unit\": string})"
        }
        return location.isEmpty ? "\(file): \(message)" : "\(file): \(location): \(message)"
    }

    /// Translates a `JSONDecoder` failure on `data` into a located error.
    static func decoding(_ error: DecodingError, file: String, data: Data) -> BenchmarkFileError {
        func path(_ codingPath: [any CodingKey]) -> String { codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context):
            return BenchmarkFileError(file: file, location: path(context.codingPath), kind: .missingKey(key.stringValue))
        case .valueNotFound(let type, let context):
            return BenchmarkFileError(file: file, location: path(context.codingPath),
                                      kind: .invalidValue("expected \(typeName(type)), found null"))
        case .typeMismatch(let type, let context):
            return BenchmarkFileError(file: file, location: path(context.codingPath), kind: .invalidValue("expected \(typeName(type))"))
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return BenchmarkFileError(file: file, location: path(context.codingPath), kind: .invalidValue(context.debugDescription))
        case .dataCorrupted:
            return malformed(data, file: file)
        @unknown default:
            return BenchmarkFileError(file: file, location: "", kind: .malformedJSON(String(describing: error)))
        }
    }

    /// Says why `data` is not JSON: JSONSerialization's message (JSONDecoder's names no place),
    /// and a hint when a bare NaN or Infinity is the likely cause (Python's json.dump writes them).
    static func malformed(_ data: Data, file: String) -> BenchmarkFileError {
        var reason: String
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            reason = "unexpected structure"
        } catch {
            reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        }
        if let text = String(data: data, encoding: .utf8), text.contains(/\b(NaN|Infinity)\b/) {
            reason += "; NaN and Infinity are not JSON numbers"
        }
        return BenchmarkFileError(file: file, location: "", kind: .malformedJSON(reason))
    }

    /// The JSON name of a Swift type in a message.
    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type, is Int.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: String(describing: type).hasPrefix("Dictionary") || type is ReferenceEntry.Type ? "an object" : "\(type)"
        }
    }
}
