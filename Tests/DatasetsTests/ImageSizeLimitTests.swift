// The smallest and the oversized images: a 1×1 image is an image like any other; one whose
// header declares more than 2^28 pixels (20,000 × 20,000 is 4 · 10^8) is refused from its header,
// before the decoder allocates its pixel buffer.
import Foundation
import Testing
import TestSupport
@testable import Datasets

@Suite("Image size limits")
struct ImageSizeLimitTests {
    /// The CRC-32 of PNG chunks (ISO 3309, polynomial 0xEDB88320), over the type and data.
    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }

    /// A PNG fixture (4 × 3, whole) with its IHDR width and height replaced and the chunk's CRC
    /// redone, so that libpng accepts the header.
    static func png(width: UInt32, height: UInt32) throws -> [UInt8] {
        var bytes = try [UInt8](Data(contentsOf: ImageFixtures.url("rgb8.png")))
        // Signature (8), IHDR length (4), "IHDR" (4) at 12, width at 16, height at 20, CRC at 29.
        #expect(Array(bytes[12..<16]) == Array("IHDR".utf8))
        bytes.replaceSubrange(16..<20, with: bigEndian(width))
        bytes.replaceSubrange(20..<24, with: bigEndian(height))
        bytes.replaceSubrange(29..<33, with: bigEndian(crc32(bytes[12..<29])))
        return bytes
    }

    /// A JPEG fixture with its frame header's (SOF0) height and width replaced, whole otherwise.
    static func jpeg(width: UInt16, height: UInt16) throws -> [UInt8] {
        var bytes = try [UInt8](Data(contentsOf: ImageFixtures.url("baseline.jpg")))
        let sof = try #require((2..<bytes.count - 9).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        // FF C0, length (2), precision (1), height (2) at +5, width (2) at +7.
        bytes.replaceSubrange((sof + 5)..<(sof + 9), with: [UInt8(height >> 8), UInt8(height & 0xFF),
                                                            UInt8(width >> 8), UInt8(width & 0xFF)])
        return bytes
    }

    @Test("a 1×1 PNG and a 1×1 JPEG decode to their one pixel")
    func onePixel() throws {
        let dot = RGBImage(width: 1, height: 1, pixels: [200, 100, 50])
        let png = try RGBImage(decoding: try dot.pngEncoded(), name: "dot.png")
        #expect(png == dot)
        let jpeg = try RGBImage(contentsOf: ImageFixtures.url("one_pixel.jpg"))
        let reference = try ImageFixtures.jpegReference("one_pixel.jpg")
        #expect(jpeg.width == 1 && jpeg.height == 1 && reference.width == 1 && reference.height == 1)
        #expect(zip(jpeg.pixels, reference.pixels).allSatisfy { abs(Int($0) - Int($1)) <= 2 }, "\(jpeg.pixels) vs Pillow's \(reference.pixels)")
    }

    @Test("20,000 × 20,000 is refused as too large from the header, PNG and JPEG alike")
    func twentyThousandSquared() throws {
        for (name, bytes) in [("big.png", try Self.png(width: 20_000, height: 20_000)),
                              ("big.jpg", try Self.jpeg(width: 20_000, height: 20_000))] {
            let error = try #require(throws: ImageCodecError.self) { try RGBImage(decoding: bytes, name: name) }
            // `.tooLarge`, not `.corrupt`: each file holds the pixel data of a 4 × 3 image, so the
            // refusal came from the size check, which the shim makes right after reading the
            // header, before it allocates the pixel buffer (4.8 GB here).
            #expect(error == .tooLarge(file: name, reason: "image dimensions exceed 2^28 pixels"), "\(error)")
            #expect(error.description.contains(name))
        }
    }

    @Test("the limit is 2^28 pixels: 16,384 × 16,385 is refused")
    func limitBoundary() throws {
        let error = try #require(throws: ImageCodecError.self) {
            try RGBImage(decoding: try Self.png(width: 16_384, height: 16_385), name: "over.png")
        }
        #expect(error == .tooLarge(file: "over.png", reason: "image dimensions exceed 2^28 pixels"))
    }

    @Test("a dataset whose image declares 20,000 × 20,000 pixels is an unreadable-image error naming both files")
    func datasetRefusesHugeImage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-huge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appendingPathComponent("huge.png")
        try Data(try Self.png(width: 20_000, height: 20_000)).write(to: image)
        let xml = folder.appendingPathComponent("huge.xml")
        try """
            <annotation><filename>huge.png</filename><object><name>Tree</name>
            <bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax></bndbox></object></annotation>
            """.write(to: xml, atomically: true, encoding: .utf8)
        let error = try #require(throws: AnnotationError.self) { try DetectionDataset.load(from: folder) }
        #expect(error == .unreadableImage(file: xml.path, error: .tooLarge(file: image.path, reason: "image dimensions exceed 2^28 pixels")))
    }

    @Test("a short PNG declaring 16,384 × 16,384 pixels (within the limit) is corrupt before its 768 MiB buffer is allocated")
    func shortFileLargeImage() throws {
        // 16,384 rows of 49,152 bytes cannot deflate into this file's 98 bytes (at most 1032:1).
        let bytes = try Self.png(width: 16_384, height: 16_384)
        #expect(bytes.count < 100)
        #expect(throws: ImageCodecError.corrupt(file: "short.png", format: .png,
                                                reason: "the file is too short for the image size its header declares (truncated?)")) {
            try RGBImage(decoding: bytes, name: "short.png")
        }
    }
}
