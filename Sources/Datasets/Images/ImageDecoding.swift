import CImageCodecs
import Foundation

// MARK: - Decoding PNG and JPEG into RGBImage

extension RGBImage {
    /// Reads and decodes a PNG or JPEG file (the format is sniffed from the first bytes).
    ///
    /// PNG: every colour type and bit depth, interlaced or not, through libpng; 16-bit samples
    /// are scaled to 8 bits with rounding (`(v · 255 + 32895) >> 16`, i.e. round(v / 257));
    /// low-bit grey is expanded (`v · 255 / (2^depth − 1)`); grey is replicated to RGB; alpha
    /// (an alpha channel or a palette `tRNS`) is dropped, not composited; `gAMA`/`iCCP` are
    /// ignored, so the samples are the file's own (as Pillow gives them). The file must be
    /// complete up to its IEND chunk.
    /// JPEG: baseline and progressive through libjpeg, gray replicated, CMYK converted; the
    /// EXIF orientation (APP1 `Exif` tag 0x0112, values 1–8) is applied, so the result is upright.
    /// - Parameter url: a file URL.
    /// - Throws: `ImageCodecError` naming the file: `.unreadable`, `.unsupportedFormat`,
    ///   `.corrupt` (truncated or damaged data, including libjpeg warnings), `.tooLarge`.
    public init(contentsOf url: URL) throws(ImageCodecError) {
        let bytes: Foundation.Data
        do {
            bytes = try Foundation.Data(contentsOf: url)
        } catch {
            throw .unreadable(file: url.path, reason: error.localizedDescription)
        }
        try self.init(decoding: [UInt8](bytes), name: url.path)
    }

    /// Decodes PNG or JPEG bytes held in memory.
    /// - Parameters:
    ///   - bytes: the encoded file.
    ///   - name: the name errors report (usually the file path).
    /// - Throws: `ImageCodecError` naming `name`, as `init(contentsOf:)`.
    public init(decoding bytes: [UInt8], name: String) throws(ImageCodecError) {
        switch ImageFormat.sniffing(bytes) {
        case .png:
            self = try Self.decodeWithShim(bytes, name: name, format: .png, quarry_png_decode)
        case .jpeg:
            let image = try Self.decodeWithShim(bytes, name: name, format: .jpeg, quarry_jpeg_decode)
            let orientation = ExifOrientation.reading(jpeg: bytes) ?? .up
            self = image.oriented(orientation)
        case nil:
            throw .unsupportedFormat(file: name)
        }
    }

    private typealias ShimDecoder = (
        UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
        UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<CChar>?, Int
    ) -> Int32

    /// Calls one C decoder and copies its malloc'd RGB buffer into a Swift array.
    private static func decodeWithShim(_ bytes: [UInt8], name: String, format: ImageFormat,
                                       _ decode: ShimDecoder) throws(ImageCodecError) -> RGBImage {
        var output: UnsafeMutablePointer<UInt8>? = nil
        var width: Int32 = 0
        var height: Int32 = 0
        var message = [CChar](repeating: 0, count: 512)
        let status = bytes.withUnsafeBufferPointer { input in
            message.withUnsafeMutableBufferPointer { text in
                decode(input.baseAddress, input.count, &output, &width, &height, text.baseAddress, text.count)
            }
        }
        defer { quarry_codec_free(output) }
        let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(status) {
        case QUARRY_CODEC_OK:
            guard let output else { throw .corrupt(file: name, format: format, reason: "decoder returned no pixels") }
            let count = Int(width) * Int(height) * 3
            let pixels = [UInt8](UnsafeBufferPointer(start: output, count: count))
            return RGBImage(width: Int(width), height: Int(height), pixels: pixels)
        case QUARRY_CODEC_TOO_LARGE:
            throw .tooLarge(file: name, reason: reason)
        default:
            throw .corrupt(file: name, format: format, reason: reason.isEmpty ? "decoding failed" : reason)
        }
    }
}
