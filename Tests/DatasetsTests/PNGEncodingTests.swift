import Foundation
import Testing
@testable import Datasets

@Suite("PNG encoding and box drawing")
struct PNGEncodingTests {
    @Test("encode then decode gives the same pixels")
    func roundTrip() throws {
        var image = RGBImage(width: 5, height: 4)
        for index in image.pixels.indices { image.pixels[index] = UInt8((index * 37) % 256) }
        let bytes = try image.pngEncoded()
        #expect(ImageFormat.sniffing(bytes) == .png)
        #expect(try RGBImage(decoding: bytes, name: "memory") == image)
    }

    @Test("writePNG replaces the file atomically and leaves no temporary file")
    func atomicWrite() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("out.png")
        try RGBImage(width: 2, height: 2, filledWith: .red).writePNG(to: url)
        try RGBImage(width: 3, height: 1, filledWith: .green).writePNG(to: url)
        let reread = try RGBImage(contentsOf: url)
        #expect(reread == RGBImage(width: 3, height: 1, filledWith: .green))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.png"])
    }

    @Test("writing into a missing folder throws writeFailed naming the file")
    func writeFailure() throws {
        let url = URL(fileURLWithPath: "/nonexistent-quarry-folder/out.png")
        let error = try #require(throws: ImageCodecError.self) { try RGBImage(width: 1, height: 1).writePNG(to: url) }
        guard case let .writeFailed(file, _) = error else {
            Issue.record("expected .writeFailed, got \(error)")
            return
        }
        #expect(file == url.path)
    }

    @Test("drawRectangle paints a hollow outline of the given thickness")
    func outline() {
        var image = RGBImage(width: 8, height: 6)
        image.drawRectangle(BoundingBox(x1: 1, y1: 1, x2: 7, y2: 5), color: .yellow, thickness: 1)
        // Columns 1...6, rows 1...4: perimeter 2·6 + 2·2 = 16 pixels.
        var painted = 0
        for y in 0..<6 { for x in 0..<8 where image[x, y] == .yellow { painted += 1 } }
        #expect(painted == 16)
        #expect(image[1, 1] == .yellow && image[6, 4] == .yellow && image[3, 1] == .yellow)
        #expect(image[2, 2] == .black && image[7, 1] == .black && image[0, 0] == .black)
    }

    @Test("thick outlines fill small boxes; boxes past the edge are clipped; NaN draws nothing")
    func thickAndClipped() {
        var image = RGBImage(width: 6, height: 6)
        image.drawRectangle(BoundingBox(x1: 0, y1: 0, x2: 3, y2: 3), color: .white, thickness: 2)
        #expect((0..<3).allSatisfy { y in (0..<3).allSatisfy { x in image[x, y] == .white } })
        #expect(image[3, 0] == .black)

        var edge = RGBImage(width: 4, height: 4)
        edge.drawRectangle(BoundingBox(x1: 2, y1: -5, x2: 100, y2: 2), color: .red, thickness: 1)
        // Only the left and bottom sides are inside: column 2 rows 0–1 and row 1 columns 2–3.
        #expect(edge[2, 0] == .red && edge[2, 1] == .red && edge[3, 1] == .red)
        #expect(edge[3, 0] == .black && edge[1, 1] == .black)

        var untouched = RGBImage(width: 4, height: 4)
        untouched.drawRectangle(BoundingBox(x1: .nan, y1: 0, x2: 2, y2: 2), color: .red)
        untouched.drawRectangle(BoundingBox(x1: 10, y1: 10, x2: 20, y2: 20), color: .red)
        #expect(untouched == RGBImage(width: 4, height: 4))
    }
}
