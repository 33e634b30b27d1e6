import Foundation
import Testing
@testable import Datasets

@Suite("Image decoding")
struct ImageDecodingTests {
    @Test("8-bit RGB PNG decodes exactly")
    func rgb8() throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url("rgb8.png"))
        #expect(image.width == 4 && image.height == 3)
        #expect(image.pixels == ImageFixtures.rgbPixels)
        #expect(image[1, 1] == RGBColor(red: 128, green: 64, blue: 32))
    }

    @Test("16-bit RGB PNG is scaled with rounding, not truncated")
    func rgb16() throws {
        // Samples are 257·v ± 100: rounding gives v back, taking the high byte would not
        // (e.g. 257·128 − 100 = 0x7F9C → high byte 127).
        let image = try RGBImage(contentsOf: ImageFixtures.url("rgb16.png"))
        #expect(image.pixels == ImageFixtures.rgbPixels)
    }

    @Test("RGBA PNG drops alpha without compositing")
    func rgba8() throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url("rgba8.png"))
        // Pixel (0, 0) has alpha 0 and is still pure red.
        #expect(image[0, 0] == .red)
        #expect(image.pixels == ImageFixtures.rgbPixels)
    }

    @Test("grey PNGs are replicated to RGB", arguments: ["gray8.png", "gray16.png", "gray_alpha8.png"])
    func gray(name: String) throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url(name))
        #expect(image.width == 4 && image.height == 3)
        #expect(image.pixels == ImageFixtures.grayPixels(ImageFixtures.gray))
    }

    @Test("4-bit grey PNG expands v to 17·v")
    func gray4() throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url("gray4.png"))
        let expected = ImageFixtures.gray.map { $0.map { ($0 % 16) * 17 } }
        #expect(image.pixels == ImageFixtures.grayPixels(expected))
    }

    @Test("4-bit palette PNG with tRNS gives the palette colours, alpha dropped")
    func palette() throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url("palette4.png"))
        #expect(image.pixels == ImageFixtures.rgbPixels)
    }

    @Test("Adam7-interlaced PNGs (8-bit RGB, 16-bit RGBA) de-interlace exactly",
          arguments: ["interlaced8.png", "interlaced_rgba16.png"])
    func interlaced(name: String) throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url(name))
        #expect(image.width == 8 && image.height == 8)
        #expect(image.pixels == ImageFixtures.interlacedPixels)
    }

    @Test("baseline, progressive, grey and CMYK JPEGs match Pillow within 2",
          arguments: ["baseline.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg"])
    func jpeg(name: String) throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url(name))
        let reference = try ImageFixtures.jpegReference(name)
        #expect(image.width == reference.width && image.height == reference.height)
        let worst = zip(image.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= 2, "largest difference \(worst)")
    }

    @Test("flat JPEG blocks decode to their colours within 4")
    func jpegBlockColours() throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url("progressive.jpg"))
        // Centres of the 8 × 8 blocks: red, green, blue / white, black, yellow (make_fixtures.py).
        let expected: [(Int, Int, [Int])] = [(4, 4, [220, 30, 30]), (12, 4, [30, 200, 40]), (20, 4, [40, 50, 210]),
                                             (4, 12, [240, 240, 240]), (12, 12, [20, 20, 20]), (20, 12, [230, 210, 40])]
        for (x, y, rgb) in expected {
            let pixel = image[x, y]
            let got = [Int(pixel.red), Int(pixel.green), Int(pixel.blue)]
            #expect(zip(got, rgb).allSatisfy { abs($0 - $1) <= 4 }, "(\(x), \(y)): \(got) vs \(rgb)")
        }
    }

    @Test("EXIF orientation 1–8 is applied like Pillow's exif_transpose", arguments: 1...8)
    func exifOrientation(orientation: Int) throws {
        let name = "exif\(orientation).jpg"
        let bytes = try [UInt8](Foundation.Data(contentsOf: ImageFixtures.url(name)))
        #expect(ExifOrientation.reading(jpeg: bytes)?.rawValue == orientation)
        let image = try RGBImage(contentsOf: ImageFixtures.url(name))
        let reference = try ImageFixtures.jpegReference(name)
        #expect(image.width == reference.width && image.height == reference.height)
        #expect(image.width == (orientation >= 5 ? 16 : 24))
        let worst = zip(image.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= 2, "largest difference \(worst)")
    }

    @Test("a JPEG without EXIF has no orientation")
    func noExif() throws {
        let bytes = try [UInt8](Foundation.Data(contentsOf: ImageFixtures.url("baseline.jpg")))
        #expect(ExifOrientation.reading(jpeg: bytes) == nil)
        #expect(ExifOrientation.reading(jpeg: [0xFF, 0xD8, 0xFF, 0xE1, 0x00]) == nil)
    }

    @Test("orientation transforms move a marked corner pixel where expected")
    func orientationGeometry() {
        // 3 × 2 image, stored pixel (0, 0) marked; where does it land upright?
        var image = RGBImage(width: 3, height: 2)
        image[0, 0] = .white
        let landing: [ExifOrientation: (Int, Int)] = [
            .up: (0, 0), .upMirrored: (2, 0), .down: (2, 1), .downMirrored: (0, 1),
            .leftMirrored: (0, 0), .right: (1, 0), .rightMirrored: (1, 2), .left: (0, 2),
        ]
        for (orientation, (x, y)) in landing {
            let upright = image.oriented(orientation)
            #expect(upright.width == (orientation.swapsDimensions ? 2 : 3))
            #expect(upright[x, y] == .white, "\(orientation)")
            #expect(upright.pixels.filter { $0 == 255 }.count == 3)
        }
    }

    @Test("truncated and corrupt files throw a typed error naming the file",
          arguments: ["truncated.png", "corrupt.png", "truncated.jpg"])
    func corrupt(name: String) throws {
        let url = ImageFixtures.url(name)
        let error = try #require(throws: ImageCodecError.self) { try RGBImage(contentsOf: url) }
        guard case let .corrupt(file, format, reason) = error else {
            Issue.record("expected .corrupt, got \(error)")
            return
        }
        #expect(file == url.path)
        #expect(format == (name.hasSuffix("png") ? .png : .jpeg))
        #expect(!reason.isEmpty)
        #expect(error.description.contains(name))
    }

    @Test("a text file, an empty buffer and a missing file are reported, not decoded")
    func notImages() throws {
        let text = ImageFixtures.url("not_an_image.png")
        #expect(throws: ImageCodecError.unsupportedFormat(file: text.path)) { try RGBImage(contentsOf: text) }
        #expect(throws: ImageCodecError.unsupportedFormat(file: "empty")) { try RGBImage(decoding: [], name: "empty") }
        let missing = ImageFixtures.url("no_such_file.png")
        let error = try #require(throws: ImageCodecError.self) { try RGBImage(contentsOf: missing) }
        guard case let .unreadable(file, _) = error else {
            Issue.record("expected .unreadable, got \(error)")
            return
        }
        #expect(file == missing.path)
    }

    @Test("every prefix of a JPEG and a PNG fails cleanly; none crashes")
    func everyTruncation() throws {
        for name in ["baseline.jpg", "rgb8.png"] {
            let bytes = try [UInt8](Foundation.Data(contentsOf: ImageFixtures.url(name)))
            var failures = 0
            for length in 0..<bytes.count {
                do {
                    _ = try RGBImage(decoding: Array(bytes.prefix(length)), name: name)
                } catch {
                    failures += 1
                }
            }
            // Only a JPEG cut inside its final EOI marker still holds the whole scan.
            #expect(failures >= bytes.count - 2, "\(name): \(failures) of \(bytes.count) prefixes failed")
        }
    }
}
