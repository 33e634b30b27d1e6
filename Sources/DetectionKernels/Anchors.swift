// Legend: S anchor sizes, R aspect ratios, A = R·S anchors per location, h×w feature map (cells),
// stride in input-image pixels per feature cell; anchors [h·w·A, 4] as (x1, y1, x2, y2) pixels.
// Order (torchvision's AnchorGenerator): location-major (row y, then column x), then aspect
// ratio, then size: anchor (y, x, r, s) sits at row ((y·w + x)·R + r)·S + s.
import Kernels

extension Kernels {
    /// Writes the A = R·S anchors centred on the origin, aspect ratio major, size minor.
    ///
    /// For ratio r (height / width) and size s: `hRatio = sqrt(r)`, `wRatio = 1 / hRatio`,
    /// `ws = wRatio·s`, `hs = hRatio·s`, anchor = round((−ws, −hs, ws, hs) / 2), evaluated in
    /// Float32 and rounded half to even, exactly as torchvision (`torch.round`). Each anchor has
    /// area ≈ s² and height/width ≈ r.
    /// - Parameters:
    ///   - output: [A, 4] output (x1, y1, x2, y2), pixels relative to the location.
    ///   - sizes: [S] anchor sizes (square-root of the area), pixels; DESIGN.md uses (16, 32, 64).
    ///   - aspectRatios: [R] height/width ratios; DESIGN.md uses (0.5, 1, 2).
    /// - Precondition: `output` holds ≥ 4·R·S elements; sizes and ratios are positive.
    ///
    /// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497, §3.1.1; torchvision
    /// `AnchorGenerator.generate_anchors`.
    public static func baseAnchors(
        _ output: UnsafeMutableBufferPointer<Float>,
        sizes: [Float],
        aspectRatios: [Float]
    ) {
        precondition(output.count >= 4 * sizes.count * aspectRatios.count,
                     "baseAnchors: output holds \(output.count) < 4·\(aspectRatios.count)·\(sizes.count) elements")
        precondition(sizes.allSatisfy { $0 > 0 }, "baseAnchors: sizes \(sizes) must be positive")
        precondition(aspectRatios.allSatisfy { $0 > 0 }, "baseAnchors: aspect ratios \(aspectRatios) must be positive")
        var a = 0
        for ratio in aspectRatios {
            let hRatio = ratio.squareRoot()
            let wRatio = 1 / hRatio
            for size in sizes {
                let ws = wRatio * size, hs = hRatio * size
                output[4 * a] = (-ws / 2).rounded(.toNearestOrEven)
                output[4 * a + 1] = (-hs / 2).rounded(.toNearestOrEven)
                output[4 * a + 2] = (ws / 2).rounded(.toNearestOrEven)
                output[4 * a + 3] = (hs / 2).rounded(.toNearestOrEven)
                a += 1
            }
        }
    }

    /// Writes the anchors of one feature map: the base anchors shifted to every feature cell.
    ///
    /// The cell at row y, column x shifts the base anchors by (x·strideWidth, y·strideHeight):
    /// the anchors are centred on the cell's top-left corner in image pixels, as in torchvision
    /// (no half-cell offset). Stride is image size // feature size (8 for TinyFasterRCNN, where a
    /// 400×400 image gives 50×50×9 = 22,500 anchors).
    /// - Parameters:
    ///   - anchors: [h·w·A, 4] output (x1, y1, x2, y2), pixels, in torchvision's order (see legend).
    ///   - featureHeight: h, cells.
    ///   - featureWidth: w, cells.
    ///   - strideHeight: pixels per cell vertically.
    ///   - strideWidth: pixels per cell horizontally.
    ///   - sizes: [S] anchor sizes, pixels.
    ///   - aspectRatios: [R] height/width ratios.
    /// - Precondition: h, w ≥ 0; strides ≥ 1; `anchors` holds ≥ 4·h·w·R·S elements.
    ///
    /// Reference: torchvision `AnchorGenerator.grid_anchors`.
    public static func gridAnchors(
        _ anchors: UnsafeMutableBufferPointer<Float>,
        featureHeight: Int,
        featureWidth: Int,
        strideHeight: Int,
        strideWidth: Int,
        sizes: [Float],
        aspectRatios: [Float]
    ) {
        let h = featureHeight, w = featureWidth, a = sizes.count * aspectRatios.count
        precondition(h >= 0 && w >= 0, "gridAnchors: negative feature size \(h)×\(w)")
        precondition(strideHeight >= 1 && strideWidth >= 1,
                     "gridAnchors: strides \(strideHeight)×\(strideWidth) must be at least 1")
        precondition(anchors.count >= 4 * h * w * a,
                     "gridAnchors: output holds \(anchors.count) < 4·\(h)·\(w)·\(a) elements")
        if h == 0 || w == 0 || a == 0 { return }
        let base = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4 * a)
        defer { base.deallocate() }
        baseAnchors(base, sizes: sizes, aspectRatios: aspectRatios)
        var out = 0
        for y in 0..<h {
            let shiftY = Float(y * strideHeight)
            for x in 0..<w {
                let shiftX = Float(x * strideWidth)
                for k in 0..<a {
                    anchors[out] = base[4 * k] + shiftX
                    anchors[out + 1] = base[4 * k + 1] + shiftY
                    anchors[out + 2] = base[4 * k + 2] + shiftX
                    anchors[out + 3] = base[4 * k + 3] + shiftY
                    out += 4
                }
            }
        }
    }
}
