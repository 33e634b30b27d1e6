import Testing
import Foundation
import TensorCore
import NN
import TestSupport

/// A fresh, empty temporary folder for one test.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-nn-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A file image from a header string and raw data bytes (length field computed, no padding).
func safetensorsBytes(header: String, data: [UInt8]) -> [UInt8] {
    let h = Array(header.utf8)
    var bytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(h.count) >> (8 * UInt64($0))) }
    bytes += h + data
    return bytes
}

/// Little-endian bytes of Float32 values.
func littleEndianBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt32($0))) } }
}

@Suite("Safetensors: format, round trip, corrupt files")
struct SafetensorsTests {
    let sample = SafetensorsFile(
        tensors: ["b.weight": Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0, .leastNonzeroMagnitude, -0]),
                  "a.bias": Tensor(shape: [2], scalars: [0.25, -7]),
                  "scalar": Tensor(42)],
        metadata: ["iteration": "400", "note": "quote \" and\nnewline"])

    @Test("serialised layout: length, sorted names, spaces to a multiple of 8, F32 data in name order")
    func layout() throws {
        let bytes = sample.serialized()
        let length = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        #expect((8 + length) % 8 == 0)
        #expect(bytes.count == 8 + length + 4 * (6 + 2 + 1))
        let header = try #require(String(bytes: bytes[8..<(8 + length)], encoding: .utf8))
        #expect(header.hasPrefix("{\"__metadata__\":{\"iteration\":\"400\",\"note\":\"quote \\\" and\\nnewline\"},\"a.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"))
        #expect(header.contains("\"scalar\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[32,36]}"))
        #expect(header.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
        #expect(Array(bytes[(8 + length)..<(8 + length + 8)]) == littleEndianBytes([0.25, -7]))
    }

    @Test("round trip through a file: identical tensors and metadata, no temporary left behind")
    func roundTrip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        try sample.write(to: url)
        try sample.write(to: url)  // replacing an existing file
        let read = try SafetensorsFile(contentsOf: url)
        #expect(read.tensors == sample.tensors)
        #expect(read.metadata == sample.metadata)
        #expect(read.entries.values.allSatisfy { $0.dtype == .f32 })
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.safetensors"])
    }

    @Test("reads F64, F16 and BF16 into Float")
    func otherDTypes() throws {
        let f64 = [0.1, -1e300].flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt64($0))) } }
        // F16: 1, −2, 1/3 rounded (0x3555), 2⁻²⁴ (smallest subnormal), +inf.
        let f16: [UInt16] = [0x3C00, 0xC000, 0x3555, 0x0001, 0x7C00]
        // BF16: 1, −3.
        let bf16: [UInt16] = [0x3F80, 0xC040]
        let halves = (f16 + bf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let header = #"{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"h":{"dtype":"F16","shape":[5],"data_offsets":[16,26]},"# +
            #""b":{"dtype":"BF16","shape":[2],"data_offsets":[26,30]}}"#
        let file = try SafetensorsFile(bytes: safetensorsBytes(header: header, data: f64 + halves), path: "mixed")
        #expect(file.entries["d"]!.dtype == .f64 && file.entries["h"]!.dtype == .f16 && file.entries["b"]!.dtype == .bf16)
        #expect(file.tensors["d"]!.scalars == [Float(0.1), -.infinity])
        #expect(file.tensors["h"]!.scalars == [1, -2, 0.333251953125, 0x1p-24, .infinity])
        #expect(file.tensors["b"]!.scalars == [1, -3])
    }

    @Test("truncated files are typed errors at every cut point")
    func truncation() throws {
        let bytes = sample.serialized()
        let length = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        for cut in [0, 3, 7] {
            #expect(throws: SafetensorsError.fileTooShort(path: "t", size: cut)) {
                try SafetensorsFile(bytes: Array(bytes[..<cut]), path: "t")
            }
        }
        for cut in [8, 9, 8 + length / 2, 8 + length - 1] {
            #expect(throws: SafetensorsError.headerLengthOutOfRange(path: "t", length: UInt64(length), available: cut - 8)) {
                try SafetensorsFile(bytes: Array(bytes[..<cut]), path: "t")
            }
        }
        // Inside the data: the last tensor in offset order ("scalar", [32, 36)) runs past the end.
        for cut in [8 + length + 33, bytes.count - 1] {
            #expect(throws: SafetensorsError.offsetsOutOfRange(path: "t", name: "scalar", end: 36, dataSize: cut - 8 - length)) {
                try SafetensorsFile(bytes: Array(bytes[..<cut]), path: "t")
            }
        }
        // Cut before the second tensor's end: "b.weight" [8, 32) is the first that does not fit.
        #expect(throws: SafetensorsError.offsetsOutOfRange(path: "t", name: "b.weight", end: 32, dataSize: 10)) {
            try SafetensorsFile(bytes: Array(bytes[..<(8 + length + 10)]), path: "t")
        }
    }

    @Test("a corrupt header length is a typed error")
    func corruptLength() throws {
        var bytes = sample.serialized()
        bytes[7] = 0x80  // the high byte: an absurd length
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(bytes: bytes, path: "t") }
        // Off by a few bytes: the JSON is cut (invalid) or swallows data (invalid after the '}').
        for delta in [-3, 5] {
            var shifted = sample.serialized()
            shifted[0] = UInt8(Int(shifted[0]) + delta)
            #expect {
                try SafetensorsFile(bytes: shifted, path: "t")
            } throws: { error in
                guard case .invalidHeader(path: "t", reason: _) = error as? SafetensorsError else { return false }
                return true
            }
        }
    }

    @Test("bad JSON, bad fields and bad offsets are typed errors")
    func badHeaders() throws {
        func parse(_ header: String, _ data: [UInt8] = littleEndianBytes([1, 2])) throws {
            _ = try SafetensorsFile(bytes: safetensorsBytes(header: header, data: data), path: "h")
        }
        func isInvalidHeader(_ error: any Error) -> Bool {
            if case .invalidHeader = error as? SafetensorsError { return true }
            return false
        }
        #expect(performing: { try parse("not json") }, throws: isInvalidHeader)
        #expect(performing: { try parse(#"{"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}"#) }, throws: isInvalidHeader)
        #expect(performing: { try parse(#"{"x": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}"#) }, throws: isInvalidHeader)
        #expect(performing: { try parse(#"{"x": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}"#) }, throws: isInvalidHeader)
        #expect(performing: { try parse(#"{"x": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}}"#) }, throws: isInvalidHeader)
        #expect(performing: { try parse(#"{"x": {"dtype": "F32", "shape": [2]}}"#) }, throws: isInvalidHeader)
        #expect(performing: { try parse(#"{"__metadata__": {"a": 1}}"#, []) }, throws: isInvalidHeader)
        #expect(throws: SafetensorsError.unsupportedDType(path: "h", name: "x", dtype: "I64")) {
            try parse(#"{"x": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}"#)
        }
        #expect(throws: SafetensorsError.byteCountMismatch(path: "h", name: "x", expected: 12, actual: 8)) {
            try parse(#"{"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#)
        }
        // Overlap: y starts inside x.
        #expect(throws: SafetensorsError.offsetsNotContiguous(path: "h", name: "y", expectedBegin: 8, begin: 4)) {
            try parse(#"{"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "y": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#)
        }
        // Gap at the start.
        #expect(throws: SafetensorsError.offsetsNotContiguous(path: "h", name: "x", expectedBegin: 0, begin: 4)) {
            try parse(#"{"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#)
        }
        #expect(throws: SafetensorsError.trailingBytes(path: "h", covered: 4, dataSize: 8)) {
            try parse(#"{"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#)
        }
        // Valid, with spaces: accepted.
        try parse(#"{"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}    "#)
    }

    @Test("a missing file is an I/O error naming it")
    func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/quarry/model.safetensors")
        #expect {
            try SafetensorsFile(contentsOf: url)
        } throws: { error in
            guard case let .io(path, _) = error as? SafetensorsError else { return false }
            return path == url.path
        }
    }
}
