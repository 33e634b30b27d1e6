import Testing
import Foundation
import TensorCore
import Kernels
import Autograd
import NN
import Randomness
import TestSupport

/// The parameter layout of the reference detector, built from NN layers with PyTorch's names:
/// backbone (5 × conv + GroupNorm + ReLU), rpn_head, box_head (golden.json "names").
struct ReferenceDetectorParameters {
    let backbone: Sequential
    let rpnConv, rpnLogits, rpnDeltas: Conv2d
    let fc6, fc7, classScore, boxDeltas: Linear

    init(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var blocks: [any Layer] = []
        for (cin, cout, stride) in [(3, 16, 2), (16, 32, 2), (32, 32, 1), (32, 64, 2), (64, 64, 1)] {
            blocks.append(Sequential(
                Conv2d(inputChannels: cin, outputChannels: cout, kernelSize: 3, stride: stride, padding: 1,
                       weightInitializer: .kaimingNormal(mode: .fanOut), biasInitializer: .zeros, using: &generator),
                GroupNorm(groups: cout == 16 ? 4 : 8, channels: cout), ReLU()))
        }
        backbone = Sequential(blocks)
        rpnConv = Conv2d(inputChannels: 64, outputChannels: 64, kernelSize: 3, padding: 1,
                         weightInitializer: .normal(std: 0.01), biasInitializer: .zeros, using: &generator)
        rpnLogits = Conv2d(inputChannels: 64, outputChannels: 9, kernelSize: 1,
                           weightInitializer: .normal(std: 0.01), biasInitializer: .zeros, using: &generator)
        rpnDeltas = Conv2d(inputChannels: 64, outputChannels: 36, kernelSize: 1,
                           weightInitializer: .normal(std: 0.01), biasInitializer: .zeros, using: &generator)
        fc6 = Linear(inputFeatures: 3136, outputFeatures: 256, using: &generator)
        fc7 = Linear(inputFeatures: 256, outputFeatures: 256, using: &generator)
        classScore = Linear(inputFeatures: 256, outputFeatures: 2, using: &generator)
        boxDeltas = Linear(inputFeatures: 256, outputFeatures: 8, using: &generator)
    }

    var parameters: [Parameter] {
        backbone.parameters(prefixedBy: "backbone")
            + rpnConv.parameters(prefixedBy: "rpn_head.conv") + rpnLogits.parameters(prefixedBy: "rpn_head.cls_logits")
            + rpnDeltas.parameters(prefixedBy: "rpn_head.bbox_pred")
            + fc6.parameters(prefixedBy: "box_head.fc6") + fc7.parameters(prefixedBy: "box_head.fc7")
            + classScore.parameters(prefixedBy: "box_head.cls_score") + boxDeltas.parameters(prefixedBy: "box_head.bbox_pred")
    }
}

@Suite("Checkpoints: PyTorch weights, round trip, mismatches")
struct CheckpointTests {
    @Test("the golden PyTorch weights load by name into NN layers, every value as the file's own bytes give it")
    func goldenWeights() throws {
        let url = Fixtures.url("golden/weights.safetensors")
        let checkpoint = try Checkpoint(contentsOf: url)
        let reference = try Self.independentlyRead(url)
        #expect(checkpoint.optimizerState.isEmpty)
        #expect(Set(checkpoint.modelTensors.keys) == Set(reference.keys))
        let model = ReferenceDetectorParameters(seed: 0)
        try checkpoint.restore(into: model.parameters)
        #expect(model.parameters.count == reference.count, "every stored tensor has a layer")
        for parameter in model.parameters {
            let expected = try #require(reference[parameter.name], "\(parameter.name)")
            #expect(parameter.variable.value.shape == expected.shape, "\(parameter.name)")
            #expect(parameter.variable.value.scalars.map(\.bitPattern) == expected.values.map(\.bitPattern), "\(parameter.name)")
        }
    }

