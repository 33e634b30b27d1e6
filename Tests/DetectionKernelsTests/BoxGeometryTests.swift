import DetectionKernels
import Kernels
import Testing
import TestSupport

// Legend: N boxes [N, 4] in pixels, in the format each test names.

@Suite("Box area, clipping and small-box removal")
struct BoxGeometryTests {
    @Test("areas are (x2 − x1)·(y2 − y1) with no +1")
    func areas() {
        let boxes: [Float] = [0, 0, 10, 5, 2, 3, 2, 9, 1.5, 1, 4, 3]
        var areas = [Float](repeating: .nan, count: 3)
        boxes.withUnsafeBufferPointer { b in areas.withUnsafeMutableBufferPointer { Kernels.boxAreas($0, b, count: 3) } }
        #expect(areas == [50, 0, 5])
    }

    @Test("clipping clamps x to [0, W] and y to [0, H]; boxes outside collapse onto the border")
    func clip() {
        var boxes: [Float] = [-5, -3, 50, 20, 10, 10, 20, 20, 120, 5, 130, 8, -20, 70, -10, 90]
        boxes.withUnsafeMutableBufferPointer { Kernels.clipBoxes($0, count: 4, imageHeight: 60, imageWidth: 100) }
        #expect(boxes == [0, 0, 50, 20, 10, 10, 20, 20, 100, 5, 100, 8, 0, 60, 0, 60])
    }

    @Test("small boxes are removed when a side is below the minimum; indices stay in order")
    func removeSmall() {
        // Widths/heights: 10×10, 0.5×10, 10×0.0009, 1×1 (exactly the minimum is kept), NaN.
        let boxes: [Float] = [0, 0, 10, 10, 0, 0, 0.5, 10, 0, 0, 10, 0.0009, 3, 3, 4, 4, 0, 0, .nan, 1]
        var kept = [Int](repeating: -1, count: 5)
        let count = boxes.withUnsafeBufferPointer { b in
            kept.withUnsafeMutableBufferPointer { Kernels.removeSmallBoxes($0, b, count: 5, minimumSize: 1) }
        }
        #expect(Array(kept.prefix(count)) == [0, 3])
        let tiny = boxes.withUnsafeBufferPointer { b in
            kept.withUnsafeMutableBufferPointer { Kernels.removeSmallBoxes($0, b, count: 5, minimumSize: 1e-3) }
        }
        #expect(Array(kept.prefix(tiny)) == [0, 1, 3])
        #expect([Float]().withUnsafeBufferPointer { b in
            kept.withUnsafeMutableBufferPointer { Kernels.removeSmallBoxes($0, b, count: 0, minimumSize: 1) }
        } == 0)
    }
}
