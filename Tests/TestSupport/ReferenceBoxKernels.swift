import Kernels

// Naive twins of the detection kernels: direct ports of torchvision's reference loops, written
// for clarity (no sorting tricks, no compaction, no channels-last), used only by tests.
// Legend: N boxes [N, 4] (x1, y1, x2, y2) pixels; M ground truth; K RoIs [K, 5];
// features [N, C, H, W]; pooled [K, C, PH, PW].

extension Reference {
    /// IoU of two boxes in Double; 0 when the union is not positive.
    public static func iou(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        let a = a.map(Double.init), b = b.map(Double.init)
        let w = max(min(a[2], b[2]) - max(a[0], b[0]), 0)
        let h = max(min(a[3], b[3]) - max(a[1], b[1]), 0)
        let inter = w * h
        let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
        return union > 0 ? inter / union : 0
    }

    /// torchvision's CPU `nms` loop: O(N²), Float32 IoU, stable descending sort, `continue` on suppressed.
    public static func nms(boxes: [Float], scores: [Float], iouThreshold: Float) -> [Int] {
        let n = scores.count
        let order = (0..<n).sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        var suppressed = [Bool](repeating: false, count: n)
        var keep: [Int] = []
        func area(_ i: Int) -> Float { (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]) }
        for (position, i) in order.enumerated() where !suppressed[i] {
            keep.append(i)
            for j in order[(position + 1)...] where !suppressed[j] {
                let w = max(Float(0), min(boxes[4 * i + 2], boxes[4 * j + 2]) - max(boxes[4 * i], boxes[4 * j]))
                let h = max(Float(0), min(boxes[4 * i + 3], boxes[4 * j + 3]) - max(boxes[4 * i + 1], boxes[4 * j + 1]))
                let inter = w * h
                if inter / (area(i) + area(j) - inter) > iouThreshold { suppressed[j] = true }
            }
        }
        return keep
    }

    /// torchvision's `_batched_nms_vanilla`: `nms` per class, then all kept sorted by score.
    public static func batchedNMS(boxes: [Float], scores: [Float], classes: [Int], iouThreshold: Float) -> [Int] {
        var kept: [Int] = []
        for label in Set(classes) {
            let members = classes.indices.filter { classes[$0] == label }
            let classBoxes = members.flatMap { boxes[(4 * $0)..<(4 * $0 + 4)] }
            let keep = nms(boxes: classBoxes, scores: members.map { scores[$0] }, iouThreshold: iouThreshold)
            kept += keep.map { members[$0] }
        }
        return kept.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    /// torchvision's `Matcher` over an [M, N] IoU matrix given as rows.
    public static func match(iou: [[Float]], candidateCount n: Int, high: Float, low: Float,
                             allowLowQualityMatches: Bool) -> [Match] {
        guard !iou.isEmpty else { return Array(repeating: .background, count: n) }
        var result: [Match] = []
        var argmax: [Int] = []
        for j in 0..<n {
            var best = iou[0][j], g = 0
            for r in 1..<iou.count where iou[r][j] > best { best = iou[r][j]; g = r }
            argmax.append(g)
            result.append(best >= high ? .foreground(groundTruthIndex: g) : best < low ? .background : .ignored)
        }
        if allowLowQualityMatches {
            for row in iou {
                // A ground truth overlapping no candidate gives no low-quality match (mmdetection #8289).
                let highest = row.max()!
                guard highest > 0 else { continue }
                for j in 0..<n where row[j] == highest { result[j] = .foreground(groundTruthIndex: argmax[j]) }
            }
        }
        return result
    }

    /// torchvision's `bilinear_interpolate` (forward) in Double, or nil for an empty sample.
    /// Returns the four (cell, weight) taps.
    public static func bilinearTaps(y: Double, x: Double, height: Int, width: Int) -> [(Int, Double)]? {
        if y < -1 || y > Double(height) || x < -1 || x > Double(width) { return nil }
        var y = max(y, 0), x = max(x, 0)
        var yLow = Int(y), xLow = Int(x), yHigh = yLow + 1, xHigh = xLow + 1
        if yLow >= height - 1 { yLow = height - 1; yHigh = yLow; y = Double(yLow) }
        if xLow >= width - 1 { xLow = width - 1; xHigh = xLow; x = Double(xLow) }
        let ly = y - Double(yLow), lx = x - Double(xLow), hy = 1 - ly, hx = 1 - lx
        return [(yLow * width + xLow, hy * hx), (yLow * width + xHigh, hy * lx),
                (yHigh * width + xLow, ly * hx), (yHigh * width + xHigh, ly * lx)]
    }

    /// Visits every sample of every bin of torchvision's RoI Align in Double:
    /// `visit(roi, bin, image, taps, 1/count)`.
    static func forEachRoIAlignSample(
        rois: [Float], _ g: RoIAlignGeometry,
        _ visit: (Int, Int, Int, [(Int, Double)], Double) -> Void
    ) {
        for k in 0..<g.roiCount {
            let r = rois[(5 * k)..<(5 * k + 5)].map(Double.init)
            let offset = g.aligned ? 0.5 : 0
            let scale = Double(g.spatialScale)
            let x0 = r[1] * scale - offset, y0 = r[2] * scale - offset
            var roiW = r[3] * scale - offset - x0, roiH = r[4] * scale - offset - y0
            if !g.aligned { roiW = max(roiW, 1); roiH = max(roiH, 1) }
            let binH = roiH / Double(g.pooledHeight), binW = roiW / Double(g.pooledWidth)
            let gh = g.samplingRatio > 0 ? g.samplingRatio : max(0, Int((roiH / Double(g.pooledHeight)).rounded(.up)))
            let gw = g.samplingRatio > 0 ? g.samplingRatio : max(0, Int((roiW / Double(g.pooledWidth)).rounded(.up)))
            let inverseCount = 1 / Double(max(gh * gw, 1))
            for ph in 0..<g.pooledHeight { for pw in 0..<g.pooledWidth {
                for iy in 0..<gh { for ix in 0..<gw {
                    let y = y0 + Double(ph) * binH + (Double(iy) + 0.5) * binH / Double(gh)
                    let x = x0 + Double(pw) * binW + (Double(ix) + 0.5) * binW / Double(gw)
                    guard let taps = bilinearTaps(y: y, x: x, height: g.height, width: g.width) else { continue }
                    visit(k, ph * g.pooledWidth + pw, Int(r[0]), taps, inverseCount)
                } }
            } }
        }
    }

    /// torchvision's RoI Align forward as a plain loop per output element, in Double.
    public static func roiAlignForward(input: [Float], rois: [Float], geometry g: RoIAlignGeometry) -> [Double] {
        let bins = g.pooledHeight * g.pooledWidth, plane = g.height * g.width
        var output = [Double](repeating: 0, count: g.roiCount * g.channels * bins)
        forEachRoIAlignSample(rois: rois, g) { k, bin, image, taps, inverseCount in
            for c in 0..<g.channels {
                let base = (image * g.channels + c) * plane
                var value = 0.0
                for (cell, w) in taps { value += w * Double(input[base + cell]) }
                output[(k * g.channels + c) * bins + bin] += value * inverseCount
            }
        }
        return output
    }

    /// torchvision's RoI Align backward (scatter of each bin's gradient), in Double, from zero.
    public static func roiAlignBackward(gradOutput: [Float], rois: [Float], geometry g: RoIAlignGeometry) -> [Double] {
        let bins = g.pooledHeight * g.pooledWidth, plane = g.height * g.width
        var gradInput = [Double](repeating: 0, count: g.batchSize * g.channels * plane)
        forEachRoIAlignSample(rois: rois, g) { k, bin, image, taps, inverseCount in
            for c in 0..<g.channels {
                let incoming = Double(gradOutput[(k * g.channels + c) * bins + bin]) * inverseCount
                let base = (image * g.channels + c) * plane
                for (cell, w) in taps { gradInput[base + cell] += w * incoming }
            }
        }
        return gradInput
    }
}
