// Decoding and validating the JSON header of a safetensors file into typed records.
import Foundation

/// The parsed header: each tensor's dtype, shape and byte range, plus the metadata.
struct SafetensorsHeader {
    /// One header record, validated (known dtype, non-negative shape, begin ≤ end).
    struct Item {
        var name: String
        var dtype: SafetensorsDType
        var shape: [Int]
        var elementCount: Int
        var begin: Int
        var end: Int
    }

    var tensors: [Item]
    var metadata: [String: String]

    /// Decodes and validates the header bytes.
    /// - Throws: `SafetensorsError.invalidHeader` (not UTF-8 JSON, wrong field types, negative
    ///   sizes, begin > end) or `.unsupportedDType`.
    static func decode(_ bytes: ArraySlice<UInt8>, path: String) throws(SafetensorsError) -> SafetensorsHeader {
        // The reference parser requires the object to start at the first byte.
        guard bytes.first == UInt8(ascii: "{") else { throw .invalidHeader(path: path, reason: "header does not start with '{'") }
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw .invalidHeader(path: path, reason: describe(error))
        } catch {
            throw .invalidHeader(path: path, reason: "\(error)")
        }
        var items: [Item] = []
        for (name, entry) in raw.entries {
            guard let dtype = SafetensorsDType(rawValue: entry.dtype) else {
                throw .unsupportedDType(path: path, name: name, dtype: entry.dtype)
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw .invalidHeader(path: path, reason: "tensor \(name): negative dimension in shape \(entry.shape)")
            }
            var count = 1
            for d in entry.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= Int.max / 8 else {
                    throw .invalidHeader(path: path, reason: "tensor \(name): shape \(entry.shape) is too large")
                }
                count = product
            }
            guard entry.dataOffsets.count == 2, entry.dataOffsets[0] >= 0, entry.dataOffsets[0] <= entry.dataOffsets[1] else {
                throw .invalidHeader(path: path, reason: "tensor \(name): data_offsets \(entry.dataOffsets) is not [begin, end] with 0 ≤ begin ≤ end")
            }
            items.append(Item(name: name, dtype: dtype, shape: entry.shape, elementCount: count,
                              begin: entry.dataOffsets[0], end: entry.dataOffsets[1]))
        }
        return SafetensorsHeader(tensors: items, metadata: raw.metadata)
    }

    /// A one-line reason with the JSON path of a decoding error.
    static func describe(_ error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case let .typeMismatch(_, c), let .valueNotFound(_, c), let .keyNotFound(_, c), let .dataCorrupted(c): context = c
        @unknown default: return "\(error)"
        }
        let where_ = context.codingPath.map(\.stringValue).joined(separator: ".")
        return (where_.isEmpty ? "" : "at \(where_): ") + context.debugDescription
    }
}

/// The header as JSON: tensor records under their names, and the optional `__metadata__`.
private struct RawHeader: Decodable {
    var entries: [String: RawEntry] = [:]
    var metadata: [String: String] = [:]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries[key.stringValue] = try container.decode(RawEntry.self, forKey: key)
            }
        }
    }
}

/// One tensor record as JSON.
private struct RawEntry: Decodable {
    var dtype: String
    var shape: [Int]
    var dataOffsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }
}
