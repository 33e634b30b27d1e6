// EXIF orientation: how a camera says the stored pixels must be turned to display upright.

/// The EXIF `Orientation` tag (0x0112) values 1–8, named for the transform that makes the
/// stored pixels upright (the TIFF 6.0 / EXIF 2.3 definitions; Pillow's `ImageOps.exif_transpose`).
public enum ExifOrientation: Int, Sendable, CaseIterable {
    /// 1: stored upright.
    case up = 1
    /// 2: mirror left–right.
    case upMirrored = 2
    /// 3: rotate 180°.
    case down = 3
    /// 4: mirror top–bottom.
    case downMirrored = 4
    /// 5: transpose (swap x and y: mirror left–right, then rotate 90° counter-clockwise).
    case leftMirrored = 5
    /// 6: rotate 90° clockwise.
    case right = 6
    /// 7: transverse (mirror left–right, then rotate 90° clockwise).
    case rightMirrored = 7
    /// 8: rotate 90° counter-clockwise.
    case left = 8

    /// Whether the upright image swaps the stored width and height.
    public var swapsDimensions: Bool { rawValue >= 5 }

    /// Reads the orientation from a JPEG's APP1 `Exif` segment.
    ///
    /// Walks the markers from SOI up to the first SOS, finds an APP1 segment starting with
    /// `Exif\0\0`, reads the TIFF header (`II` or `MM` byte order) and IFD0, and returns the
    /// value of tag 0x0112 if it is 1–8.
    /// - Returns: `nil` when there is no EXIF segment, no orientation tag, an out-of-range
    ///   value, or malformed EXIF data (which is treated as "no orientation", never an error).
    public static func reading(jpeg bytes: [UInt8]) -> ExifOrientation? {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var position = 2
        while position + 4 <= bytes.count {
            guard bytes[position] == 0xFF else { return nil }
            let marker = bytes[position + 1]
            if marker == 0xFF { position += 1; continue }  // fill byte
            if marker == 0xD9 || marker == 0xDA { return nil }  // EOI or SOS: no EXIF before the data
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { position += 2; continue }
            let length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            guard length >= 2, position + 2 + length <= bytes.count else { return nil }
            let payload = (position + 4)..<(position + 2 + length)
            if marker == 0xE1, let value = orientationTag(in: bytes[payload]) {
                return ExifOrientation(rawValue: value)
            }
            position += 2 + length
        }
        return nil
    }

    /// The orientation value inside an APP1 payload, or `nil`.
    private static func orientationTag(in payload: ArraySlice<UInt8>) -> Int? {
        let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]  // "Exif\0\0"
        guard payload.count >= 6 + 8, Array(payload.prefix(6)) == exifHeader else { return nil }
        let tiff = Array(payload.dropFirst(6))
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true   // "II"
        case (0x4D, 0x4D): littleEndian = false  // "MM"
        default: return nil
        }
        func read(_ offset: Int, _ size: Int) -> Int? {
            guard offset >= 0, offset + size <= tiff.count else { return nil }
            var value = 0
            for index in 0..<size {
                let byte = Int(tiff[littleEndian ? offset + size - 1 - index : offset + index])
                value = value << 8 | byte
            }
            return value
        }
        guard read(2, 2) == 42, let ifd = read(4, 4), let entryCount = read(ifd, 2) else { return nil }
        for entry in 0..<entryCount {
            let base = ifd + 2 + entry * 12
            guard let tag = read(base, 2), let type = read(base + 2, 2) else { return nil }
            if tag == 0x0112 {
                // SHORT (type 3) is what the standard prescribes; the value sits left-justified
                // in the 4-byte value field. Accept LONG (type 4) written by sloppy encoders.
                return type == 4 ? read(base + 8, 4) : read(base + 8, 2)
            }
        }
        return nil
    }
}

// MARK: - Applying an orientation

extension RGBImage {
    /// Returns the image turned upright according to an EXIF orientation.
    ///
    /// For orientations 5–8 the result is `height × width`. Pixel (x', y') of the result
    /// comes from the stored pixel: 2 → (W−1−x', y'); 3 → (W−1−x', H−1−y'); 4 → (x', H−1−y');
    /// 5 → (y', x'); 6 → (y', H−1−x'); 7 → (W−1−y', H−1−x'); 8 → (W−1−y', x').
    public func oriented(_ orientation: ExifOrientation) -> RGBImage {
        if orientation == .up { return self }
        let (w, h) = (width, height)
        let (outWidth, outHeight) = orientation.swapsDimensions ? (h, w) : (w, h)
        var output = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let (sx, sy): (Int, Int)
                        switch orientation {
                        case .up: (sx, sy) = (x, y)
                        case .upMirrored: (sx, sy) = (w - 1 - x, y)
                        case .down: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case .downMirrored: (sx, sy) = (x, h - 1 - y)
                        case .leftMirrored: (sx, sy) = (y, x)
                        case .right: (sx, sy) = (y, h - 1 - x)
                        case .rightMirrored: (sx, sy) = (w - 1 - y, h - 1 - x)
                        case .left: (sx, sy) = (w - 1 - y, x)
                        }
                        let from = (sy * w + sx) * 3
                        let to = (y * outWidth + x) * 3
                        target[to] = source[from]
                        target[to + 1] = source[from + 1]
                        target[to + 2] = source[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: output)
    }
}
