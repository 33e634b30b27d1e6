import Testing
import TensorCore
import Kernels
import Autograd
import NN
import Randomness
import TestSupport

/// Reads a tensor from a nested JSON array of numbers.
func fixtureTensor(_ value: Any?) -> Tensor {
    Tensor(shape: nestedShape(value!), scalars: flattenNumbers(value!).map(Float.init))
}

/// The cases of one kind in layers.json (torch 2.15, float64 references).
func layerCases(_ kind: String) throws -> [[String: Any]] {
    let root = try #require(try Fixtures.json("layers.json") as? [String: Any])
    return try #require(root["cases"] as? [[String: Any]]).filter { $0["kind"] as? String == kind }
}

@Suite("Layers: forward and parameter gradients against torch (layers.json)")
struct LayerTests {
    /// Runs `layer` on the fixture input, back-propagates grad_output, and compares the output,
    /// the input gradient and each named parameter's gradient with the fixture.
    func check(_ c: [String: Any], _ layer: some Layer, gradients: [String: String]) {
        let input = Variable(fixtureTensor(c["input"]), requiresGradient: true)
        let output = layer(input)
        expectClose(output.value.scalars, flattenNumbers(c["output"]!), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "output")
        output.backward(seed: fixtureTensor(c["grad_output"]))
        expectClose(input.gradient!.scalars, flattenNumbers(c["grad_input"]!), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "grad_input")
        for (name, variable) in layer.namedParameters {
            let key = gradients[name]!
            expectClose(variable.gradient!.scalars, flattenNumbers(c[key]!), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "\(key)")
        }
    }

    @Test("Conv2d equals torch conv2d (stride 1 and 2, padding 0 and 1)")
    func conv2d() throws {
        let cases = try layerCases("conv2d")
        #expect(cases.count == 3)
        for c in cases {
            let layer = Conv2d(weight: fixtureTensor(c["weight"]), bias: fixtureTensor(c["bias"]),
                               stride: c["stride"] as! Int, padding: c["padding"] as! Int)
            check(c, layer, gradients: ["weight": "grad_weight", "bias": "grad_bias"])
        }
    }

    @Test("Linear equals torch linear")
    func linear() throws {
        for c in try layerCases("linear") {
            let layer = Linear(weight: fixtureTensor(c["weight"]), bias: fixtureTensor(c["bias"]))
            check(c, layer, gradients: ["weight": "grad_weight", "bias": "grad_bias"])
        }
    }

    @Test("GroupNorm equals torch group_norm")
    func groupNorm() throws {
        for c in try layerCases("group_norm") {
            let gamma = fixtureTensor(c["weight"]), beta = fixtureTensor(c["bias"])
            let layer = GroupNorm(groups: c["groups"] as! Int, channels: gamma.count, epsilon: Float(c["eps"] as! Double))
            #expect(layer.weight.value == .ones([gamma.count]) && layer.bias.value == .zeros([gamma.count]))
            layer.weight.value = gamma
            layer.bias.value = beta
            check(c, layer, gradients: ["weight": "grad_weight", "bias": "grad_bias"])
        }
    }

    @Test("MaxPool2d equals torch max_pool2d")
    func maxPool() throws {
        for c in try layerCases("max_pool2d") {
            check(c, MaxPool2d(kernel: c["kernel"] as! Int, stride: c["stride"] as? Int), gradients: [:])
        }
    }

    @Test("ReLU and Flatten")
    func parameterFree() {
        let x = Variable(Tensor(shape: [2, 1, 1, 3], scalars: [-1, 0, 2, 3, -4, 0.5]))
        #expect(ReLU()(x).value.scalars == [0, 0, 2, 3, 0, 0.5])
        #expect(Flatten()(x).shape == [2, 3])
        #expect(ReLU().parameters.isEmpty && Flatten().parameters.isEmpty && MaxPool2d(kernel: 2).parameters.isEmpty)
    }

    @Test("Sequential applies its children in order")
    func sequentialForward() {
        var generator = SplitMix64(seed: 3)
        let first = Linear(inputFeatures: 3, outputFeatures: 4, using: &generator)
        let second = Linear(inputFeatures: 4, outputFeatures: 2, using: &generator)
        let model = Sequential(first, ReLU(), second)
        let x = Variable(Tensor(shape: [5, 3], scalars: randomFloats(15, seed: 9)))
        #expect(model(x).value == second(first(x).relu()).value)
        #expect(Sequential()(x).value == x.value)
    }
}

@Suite("Parameter names and weight-decay flags")
struct ParameterNamingTests {
    /// conv 3×3 + GroupNorm + ReLU, as one block of the reference backbone.
    func block(_ cin: Int, _ cout: Int, groups: Int, using generator: inout SplitMix64) -> Sequential {
        Sequential(Conv2d(inputChannels: cin, outputChannels: cout, kernelSize: 3, padding: 1,
                          weightInitializer: .kaimingNormal(mode: .fanOut), biasInitializer: .zeros, using: &generator),
                   GroupNorm(groups: groups, channels: cout), ReLU())
    }

    @Test("nested Sequential names match torch.nn.Sequential state_dict keys")
    func nestedNames() {
        var generator = SplitMix64(seed: 1)
        let backbone = Sequential(block(3, 16, groups: 4, using: &generator), block(16, 32, groups: 8, using: &generator))
        let names = backbone.parameters(prefixedBy: "backbone").map(\.name)
        #expect(names == ["backbone.0.0.weight", "backbone.0.0.bias", "backbone.0.1.weight", "backbone.0.1.bias",
                          "backbone.1.0.weight", "backbone.1.0.bias", "backbone.1.1.weight", "backbone.1.1.bias"])
        let decayed = backbone.parameters.filter(\.appliesWeightDecay).map(\.name)
        #expect(decayed == ["0.0.weight", "1.0.weight"])
        #expect(backbone.namedParameters.map(\.1.shape) == [[16, 3, 3, 3], [16], [16], [16], [32, 16, 3, 3], [32], [32], [32]])
        #expect(backbone.parameters.firstDuplicateName == nil)
        #expect(backbone.stateDictionary.count == 8)
    }

    @Test("layers without bias have only a weight; Linear names")
    func withoutBias() {
        var generator = SplitMix64(seed: 2)
        let conv = Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: 1, hasBias: false, using: &generator)
        #expect(conv.parameters.map(\.name) == ["weight"] && conv.bias == nil)
        let linear = Linear(inputFeatures: 2, outputFeatures: 3, using: &generator)
        #expect(linear.parameters.map(\.name) == ["weight", "bias"])
        #expect(linear.parameters.map(\.appliesWeightDecay) == [true, false])
        #expect(linear.parameters.allSatisfy { $0.variable.requiresGradient })
    }
}
