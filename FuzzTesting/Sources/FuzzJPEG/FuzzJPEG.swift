// libFuzzer harness: JPEG decoding (the C shim over libjpeg with its warnings-as-errors and size
// limit) and the Swift EXIF orientation parser, which reads offsets from the file.
import Foundation
import Quarry

/// libFuzzer's entry point: decodes `count` bytes at `start` as an image file (the seeds are
/// JPEGs) and reads their EXIF orientation directly, since decoding reaches it only on success.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    _ = ExifOrientation.reading(jpeg: bytes)
    if let image = try? RGBImage(decoding: bytes, name: "fuzz.jpg") {
        precondition(image.pixels.count == image.width * image.height * 3, "decoded \(image) with \(image.pixels.count) bytes")
    }
    return 0
}
