import Testing
import TensorCore
import Autograd
import TestSupport

@Suite("Loss primitives against torch (losses.json) and finite differences")
struct LossPrimitiveTests {
    static func fixture() throws -> [String: [String: Any]] {
        let root = try #require(try Fixtures.json("losses.json") as? [String: Any])
        return try #require((root["cases"] as? [[String: Any]])?.first as? [String: [String: Any]])
    }

    func vector(_ v: Any?) -> Tensor { let s = flattenNumbers(v!).map(Float.init); return Tensor(shape: [s.count], scalars: s) }

    @Test("BCE with logits, sigmoid focal, smooth L1: forward and vector–Jacobian product")
    func elementwise() throws {
        let f = try Self.fixture()
        let bce = f["bce_with_logits"]!, focal = f["focal"]!, sl1 = f["smooth_l1"]!
        let x1 = Variable(vector(bce["logits"]), requiresGradient: true)
        let l1 = x1.binaryCrossEntropyWithLogits(targets: vector(bce["targets"]))
        expectClose(l1.value.scalars, flattenNumbers(bce["loss"]!))
        l1.backward(seed: vector(bce["grad_output"]))
        expectClose(x1.gradient!.scalars, flattenNumbers(bce["grad_logits"]!))

        let x2 = Variable(vector(focal["logits"]), requiresGradient: true)
        let l2 = x2.sigmoidFocalLoss(targets: vector(focal["targets"]), alpha: Float(focal["alpha"] as! Double), gamma: Float(focal["gamma"] as! Double))
        expectClose(l2.value.scalars, flattenNumbers(focal["loss"]!))
        l2.backward(seed: vector(focal["grad_output"]))
        expectClose(x2.gradient!.scalars, flattenNumbers(focal["grad_logits"]!))

        let x3 = Variable(vector(sl1["input"]), requiresGradient: true)
        let l3 = x3.smoothL1Loss(target: vector(sl1["target"]), beta: Float(sl1["beta"] as! Double))
        expectClose(l3.value.scalars, flattenNumbers(sl1["loss"]!))
        l3.backward(seed: vector(sl1["grad_output"]))
        expectClose(x3.gradient!.scalars, flattenNumbers(sl1["grad_input"]!))
    }

    @Test("softmax cross-entropy per row")
    func crossEntropy() throws {
        let ce = try Self.fixture()["cross_entropy"]!
        let logits = Tensor(shape: nestedShape(ce["logits"]!), scalars: flattenNumbers(ce["logits"]!).map(Float.init))
        let labels = flattenNumbers(ce["labels"]!).map { Int32($0) }
        let x = Variable(logits, requiresGradient: true)
        let l = x.crossEntropy(labels: labels)
        expectClose(l.value.scalars, flattenNumbers(ce["loss"]!))
        l.backward(seed: vector(ce["grad_output"]))
        expectClose(x.gradient!.scalars, flattenNumbers(ce["grad_logits"]!))
    }

    @Test("gradients pass finite-difference checks, with weights and an ignored row")
    func finiteDifferences() {
        let logits = Tensor(shape: [4, 3], scalars: randomFloats(12, seed: 3, range: -2...2))
        let labels: [Int32] = [0, 2, -1, 1]
        let w = Tensor(shape: [4], scalars: [1, 0.5, 2, 1.5])
        checkGradients(of: { v in v[0].crossEntropy(labels: labels, weights: w) }, at: [logits])
        checkGradients(of: { v in v[0].softmaxFocalLoss(labels: labels) }, at: [logits])
        let x = Tensor(shape: [6], scalars: randomFloats(6, seed: 4, range: -3...3))
        let t = Tensor(shape: [6], scalars: [1, 0, 1, 0, 0, 1])
        checkGradients(of: { v in v[0].binaryCrossEntropyWithLogits(targets: t, weights: Tensor(repeating: 0.7, shape: [6])) }, at: [x])
        checkGradients(of: { v in v[0].sigmoidFocalLoss(targets: t) }, at: [x])
        let target = Tensor(shape: [6], scalars: [0.5, 0.5, -0.5, 0.05, 2, -2])
        checkGradients(of: { v in v[0].smoothL1Loss(target: target, beta: 1.0 / 9) }, at: [x])
    }
}
