// A training checkpoint in one safetensors file: the model's parameters under their state-dict
// names (so `safetensors.torch.load_file` + `load_state_dict` reads them), the optimiser state
// under "optimizer.<kind>.<parameter name>", and string metadata (e.g. the iteration).
import Foundation
import TensorCore

/// A snapshot of a model's parameters, an optimiser's state and metadata, stored as safetensors.
///
/// Loading is all-or-nothing: every name, shape and dtype is checked before any parameter
/// changes, and the first mismatch is thrown as a typed error.
public struct Checkpoint {
    /// The prefix of optimiser-state names in the file.
    public static let optimizerPrefix = "optimizer."

    /// Model tensors by state-dict name.
    public var modelTensors: [String: Tensor]
    /// Optimiser state by the optimiser's own names (without `optimizerPrefix`).
    public var optimizerState: [String: Tensor]
    /// String metadata (`__metadata__`), e.g. `["iteration": "400", "strategy": "random"]`.
    public var metadata: [String: String]
    /// The stored dtype of each tensor, by file name (all F32 for a snapshot taken in memory).
    public var storedDTypes: [String: SafetensorsDType]
    /// The file this checkpoint was read from, for error messages.
    public var path: String?

    /// Snapshots the current values of `parameters` and an optimiser's exported state.
    /// - Precondition: parameter names are unique and none starts with `optimizerPrefix`.
    public init(model parameters: [Parameter], optimizerState: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        if let duplicate = parameters.firstDuplicateName { preconditionFailure("Checkpoint: parameter name \(duplicate) occurs twice") }
        var tensors: [String: Tensor] = [:]
        for parameter in parameters {
            precondition(!parameter.name.hasPrefix(Self.optimizerPrefix),
                         "Checkpoint: parameter name \(parameter.name) collides with the optimiser prefix")
            tensors[parameter.name] = parameter.variable.value
        }
        modelTensors = tensors
        self.optimizerState = optimizerState
        self.metadata = metadata
        storedDTypes = [:]
        for name in tensors.keys { storedDTypes[name] = .f32 }
        for name in optimizerState.keys { storedDTypes[Self.optimizerPrefix + name] = .f32 }
    }

    /// Reads a checkpoint (or any safetensors file, e.g. PyTorch weights: names without the
    /// optimiser prefix are model tensors).
    /// - Throws: `CheckpointError.file` for an unreadable, truncated or corrupt file.
    public init(contentsOf url: URL) throws(CheckpointError) {
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOf: url) } catch { throw .file(error) }
        modelTensors = [:]
        optimizerState = [:]
        storedDTypes = [:]
        for (name, entry) in file.entries {
            storedDTypes[name] = entry.dtype
            if name.hasPrefix(Self.optimizerPrefix) {
                optimizerState[String(name.dropFirst(Self.optimizerPrefix.count))] = entry.tensor
            } else {
                modelTensors[name] = entry.tensor
            }
        }
        metadata = file.metadata
        path = url.path
    }

    /// Writes the checkpoint atomically (temporary file, fsync, rename), all tensors as F32.
    /// - Throws: `CheckpointError.file(.io(…))` naming the path and the system error.
    public func write(to url: URL) throws(CheckpointError) {
        var tensors = modelTensors
        for (name, tensor) in optimizerState { tensors[Self.optimizerPrefix + name] = tensor }
        do { try SafetensorsFile(tensors: tensors, metadata: metadata).write(to: url) } catch { throw .file(error) }
    }

    /// Copies the stored values into `parameters`, by name.
    ///
    /// Checks, in the order of `parameters`: the name exists, the stored dtype is F32 (or any
    /// float type when `allowingDTypeConversion`), the shape matches; then that the checkpoint
    /// has no model tensor the parameters lack (unless `allowingUnexpected`). Nothing is
    /// assigned unless every check passes.
    /// - Throws: `CheckpointError.missingTensor`, `.dtypeMismatch`, `.shapeMismatch` or
    ///   `.unexpectedTensor` for the first offending name.
    public func restore(into parameters: [Parameter], allowingUnexpected: Bool = false,
                        allowingDTypeConversion: Bool = false) throws(CheckpointError) {
        var values: [Tensor] = []
        for parameter in parameters {
            guard let tensor = modelTensors[parameter.name] else { throw .missingTensor(name: parameter.name, path: path) }
            let dtype = storedDTypes[parameter.name] ?? .f32
            if dtype != .f32 && !allowingDTypeConversion {
                throw .dtypeMismatch(name: parameter.name, expected: SafetensorsDType.f32.rawValue, found: dtype.rawValue, path: path)
            }
            if tensor.shape != parameter.variable.shape {
                throw .shapeMismatch(name: parameter.name, expected: parameter.variable.shape, found: tensor.shape, path: path)
            }
            values.append(tensor)
        }
        if !allowingUnexpected {
            let known = Set(parameters.map(\.name))
            if let extra = modelTensors.keys.sorted().first(where: { !known.contains($0) }) {
                throw .unexpectedTensor(name: extra, path: path)
            }
        }
        for (parameter, value) in zip(parameters, values) { parameter.variable.value = value }
    }

    /// Loads the stored optimiser state into `optimizer` (see `Optimizer.loadState`).
    /// - Throws: `CheckpointError` for a non-F32 state tensor or a name or shape the optimiser
    ///   rejects; names in the error carry the file's `optimizer.` prefix and the path.
    public func restore(into optimizer: inout some Optimizer) throws(CheckpointError) {
        for name in optimizerState.keys.sorted() {
            let dtype = storedDTypes[Self.optimizerPrefix + name] ?? .f32
            if dtype != .f32 {
                throw .dtypeMismatch(name: Self.optimizerPrefix + name, expected: SafetensorsDType.f32.rawValue,
                                     found: dtype.rawValue, path: path)
            }
        }
        do {
            try optimizer.loadState(optimizerState)
        } catch {
            throw located(error)
        }
    }

    /// The error with the optimiser prefix on its tensor name and this checkpoint's path.
    private func located(_ error: CheckpointError) -> CheckpointError {
        let p = Self.optimizerPrefix
        switch error {
        case let .missingTensor(name, _): return .missingTensor(name: p + name, path: path)
        case let .unexpectedTensor(name, _): return .unexpectedTensor(name: p + name, path: path)
        case let .shapeMismatch(name, expected, found, _): return .shapeMismatch(name: p + name, expected: expected, found: found, path: path)
        case let .dtypeMismatch(name, expected, found, _): return .dtypeMismatch(name: p + name, expected: expected, found: found, path: path)
        case let .invalidValue(name, reason, _): return .invalidValue(name: p + name, reason: reason, path: path)
        case .file: return error
        }
    }
}
