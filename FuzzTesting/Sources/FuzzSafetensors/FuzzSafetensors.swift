// libFuzzer harness: the safetensors container (header length, JSON header, dtypes, shapes,
// offsets). A file that reads must also survive Quarry's own write and read back unchanged,
// since a checkpoint that does not round-trip would corrupt a resumed run.
import Foundation
import Quarry

/// The bit patterns of every tensor, by name, so NaN payloads compare exactly.
func bitPatterns(_ file: SafetensorsFile) -> [String: [UInt32]] {
    file.tensors.mapValues { $0.scalars.map(\.bitPattern) }
}

/// libFuzzer's entry point: parses `count` bytes at `start` as a safetensors file; on success,
/// serialises it and checks the result reads back with the same names, shapes, values and metadata.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    guard let file = try? SafetensorsFile(bytes: bytes, path: "fuzz.safetensors") else { return 0 }
    let written = SafetensorsFile(tensors: file.tensors, metadata: file.metadata).serialized()
    let reread: SafetensorsFile
    do { reread = try SafetensorsFile(bytes: written, path: "rewritten.safetensors") } catch {
        preconditionFailure("a file Quarry read does not read back after writing: \(error)")
    }
    precondition(reread.metadata == file.metadata, "metadata changed in the round trip")
    precondition(reread.tensors.mapValues(\.shape) == file.tensors.mapValues(\.shape), "shapes changed in the round trip")
    precondition(bitPatterns(reread) == bitPatterns(file), "values changed in the round trip")
    return 0
}
