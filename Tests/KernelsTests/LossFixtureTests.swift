// The loss kernels against Tests/Fixtures/losses.json (torch 2.15 / torchvision 0.29, Float64):
// forward losses (reduction 'none') and vector–Jacobian products with the stored grad_output.
import Kernels
import TestSupport
import Testing

@Suite("Loss kernels match the PyTorch fixtures")
struct LossFixtureTests {
    /// The single case of losses.json, keyed by loss name.
    static func fixture(_ name: String) throws -> [String: Any] {
        let root = try #require(try Fixtures.json("losses.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        return try #require(cases.first?[name] as? [String: Any], "losses.json has no \(name)")
    }

    static func floats(_ value: Any?) -> [Float] { flatDoubles(value ?? []).map { Float($0) } }

    @Test("sigmoid focal loss (alpha 0.25, gamma 2), forward and backward")
    func sigmoidFocal() throws {
        let f = try Self.fixture("focal")
        let alpha = Float(try #require(f["alpha"] as? Double)), gamma = Float(try #require(f["gamma"] as? Double))
        let x = Self.floats(f["logits"]), t = Self.floats(f["targets"]), g = Self.floats(f["grad_output"])
        #expect(x.count == 35)
        expectClose(Run.focal(x, t, alpha: alpha, gamma: gamma), flatDoubles(f["loss"]!), absolute: belowFloatNormal, "focal loss")
        expectClose(Run.focalGrad(g, x, t, alpha: alpha, gamma: gamma), flatDoubles(f["grad_logits"]!), absolute: belowFloatNormal, "focal grad")
    }

    @Test("binary cross-entropy with logits, forward and backward")
    func binaryCrossEntropy() throws {
        let f = try Self.fixture("bce_with_logits")
        let x = Self.floats(f["logits"]), t = Self.floats(f["targets"]), g = Self.floats(f["grad_output"])
        // PyTorch computes (1 − t)·x − logsigmoid(x), which cancels log1p(e^−50) = 1.9e-22 to 0 at
        // x = −50, t = 0; the kernel keeps it. Both are within ulp(50) ≈ 7e-15 of the truth.
        expectClose(Run.bce(x, t), flatDoubles(f["loss"]!), absolute: 1e-14, "bce loss")
        expectClose(Run.bceGrad(g, x, t), flatDoubles(f["grad_logits"]!), absolute: belowFloatNormal, "bce grad")
    }

    @Test("softmax cross-entropy, forward and backward")
    func crossEntropy() throws {
        let f = try Self.fixture("cross_entropy")
        let rows = try #require(f["logits"] as? [[Any]])
        let c = rows[0].count
        let x = Self.floats(f["logits"]), g = Self.floats(f["grad_output"])
        let y = flatDoubles(f["labels"]!).map { Int32($0) }
        let loss = flatDoubles(f["loss"]!), grad = flatDoubles(f["grad_logits"]!)
        expectClose(Run.crossEntropy(x, y, classes: c), loss, "ce loss")
        expectClose(Run.crossEntropyGrad(g, x, y, classes: c), grad, absolute: belowFloatNormal, "ce grad")
    }

    @Test("smooth L1 (beta 1/9), forward and backward")
    func smoothL1() throws {
        let f = try Self.fixture("smooth_l1")
        let beta = Float(try #require(f["beta"] as? Double))
        let a = Self.floats(f["input"]), b = Self.floats(f["target"]), g = Self.floats(f["grad_output"])
        expectClose(Run.smoothL1(a, b, beta: beta), flatDoubles(f["loss"]!), "smooth L1 loss")
        expectClose(Run.smoothL1Grad(g, a, b, beta: beta), flatDoubles(f["grad_input"]!), "smooth L1 grad")
    }

    @Test("the naive Float64 twins reproduce the fixtures (they are the gradient-check references)")
    func naiveTwins() throws {
        let focal = try Self.fixture("focal"), bce = try Self.fixture("bce_with_logits")
        let x = flatDoubles(focal["logits"]!), t = flatDoubles(focal["targets"]!)
        let focalLoss = flatDoubles(focal["loss"]!), bceLoss = flatDoubles(bce["loss"]!)
        for i in x.indices {
            #expect(abs(Naive.focal(x[i], t[i]) - focalLoss[i]) <= 1e-12 * max(1, focalLoss[i]))
            #expect(abs(Naive.bce(x[i], t[i]) - bceLoss[i]) <= 1e-12 * max(1, bceLoss[i]))
        }
        let ce = try Self.fixture("cross_entropy")
        let rows = try #require(ce["logits"] as? [[Any]]).map(flatDoubles)
        let labels = flatDoubles(ce["labels"]!).map { Int($0) }, ceLoss = flatDoubles(ce["loss"]!)
        for (i, row) in rows.enumerated() {
            #expect(abs(Naive.crossEntropy(row, labels[i]) - ceLoss[i]) <= 1e-12 * max(1, ceLoss[i]))
        }
    }
}
