import DetectionKernels
import Kernels
import Randomness
import Testing
import TestSupport

// Legend: features [N, C, H, W]; RoIs [K, 5] (batch index, x1, y1, x2, y2) image pixels;
// pooled [K, C, PH, PW].

/// Runs `Kernels.roiAlignForward` on arrays.
private func forward(_ input: [Float], _ rois: [Float], _ g: RoIAlignGeometry) -> [Float] {
    var output = [Float](repeating: .nan, count: g.roiCount * g.channels * g.pooledHeight * g.pooledWidth)
    input.withUnsafeBufferPointer { i in rois.withUnsafeBufferPointer { r in
        output.withUnsafeMutableBufferPointer { Kernels.roiAlignForward($0, i, rois: r, geometry: g) }
    } }
    return output
}

/// Runs `Kernels.roiAlignBackward` on arrays, accumulating into `initial`.
private func backward(_ gradOutput: [Float], _ rois: [Float], _ g: RoIAlignGeometry, initial: Float = 0) -> [Float] {
    var gradInput = [Float](repeating: initial, count: g.batchSize * g.channels * g.height * g.width)
    gradOutput.withUnsafeBufferPointer { go in rois.withUnsafeBufferPointer { r in
        gradInput.withUnsafeMutableBufferPointer { Kernels.roiAlignBackward($0, go, rois: r, geometry: g) }
    } }
    return gradInput
}

/// Random RoIs over a `size`-pixel image, some partly or wholly outside it, some tiny.
private func randomRoIs(_ count: Int, batchSize: Int, imageSize: Float, seed: UInt64) -> [Float] {
    var generator = SplitMix64(seed: seed)
    var rois: [Float] = []
    for k in 0..<count {
        let x = Float.random(in: -0.3 * imageSize..<imageSize, using: &generator)
        let y = Float.random(in: -0.3 * imageSize..<imageSize, using: &generator)
        let side = k % 5 == 0 ? Float.random(in: 0..<2, using: &generator) : Float.random(in: 1..<imageSize, using: &generator)
        rois += [Float(Int.random(in: 0..<batchSize, using: &generator)), x, y,
                 x + side * Float.random(in: 0.5..<1.5, using: &generator), y + side]
    }
    return rois
}

