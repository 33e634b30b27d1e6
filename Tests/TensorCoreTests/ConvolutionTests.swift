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

    @Test("im2col + GEMM equals direct convolution on odd shapes", arguments: [
        (1, 1, 1, 1, 1, 1, 1, 0), (2, 3, 7, 5, 4, 3, 1, 1), (1, 4, 9, 9, 3, 3, 2, 1), (2, 2, 6, 5, 5, 1, 3, 0),
    ])
    func direct(n: Int, c: Int, h: Int, w: Int, f: Int, k: Int, stride: Int, padding: Int) {
        let x = randomFloats(n * c * h * w, seed: 5), wt = randomFloats(f * c * k * k, seed: 6), b = randomFloats(f, seed: 7)
        let out = Tensor(shape: [n, c, h, w], scalars: x).conv2d(weight: Tensor(shape: [f, c, k, k], scalars: wt),
                                                                 bias: Tensor(shape: [f], scalars: b), stride: stride, padding: padding)
        let ref = Reference.conv2d(x, n: n, c: c, h: h, w: w, weight: wt, f: f, kh: k, kw: k, bias: b, stride: stride, padding: padding)
        #expect(out.shape == [n, f, ref.oh, ref.ow])
        expectClose(out.scalars, ref.output, relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
    }
}
