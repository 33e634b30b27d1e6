import DetectionKernels
import Kernels
import Testing
import TestSupport

// Legend: S sizes, R aspect ratios, A = R·S anchors per location, h×w feature map;
// anchors [h·w·A, 4] (x1, y1, x2, y2) pixels.

/// Runs `Kernels.gridAnchors` on arrays.
private func gridAnchors(h: Int, w: Int, stride: (Int, Int), sizes: [Float], ratios: [Float]) -> [Float] {
    var anchors = [Float](repeating: .nan, count: 4 * h * w * sizes.count * ratios.count)
    anchors.withUnsafeMutableBufferPointer {
        Kernels.gridAnchors($0, featureHeight: h, featureWidth: w, strideHeight: stride.0, strideWidth: stride.1,
                            sizes: sizes, aspectRatios: ratios)
    }
    return anchors
}

@Suite("Anchor generation")
struct AnchorTests {
    @Test("grid anchors equal torchvision's AnchorGenerator exactly, in order (anchors.json)")
    func fixture() throws {
        let root = try #require(try Fixtures.json("anchors.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        for c in cases {
            let sizes = flattenNumbers(c["sizes"]!).map(Float.init)
            let ratios = flattenNumbers(c["aspect_ratios"]!).map(Float.init)
            let image = flattenNumbers(c["image_hw"]!).map { Int($0) }
            let feature = flattenNumbers(c["feature_hw"]!).map { Int($0) }
            // torchvision: stride = image size // feature size, per axis.
            let anchors = gridAnchors(h: feature[0], w: feature[1], stride: (image[0] / feature[0], image[1] / feature[1]),
                                      sizes: sizes, ratios: ratios)
            #expect(anchors == flattenNumbers(c["anchors"]!).map(Float.init))
        }
    }

    @Test("base anchors: ratio-major, size-minor, rounded half to even")
    func baseAnchors() {
        var base = [Float](repeating: .nan, count: 4 * 2 * 2)
        base.withUnsafeMutableBufferPointer { Kernels.baseAnchors($0, sizes: [16, 5], aspectRatios: [1, 4]) }
        // Ratio 1: ±8 and ±2.5 → round half to even gives ±2. Ratio 4: h = 2s, w = s/2:
        // size 16 → w/2 = 4, h/2 = 16; size 5 → w/2 = 1.25 → 1, h/2 = 5.
        #expect(base == [-8, -8, 8, 8, -2, -2, 2, 2, -4, -16, 4, 16, -1, -5, 1, 5])
    }

    @Test("TinyFasterRCNN's map: 50×50 cells × 9 anchors, last location shifted by 49·8")
    func designCount() {
        let anchors = gridAnchors(h: 50, w: 50, stride: (8, 8), sizes: [16, 32, 64], ratios: [0.5, 1, 2])
        #expect(anchors.count == 22_500 * 4)
        let first = Array(anchors[0..<36]), last = Array(anchors[(anchors.count - 36)...])
        #expect(zip(first, last).allSatisfy { $1 - $0 == 392 })
        // Location (y 0, x 1) follows the 9 anchors of location (0, 0).
        #expect(anchors[36] == anchors[0] + 8 && anchors[37] == anchors[1])
    }

    @Test("an empty feature map gives no anchors")
    func empty() {
        #expect(gridAnchors(h: 0, w: 5, stride: (8, 8), sizes: [16], ratios: [1]).isEmpty)
    }
}
