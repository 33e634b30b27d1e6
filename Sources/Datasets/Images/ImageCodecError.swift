/// The image container formats Quarry reads.
public enum ImageFormat: String, Sendable, Equatable {
    /// Portable Network Graphics (any colour type, 1–16 bits, interlaced or not).
    case png
    /// JPEG/JFIF (baseline or progressive; EXIF orientation applied).
    case jpeg

    /// The format announced by the first bytes of `bytes`, or `nil` if neither signature matches.
    /// PNG starts with `89 50 4E 47 0D 0A 1A 0A`, JPEG with the SOI marker `FF D8 FF`.
    public static func sniffing<Bytes: Collection>(_ bytes: Bytes) -> ImageFormat? where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(8))
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF { return .jpeg }
        return nil
    }
}

/// A recoverable failure reading or writing an image; every case names the file.
public enum ImageCodecError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read (missing, unreadable, a folder).
    case unreadable(file: String, reason: String)
    /// The bytes are neither PNG nor JPEG.
    case unsupportedFormat(file: String)
    /// The decoder rejected the data: truncated, corrupt, or an unsupported variant.
    case corrupt(file: String, format: ImageFormat, reason: String)
    /// The image exceeds 2^28 pixels, or memory for it could not be allocated.
    case tooLarge(file: String, reason: String)
    /// Encoding or writing the output file failed.
    case writeFailed(file: String, reason: String)

    /// A one-line message naming the file.
    public var description: String {
        switch self {
        case let .unreadable(file, reason): "cannot read image '\(file)': \(reason)"
        case let .unsupportedFormat(file): "'\(file)' is not a PNG or JPEG image"
        case let .corrupt(file, format, reason): "corrupt \(format.rawValue.uppercased()) '\(file)': \(reason)"
        case let .tooLarge(file, reason): "image '\(file)' too large: \(reason)"
        case let .writeFailed(file, reason): "cannot write image '\(file)': \(reason)"
        }
    }
}
