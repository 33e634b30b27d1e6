import Testing
import TensorCore
import Autograd
import TestSupport

/// Reads a tensor from a nested JSON array of numbers.
func fixtureTensor(_ value: Any?) -> Tensor {
    Tensor(shape: nestedShape(value!), scalars: flattenNumbers(value!).map(Float.init))
}

@Suite("Layer primitives against torch (layers.json), forward and backward")
struct LayerFixtureTests {
    static func cases(_ kind: String) throws -> [[String: Any]] {
        let root = try #require(try Fixtures.json("layers.json") as? [String: Any])
        return try #require(root["cases"] as? [[String: Any]]).filter { $0["kind"] as? String == kind }
    }

    /// Runs `op` on the fixture's parameters, seeds backward with grad_output and compares.
    func check(_ c: [String: Any], parameters: [String], _ op: ([Variable]) -> Variable) {
        let vars = parameters.map { Variable(fixtureTensor(c[$0]), requiresGradient: true) }
        let out = op(vars)
        expectClose(out.value.scalars, flattenNumbers(c["output"]!), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "output")
        out.backward(seed: fixtureTensor(c["grad_output"]))
        for (name, v) in zip(parameters, vars) {
            expectClose(v.gradient!.scalars, flattenNumbers(c["grad_" + name]!), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "grad_\(name)")
        }
    }

    @Test("conv2d") func conv() throws {
        for c in try Self.cases("conv2d") {
            check(c, parameters: ["input", "weight", "bias"]) { v in
                v[0].conv2d(weight: v[1], bias: v[2], stride: c["stride"] as! Int, padding: c["padding"] as! Int)
            }
        }
    }

    @Test("group_norm") func groupNorm() throws {
        for c in try Self.cases("group_norm") {
            check(c, parameters: ["input", "weight", "bias"]) { v in
                v[0].groupNorm(groups: c["groups"] as! Int, gamma: v[1], beta: v[2], epsilon: Float(c["eps"] as! Double))
            }
        }
    }

    @Test("max_pool2d") func maxPool() throws {
        for c in try Self.cases("max_pool2d") {
            check(c, parameters: ["input"]) { v in v[0].maxPool2d(kernel: c["kernel"] as! Int, stride: c["stride"] as? Int) }
        }
    }

    @Test("linear") func linear() throws {
        for c in try Self.cases("linear") {
            check(c, parameters: ["input", "weight", "bias"]) { v in v[0].linear(weight: v[1], bias: v[2]) }
        }
    }
}
