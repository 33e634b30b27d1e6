import Testing
@testable import Datasets

/// Pixel writes must mutate a uniquely held image in place: a write that copies every byte made
/// drawing boxes on a large image quadratic.
@Suite("RGBImage in-place writes")
struct RGBImageWriteTests {
    /// The address of the image's pixel storage.
    func storageAddress(_ image: RGBImage) -> UnsafeRawPointer? {
        image.pixels.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    @Test("subscript and pixels writes keep the storage of a uniquely held image")
    func writesDoNotCopy() {
        var image = RGBImage(width: 5, height: 4)
        let before = storageAddress(image)
        // Checked after each write: a copying write frees the old buffer, which a later copy may reuse.
        image[2, 1] = .yellow
        #expect(storageAddress(image) == before)
        image.pixels[0] = 9
        #expect(storageAddress(image) == before)
        #expect(image[2, 1] == .yellow && image.pixels[0] == 9)
    }

    @Test("a write to a copy leaves the original unchanged (value semantics)")
    func copyOnWrite() {
        let original = RGBImage(width: 2, height: 1)
        var copy = original
        copy[1, 0] = .white
        #expect(original.pixels == [0, 0, 0, 0, 0, 0])
        #expect(copy.pixels == [0, 0, 0, 255, 255, 255])
    }
}

@Suite("RGBImage description")
struct RGBImageDescriptionTests {
    @Test("an image prints its size, not its pixel bytes")
    func description() {
        #expect("\(RGBImage(width: 400, height: 300))" == "RGBImage(width: 400, height: 300)")
    }
}
