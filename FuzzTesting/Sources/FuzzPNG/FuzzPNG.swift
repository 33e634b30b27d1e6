// libFuzzer harness: PNG decoding (the C shim over libpng, its size limit, the copy into Swift).
import Foundation
import Quarry

/// libFuzzer's entry point: decodes `count` bytes at `start` as an image file (the seeds are
/// PNGs, so the PNG path is the one explored).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    if let image = try? RGBImage(decoding: bytes, name: "fuzz.png") {
        precondition(image.pixels.count == image.width * image.height * 3, "decoded \(image) with \(image.pixels.count) bytes")
    }
    return 0
}
