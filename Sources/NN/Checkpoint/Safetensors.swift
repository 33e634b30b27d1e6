// The safetensors container (https://github.com/huggingface/safetensors), byte for byte:
//   [0, 8)        N, the header length, unsigned 64-bit little-endian
//   [8, 8 + N)    UTF-8 JSON object: {"<name>": {"dtype": "F32", "shape": [d0, …],
//                 "data_offsets": [begin, end]}, …, "__metadata__": {"<key>": "<value>"}},
//                 padded with spaces so that 8 + N is a multiple of 8 (as the Python writer does)
//   [8 + N, EOF)  the data section; each tensor's row-major little-endian bytes at [begin, end)
// The reader applies the reference implementation's checks: the byte ranges, sorted by begin,
// tile the data section exactly (no gap, overlap or trailing bytes) and each has
// shape-product × dtype-size bytes.
import AtomicFiles
import Foundation
import TensorCore

/// A floating-point element type of a safetensors file; every one is read into `Float`.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    /// IEEE binary32 (Quarry writes only this).
    case f32 = "F32"
    /// IEEE binary64, rounded to the nearest Float on reading.
    case f64 = "F64"
    /// IEEE binary16, widened exactly on reading.
    case f16 = "F16"
    /// bfloat16 (the top half of a binary32), widened exactly on reading.
    case bf16 = "BF16"

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .f32: 4
        case .f64: 8
        case .f16, .bf16: 2
        }
    }
}

/// The contents of a safetensors file: named tensors with their stored dtype, and string metadata.
public struct SafetensorsFile {
    /// One stored tensor: its dtype in the file and its value as Float.
    public struct Entry {
        /// The dtype the file stores (the value is converted to Float on reading).
        public var dtype: SafetensorsDType
        /// The tensor, shape as stored.
        public var tensor: Tensor

        /// Creates an entry.
        public init(dtype: SafetensorsDType, tensor: Tensor) { self.dtype = dtype; self.tensor = tensor }
    }

    /// The tensors by name.
    public var entries: [String: Entry]
    /// The `__metadata__` object (string to string), empty when absent.
    public var metadata: [String: String]

    /// Creates a file of F32 tensors with optional metadata.
    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        entries = tensors.mapValues { Entry(dtype: .f32, tensor: $0) }
        self.metadata = metadata
    }

    /// The tensors by name, without dtypes.
    public var tensors: [String: Tensor] { entries.mapValues(\.tensor) }

    /// Reads and validates a file.
    /// - Throws: `SafetensorsError` naming the file and the first problem found.
    public init(contentsOf url: URL) throws(SafetensorsError) {
        let bytes: [UInt8]
        do {
            bytes = try [UInt8](Data(contentsOf: url))
        } catch {
            throw .io(path: url.path, reason: error.localizedDescription)
        }
        try self.init(bytes: bytes, path: url.path)
    }

    /// Parses the bytes of a file; `path` is only used in error messages.
    /// - Throws: `SafetensorsError` for a short file, a bad header length, invalid JSON, an
    ///   unsupported dtype, or byte ranges that do not tile the data section.
    public init(bytes: [UInt8], path: String) throws(SafetensorsError) {
        guard bytes.count >= 8 else { throw .fileTooShort(path: path, size: bytes.count) }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        let available = bytes.count - 8
        // 100 MB is the limit of the reference implementation's header parser.
        guard length <= UInt64(available), length <= 100_000_000 else {
            throw .headerLengthOutOfRange(path: path, length: length, available: available)
        }
        let headerEnd = 8 + Int(length)
        let header = try SafetensorsHeader.decode(bytes[8..<headerEnd], path: path)
        let dataSize = bytes.count - headerEnd

        var entries: [String: Entry] = [:]
        var cursor = 0
        for item in header.tensors.sorted(by: { ($0.begin, $0.name) < ($1.begin, $1.name) }) {
            if item.begin != cursor {
                throw .offsetsNotContiguous(path: path, name: item.name, expectedBegin: cursor, begin: item.begin)
            }
            if item.end > dataSize { throw .offsetsOutOfRange(path: path, name: item.name, end: item.end, dataSize: dataSize) }
            let expected = item.elementCount * item.dtype.byteCount
            if item.end - item.begin != expected {
                throw .byteCountMismatch(path: path, name: item.name, expected: expected, actual: item.end - item.begin)
            }
            let scalars = bytes.withUnsafeBytes { raw in
                Self.decodeScalars(UnsafeRawBufferPointer(rebasing: raw[(headerEnd + item.begin)..<(headerEnd + item.end)]),
                                   dtype: item.dtype, count: item.elementCount)
            }
            entries[item.name] = Entry(dtype: item.dtype, tensor: Tensor(shape: item.shape, scalars: scalars))
            cursor = item.end
        }
        if cursor != dataSize { throw .trailingBytes(path: path, covered: cursor, dataSize: dataSize) }
        self.entries = entries
        metadata = header.metadata
    }

    /// Converts `count` little-endian elements of `dtype` to Float.
    static func decodeScalars(_ raw: UnsafeRawBufferPointer, dtype: SafetensorsDType, count: Int) -> [Float] {
        [Float](uninitializedCount: count) { out in
            switch dtype {
            case .f32:
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
            case .f64:
                for i in 0..<count {
                    out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            case .f16:
                for i in 0..<count {
                    out[i] = Self.widenHalf(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                }
            case .bf16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            }
        }
    }

    /// The exact Float value of an IEEE binary16 bit pattern (subnormals, infinities, NaN included).
    static func widenHalf(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F), mantissa = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// The file's bytes: header (names sorted, `__metadata__` first when present, padded with
    /// spaces to a multiple of 8) and the F32 data in the same name order. Every entry is
    /// written as F32, whatever dtype it was read as.
    public func serialized() -> [UInt8] {
        let names = entries.keys.sorted()
        var json = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = entries[name]!.tensor
            let end = offset + 4 * tensor.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        json += fields.joined(separator: ",") + "}"
        var header = Array(json.utf8)
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        let length = UInt64(header.count)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(i)))) }
        bytes.append(contentsOf: header)
        for name in names {
            let scalars = entries[name]!.tensor.scalars
            #if _endian(little)
            scalars.withUnsafeBytes { bytes.append(contentsOf: $0) }
            #else
            for x in scalars {
                let bits = x.bitPattern
                for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
            }
            #endif
        }
        return bytes
    }

    /// Writes the file atomically (`AtomicFile`: a temporary file in the same folder, fsync,
    /// rename, fsync of the folder), so a crash leaves either the old file or the complete new one.
    /// The temporary file is `.<name>.tmp-<pid>-<random>`.
    /// - Throws: `SafetensorsError.io` naming the path, the failed step and the system error.
    public func write(to url: URL) throws(SafetensorsError) {
        do { try AtomicFile.write(serialized(), to: url) } catch { throw .io(path: error.path, reason: error.reason) }
    }
}

/// A JSON string literal for `s` (quotes, backslashes and control characters escaped).
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += "\\u00" + String(scalar.value >> 4, radix: 16) + String(scalar.value & 0xF, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
