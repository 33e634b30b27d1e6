import Testing
import TensorCore
import TestSupport

@Suite("conv2d forward")
struct ConvolutionTests {
    @Test("matches the torch conv2d fixtures (layers.json)")
    func fixture() throws {
        let root = try #require(try Fixtures.json("layers.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]]).filter { $0["kind"] as? String == "conv2d" }
        #expect(cases.count == 3)
        for c in cases {
            let input = Tensor(shape: nestedShape(c["input"]!), scalars: flattenNumbers(c["input"]!).map(Float.init))
            let weight = Tensor(shape: nestedShape(c["weight"]!), scalars: flattenNumbers(c["weight"]!).map(Float.init))
            let bias = Tensor(shape: nestedShape(c["bias"]!), scalars: flattenNumbers(c["bias"]!).map(Float.init))
            let out = input.conv2d(weight: weight, bias: bias, stride: c["stride"] as! Int, padding: c["padding"] as! Int)
            #expect(out.shape == nestedShape(c["output"]!))
            expectClose(out.scalars, flattenNumbers(c["output"]!), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        }
    }

    /// (N, C, H, W, F, K, stride, padding, dilation): C ≥ 16 at stride 1 takes the kernels'
    /// shifted-GEMM path, everything else the phase-split im2col path; dilation with and
    /// without stride, a stride that does not divide the dilation, a single pixel.
    @Test("equals direct convolution on odd shapes, strides, paddings and dilations", arguments: [
        (1, 1, 1, 1, 1, 1, 1, 0, 1), (2, 3, 7, 5, 4, 3, 1, 1, 1), (1, 4, 9, 9, 3, 3, 2, 1, 1), (2, 2, 6, 5, 5, 1, 3, 0, 1),
        (1, 3, 11, 10, 4, 3, 1, 2, 2), (2, 3, 13, 12, 2, 3, 3, 1, 2), (1, 2, 10, 9, 3, 3, 2, 0, 3),
        (2, 16, 9, 8, 5, 3, 1, 1, 1), (1, 17, 10, 11, 3, 3, 1, 3, 3), (1, 16, 8, 9, 4, 3, 2, 1, 2),
    ])
    func direct(n: Int, c: Int, h: Int, w: Int, f: Int, k: Int, stride: Int, padding: Int, dilation: Int) {
        let x = randomFloats(n * c * h * w, seed: 5), wt = randomFloats(f * c * k * k, seed: 6), b = randomFloats(f, seed: 7)
        let out = Tensor(shape: [n, c, h, w], scalars: x).conv2d(weight: Tensor(shape: [f, c, k, k], scalars: wt),
                                                                 bias: Tensor(shape: [f], scalars: b), stride: stride,
                                                                 padding: padding, dilation: dilation)
        let ref = Reference.conv2d(x, n: n, c: c, h: h, w: w, weight: wt, f: f, kh: k, kw: k, bias: b, stride: stride,
                                   padding: padding, dilation: dilation)
        #expect(out.shape == [n, f, ref.oh, ref.ow])
        expectClose(out.scalars, ref.output, relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
    }

    @Test("empty batches, channels and filters give the right shape; no bias means zero bias")
    func emptyAndBiasless() {
        let none = Tensor(shape: [0, 3, 5, 5], scalars: []).conv2d(weight: Tensor(repeating: 1, shape: [2, 3, 3, 3]), padding: 1)
        #expect(none.shape == [0, 2, 5, 5] && none.scalars.isEmpty)
        let noFilters = Tensor(repeating: 1, shape: [1, 3, 4, 4]).conv2d(weight: Tensor(shape: [0, 3, 3, 3], scalars: []))
        #expect(noFilters.shape == [1, 0, 2, 2])
        // No input channels: every tap reads nothing, so the output is the bias.
        let noChannels = Tensor(shape: [1, 0, 2, 3], scalars: []).conv2d(weight: Tensor(shape: [2, 0, 1, 1], scalars: []),
                                                                          bias: Tensor(shape: [2], scalars: [0.5, -2]))
        #expect(noChannels.shape == [1, 2, 2, 3])
        #expect(noChannels.scalars == [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -2, -2, -2, -2, -2, -2])
        // 1×1 kernel of ones over two channels, no bias: the channel sum.
        let sum = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 10, 20]).conv2d(weight: Tensor(repeating: 1, shape: [1, 2, 1, 1]))
        #expect(sum.scalars == [11, 22])
    }
}