    /// The F32 tensors of a safetensors file read without Quarry's reader, as numpy's
    /// `frombuffer` would: the header parsed by JSONSerialization, each tensor's little-endian
    /// bytes at its `data_offsets`.
    static func independentlyRead(_ url: URL) throws -> [String: (shape: [Int], values: [Float])] {
        let bytes = [UInt8](try Data(contentsOf: url))
        let length = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for (name, value) in header where name != "__metadata__" {
            let entry = try #require(value as? [String: Any])
            #expect(entry["dtype"] as? String == "F32", "\(name)")
            let offsets = try #require(entry["data_offsets"] as? [Int])
            let values = stride(from: 8 + length + offsets[0], to: 8 + length + offsets[1], by: 4).map { i in
                Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[i + $1]) << (8 * UInt32($1)) })
            }
            tensors[name] = (try #require(entry["shape"] as? [Int]), values)
        }
        return tensors
    }

    @Test("model and SGD state round trip: identical parameters, state and next step")
    func roundTrip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        var generator = SplitMix64(seed: 8)
        func makeModel() -> Sequential {
            Sequential(Conv2d(inputChannels: 2, outputChannels: 4, kernelSize: 3, padding: 1, using: &generator),
                       GroupNorm(groups: 2, channels: 4), ReLU(), Flatten(), Linear(inputFeatures: 64, outputFeatures: 3, using: &generator))
        }
        let x = Variable(Tensor.normal([2, 2, 4, 4], using: &generator))
        func trainStep(_ model: Sequential, _ optimizer: inout SGD) {
            model.zeroGradients()
            (model(x) * model(x)).mean().backward()
            optimizer.step()
        }
        let original = makeModel()
        var sgd = SGD(original.parameters, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4)
        trainStep(original, &sgd); trainStep(original, &sgd)
        try Checkpoint(model: original.parameters, optimizerState: sgd.stateTensors(), metadata: ["iteration": "2"]).write(to: url)

        let restored = makeModel()  // different random weights
        var restoredSGD = SGD(restored.parameters, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-4)
        #expect(restored.parameters.map(\.variable.value) != original.parameters.map(\.variable.value))
        let checkpoint = try Checkpoint(contentsOf: url)
        #expect(checkpoint.metadata == ["iteration": "2"])
        #expect(checkpoint.optimizerState.keys.sorted() == original.parameters.map { "momentum." + $0.name }.sorted())
        try checkpoint.restore(into: restored.parameters)
        try checkpoint.restore(into: &restoredSGD)
        #expect(restored.parameters.map(\.variable.value) == original.parameters.map(\.variable.value))
        #expect(restoredSGD.stateTensors() == sgd.stateTensors())
        trainStep(original, &sgd); trainStep(restored, &restoredSGD)
        #expect(restored.parameters.map(\.variable.value) == original.parameters.map(\.variable.value))
    }

    @Test("Adam state round trips through a checkpoint file")
    func adamRoundTrip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("adam.safetensors")
        let parameters = twoParameters()
        var adam = Adam(parameters, learningRate: 0.01)
        setGradients(parameters, step: 0); adam.step()
        try Checkpoint(model: parameters, optimizerState: adam.stateTensors()).write(to: url)
        let copy = twoParameters(weight: [0, 0], bias: [0])
        var copyAdam = Adam(copy, learningRate: 0.01)
        let checkpoint = try Checkpoint(contentsOf: url)
        try checkpoint.restore(into: copy)
        try checkpoint.restore(into: &copyAdam)
        #expect(copyAdam.stateTensors() == adam.stateTensors())
    }

    @Test("names, shapes and dtypes are checked; the first mismatch is named; nothing changes on error")
    func mismatches() throws {
        let parameters = twoParameters()
        let good = ["layer.weight": Tensor(shape: [2], scalars: [5, 6]), "layer.bias": Tensor(shape: [1], scalars: [7])]
        func checkpoint(_ tensors: [String: Tensor]) throws -> Checkpoint {
            try Checkpoint(contentsOf: write(SafetensorsFile(tensors: tensors)))
        }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var counter = 0
        func write(_ file: SafetensorsFile) throws -> URL {
            counter += 1
            let url = folder.appendingPathComponent("c\(counter).safetensors")
            try file.write(to: url)
            return url
        }

        var shapeWrong = good
        shapeWrong["layer.bias"] = Tensor(shape: [2], scalars: [1, 2])
        let wrongShape = try checkpoint(shapeWrong)
        #expect(throws: CheckpointError.shapeMismatch(name: "layer.bias", expected: [1], found: [2], path: wrongShape.path)) {
            try wrongShape.restore(into: parameters)
        }
        let missing = try checkpoint(["layer.weight": good["layer.weight"]!])
        #expect(throws: CheckpointError.missingTensor(name: "layer.bias", path: missing.path)) { try missing.restore(into: parameters) }
        var extra = good
        extra["layer.extra"] = Tensor(1)
        let unexpected = try checkpoint(extra)
        #expect(throws: CheckpointError.unexpectedTensor(name: "layer.extra", path: unexpected.path)) { try unexpected.restore(into: parameters) }
        #expect(parameters.map(\.variable.value.scalars) == [[1, -0.5], [0.2]])
        try unexpected.restore(into: parameters, allowingUnexpected: true)
        #expect(parameters.map(\.variable.value.scalars) == [[5, 6], [7]])

        // An F16 file: rejected by default, converted on request.
        let header = #"{"layer.weight":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"layer.bias":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        let bytes = safetensorsBytes(header: header, data: [0x00, 0x3C, 0x00, 0xC0] + littleEndianBytes([3]))
        let halfURL = folder.appendingPathComponent("half.safetensors")
        try Data(bytes).write(to: halfURL)
        let half = try Checkpoint(contentsOf: halfURL)
        #expect(throws: CheckpointError.dtypeMismatch(name: "layer.weight", expected: "F32", found: "F16", path: halfURL.path)) {
            try half.restore(into: parameters)
        }
        try half.restore(into: parameters, allowingDTypeConversion: true)
        #expect(parameters.map(\.variable.value.scalars) == [[1, -2], [3]])

        // A corrupt file surfaces as .file(...).
        let corruptURL = folder.appendingPathComponent("corrupt.safetensors")
        try Data([1, 2, 3]).write(to: corruptURL)
        #expect(throws: CheckpointError.file(.fileTooShort(path: corruptURL.path, size: 3))) { try Checkpoint(contentsOf: corruptURL) }

        // Optimiser state for a parameter the optimiser lacks is named with the file prefix.
        var sgd = SGD(parameters, learningRate: 0.1, momentum: 0.9)
        let stray = try checkpoint(good.merging(["optimizer.momentum.nothing": Tensor.zeros([2])]) { a, _ in a })
        #expect(throws: CheckpointError.unexpectedTensor(name: "optimizer.momentum.nothing", path: stray.path)) {
            try stray.restore(into: &sgd)
        }
    }
}
