import AtomicFiles
import CImageCodecs
import Foundation

// MARK: - Encoding RGBImage as PNG

extension RGBImage {
    /// Encodes the image as an 8-bit RGB PNG (libpng's simplified writer, default compression).
    /// - Parameter name: the name errors report.
    /// - Returns: the PNG file's bytes.
    /// - Throws: `ImageCodecError.writeFailed` or `.tooLarge` naming `name` (e.g. an empty image).
    public func pngEncoded(name: String = "<memory>") throws(ImageCodecError) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 512)
        let status = pixels.withUnsafeBufferPointer { input in
            message.withUnsafeMutableBufferPointer { text in
                quarry_png_encode_rgb(input.baseAddress, Int32(clamping: width), Int32(clamping: height),
                                      &output, &size, text.baseAddress, text.count)
            }
        }
        defer { quarry_codec_free(output) }
        let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard Int(status) == QUARRY_CODEC_OK, let output else {
            throw .writeFailed(file: name, reason: reason.isEmpty ? "PNG encoding failed" : reason)
        }
        return [UInt8](UnsafeBufferPointer(start: output, count: size))
    }

    /// Writes the image as a PNG file, atomically (`AtomicFile`: a temporary file in the same
    /// folder, fsync, rename), so readers never see a half-written file.
    /// - Throws: `ImageCodecError.writeFailed` naming the file (encoding failed, folder missing
    ///   or not writable).
    public func writePNG(to url: URL) throws(ImageCodecError) {
        let bytes = try pngEncoded(name: url.path)
        do { try AtomicFile.write(bytes, to: url) } catch { throw .writeFailed(file: url.path, reason: error.reason) }
    }
}
