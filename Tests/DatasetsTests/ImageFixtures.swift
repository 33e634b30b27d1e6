import Foundation
import Testing
import TestSupport
@testable import Datasets

/// The tiny image fixtures of `Tests/Fixtures/images` (written by its `make_fixtures.py`).
enum ImageFixtures {
    static func url(_ name: String) -> URL { Fixtures.url("images/\(name)") }

    /// The 4 × 3 RGB pattern of the PNG fixtures, row-major.
    static let rgb: [[(UInt8, UInt8, UInt8)]] = [
        [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)],
        [(0, 0, 0), (128, 64, 32), (10, 20, 30), (200, 100, 50)],
        [(1, 2, 3), (254, 253, 252), (90, 180, 45), (17, 34, 68)],
    ]
    /// The 4 × 3 grey pattern of the PNG fixtures.
    static let gray: [[UInt8]] = [[0, 50, 100, 150], [200, 255, 1, 254], [17, 34, 68, 136]]

    /// `[H, W, 3]` bytes of the RGB pattern.
    static var rgbPixels: [UInt8] { rgb.flatMap { $0.flatMap { [$0.0, $0.1, $0.2] } } }
    /// `[H, W, 3]` bytes of a grey pattern replicated to RGB.
    static func grayPixels(_ values: [[UInt8]]) -> [UInt8] { values.flatMap { $0.flatMap { [$0, $0, $0] } } }

    /// The Adam7 fixture: pixel (x, y) = (30x, 30y, 15(x + y)), 8 × 8.
    static var interlacedPixels: [UInt8] {
        var pixels: [UInt8] = []
        for y in 0..<8 {
            for x in 0..<8 { pixels += [UInt8(30 * x), UInt8(30 * y), UInt8(15 * (x + y))] }
        }
        return pixels
    }

    /// Pillow's decode of the JPEG fixtures (after `ImageOps.exif_transpose`).
    static func jpegReference(_ name: String) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        let all = try #require(try Fixtures.json("images/jpeg_expected.json") as? [String: Any])
        let entry = try #require(all[name] as? [String: Any])
        let pixels = try #require(entry["pixels"] as? [Int])
        return (try #require(entry["width"] as? Int), try #require(entry["height"] as? Int), pixels.map { UInt8($0) })
    }
}

/// A fresh temporary folder for tests that write files.
func makeTemporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-data-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