@Suite("RoI Align forward and backward")
struct RoIAlignTests {
    @Test("forward and input gradient equal torchvision's roi_align, aligned and not (roi_align.json)")
    func fixture() throws {
        let root = try #require(try Fixtures.json("roi_align.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(Set(cases.compactMap { $0["aligned"] as? Bool }) == [true, false])
        for c in cases {
            let shape = nestedShape(c["features"]!)
            let output = flattenNumbers(c["output_hw"]!).map { Int($0) }
            let rois = flattenNumbers(c["rois"]!).map(Float.init)
            let g = RoIAlignGeometry(
                batchSize: shape[0], channels: shape[1], height: shape[2], width: shape[3], roiCount: rois.count / 5,
                pooledHeight: output[0], pooledWidth: output[1],
                spatialScale: Float(try #require(c["spatial_scale"] as? Double)),
                samplingRatio: try #require(c["sampling_ratio"] as? Int), aligned: try #require(c["aligned"] as? Bool))
            let features = flattenNumbers(c["features"]!).map(Float.init)
            let gradOutput = flattenNumbers(c["grad_output"]!).map(Float.init)
            expectClose(forward(features, rois, g), flattenNumbers(c["output"]!),
                        relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "forward, aligned \(g.aligned)")
            expectClose(backward(gradOutput, rois, g), flattenNumbers(c["grad_features"]!),
                        relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "backward, aligned \(g.aligned)")
        }
    }

    @Test("forward and backward equal the per-element reference loop on random inputs",
          arguments: [(true, 2), (false, 2), (true, 0), (false, -1), (true, 3)])
    func randomAgainstReference(aligned: Bool, samplingRatio: Int) {
        let g = RoIAlignGeometry(batchSize: 2, channels: 5, height: 9, width: 13, roiCount: 17,
                                 pooledHeight: 3, pooledWidth: 4, spatialScale: 0.25,
                                 samplingRatio: samplingRatio, aligned: aligned)
        let input = randomFloats(2 * 5 * 9 * 13, seed: 21)
        let rois = randomRoIs(17, batchSize: 2, imageSize: 52, seed: 22)
        let gradOutput = randomFloats(17 * 5 * 12, seed: 23)
        expectClose(forward(input, rois, g), Reference.roiAlignForward(input: input, rois: rois, geometry: g),
                    relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        expectClose(backward(gradOutput, rois, g),
                    Reference.roiAlignBackward(gradOutput: gradOutput, rois: rois, geometry: g),
                    relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
    }

    @Test("backward equals central finite differences of the forward")
    func finiteDifferences() {
        let g = RoIAlignGeometry(batchSize: 1, channels: 2, height: 6, width: 7, roiCount: 4,
                                 pooledHeight: 2, pooledWidth: 3, spatialScale: 0.5, samplingRatio: 0, aligned: true)
        let input = randomFloats(2 * 6 * 7, seed: 31)
        let rois = randomRoIs(4, batchSize: 1, imageSize: 14, seed: 32)
        let projection = randomFloats(4 * 2 * 6, seed: 33, range: 0.5...1.5)
        func objective(_ x: [Float]) -> Double {
            zip(forward(x, rois, g), projection).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let h: Float = 1e-2
        var numeric: [Double] = []
        for i in input.indices {
            var plus = input, minus = input
            plus[i] += h
            minus[i] -= h
            numeric.append((objective(plus) - objective(minus)) / Double(2 * h))
        }
        #expect(numeric.contains { abs($0) > 0.1 })  // the RoIs do read the map
        expectClose(backward(projection, rois, g), numeric, relativeTolerance: 0, absoluteTolerance: 2e-3)
    }

    @Test("backward accumulates into the existing gradient")
    func accumulates() {
        let g = RoIAlignGeometry(batchSize: 1, channels: 3, height: 5, width: 5, roiCount: 2,
                                 pooledHeight: 2, pooledWidth: 2, spatialScale: 1, samplingRatio: 2, aligned: false)
        let rois: [Float] = [0, 0.5, 0.5, 3.5, 4, 0, 1, 1, 2, 2]
        let gradOutput = randomFloats(2 * 3 * 4, seed: 41)
        let fresh = backward(gradOutput, rois, g)
        expectClose(backward(gradOutput, rois, g, initial: 1.5), fresh.map { $0 + 1.5 }, absoluteTolerance: 1e-6)
    }

    @Test("hand-computed: a 1×1 bin over a linear ramp gives the ramp at the bin centre")
    func handComputed() {
        // Feature value = x + 10·y on a 4×4 map; bilinear sampling of a linear function is exact.
        let input = (0..<16).map { Float($0 % 4) + 10 * Float($0 / 4) }
        let g = RoIAlignGeometry(batchSize: 1, channels: 1, height: 4, width: 4, roiCount: 2,
                                 pooledHeight: 1, pooledWidth: 1, spatialScale: 1, samplingRatio: 2, aligned: true)
        // Aligned: RoI (1, 1)–(3, 2) maps to cells (0.5, 0.5)–(2.5, 1.5): centre x 1.5, y 1 → 11.5.
        // RoI far outside the map (all samples beyond −1): 0.
        let out = forward(input, [0, 1, 1, 3, 2, 0, -20, -20, -10, -10], g)
        expectClose(out, [11.5, 0] as [Double], absoluteTolerance: 1e-5)
    }

    @Test("no RoIs and no channels write nothing")
    func empty() {
        let g = RoIAlignGeometry(batchSize: 1, channels: 2, height: 3, width: 3, roiCount: 0,
                                 pooledHeight: 7, pooledWidth: 7, spatialScale: 1, samplingRatio: 2, aligned: true)
        #expect(forward([Float](repeating: 1, count: 18), [], g).isEmpty)
        #expect(backward([], [], g, initial: 2) == [Float](repeating: 2, count: 18))
        var noChannels = g
        noChannels.channels = 0
        noChannels.roiCount = 1
        #expect(forward([], [0, 0, 0, 2, 2], noChannels).isEmpty)
    }
}
