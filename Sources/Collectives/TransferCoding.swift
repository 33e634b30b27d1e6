// How values travel between ranks: JSON bytes (Foundation's Codable), with non-finite floats
// spelt as strings so a NaN loss survives the trip. JSON reproduces every finite Double and
// Float exactly (the encoder writes the shortest digits that read back to the same bits), so a
// result computed on another rank is the value this rank would have computed.
import Foundation

/// Encodes and decodes the values ranks exchange.
public enum TransferCoding {
    /// The JSON bytes of `value`.
    /// - Parameter what: names the value in the error, e.g. `run 3's result`.
    /// - Throws: ``CollectivesError/transfer(what:description:)`` when the value cannot be encoded.
    public static func encode<Value: Encodable>(_ value: Value, what: String) throws(CollectivesError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return Array(try encoder.encode(value)) } catch { throw .transfer(what: what, description: "\(error)") }
    }

    /// The value that `encode` turned into `bytes`.
    /// - Parameter what: names the value in the error.
    /// - Throws: ``CollectivesError/transfer(what:description:)`` when the bytes are not such a value.
    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8], what: String) throws(CollectivesError) -> Value {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return try decoder.decode(type, from: Data(bytes)) } catch { throw .transfer(what: what, description: "\(error)") }
    }
}
