// Tiled detection: a single tile equals plain detection, and a wide image's first-tile
// detections away from the seam survive the merge unchanged.
import Detection
import TensorCore
import Testing
import TestSupport

@Suite("Tiled detection", .serialized)
struct TiledDetectionTests {
    let golden = GoldenFixture.shared

    @Test func oneTileEqualsPlainDetection() throws {
        let model = try golden.model()
        let image = golden.image.reshaped(to: [3, 400, 400])
        #expect(model.detectTiled(image: image) == model.detect(images: golden.image)[0])
    }

    @Test func wideImageMergesTiles() throws {
        let model = try golden.model()
        // 400 × 700: the tile followed by its own first 300 columns; tiles at x = 0 and 300.
        let image = golden.image.reshaped(to: [3, 400, 400])
        let wide = Tensor.concatenate([image, image.slice(alongAxis: 2, 0..<300)], alongAxis: 2)
        let merged = model.detectTiled(image: wide)
        let first = model.detect(images: golden.image)[0]
        // A first-tile box ending left of x = 300 cannot overlap any second-tile box.
        let b = first.boxes.scalars, m = merged.boxes.scalars
        var checked = 0
        for i in 0..<first.count where b[4 * i + 2] < 300 {
            let found = (0..<merged.count).contains { j in
                (0..<4).allSatisfy { m[4 * j + $0] == b[4 * i + $0] } && merged.scores[j] == first.scores[i]
            }
            #expect(found, "first-tile detection \(i) missing from the merge")
            checked += 1
        }
        #expect(checked > 10)
        #expect(merged.count > checked)
        #expect(merged.boxes.scalars.enumerated().allSatisfy { $0.offset % 2 == 0 ? $0.element <= 700 : $0.element <= 400 })
        #expect(zip(merged.scores, merged.scores.dropFirst()).allSatisfy { $0 >= $1 })
    }
}
