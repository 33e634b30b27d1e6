// Typed errors of the checkpoint layer: the safetensors container (file structure) and the
// match between a file's tensors and a model's parameters or an optimiser's state.

/// A malformed or unreadable safetensors file. Every case is a recoverable error: a truncated
/// or corrupt file never traps.
public enum SafetensorsError: Error, Equatable, Sendable {
    /// The file could not be read or written (`reason` is the system's message).
    case io(path: String, reason: String)
    /// Shorter than the 8-byte header length.
    case fileTooShort(path: String, size: Int)
    /// The header length N exceeds the bytes after it (or the 100 MB limit of the reference
    /// implementation): a truncated file or a corrupt length field.
    case headerLengthOutOfRange(path: String, length: UInt64, available: Int)
    /// The header is not a JSON object of the expected form (`reason` says what is wrong).
    case invalidHeader(path: String, reason: String)
    /// A tensor's dtype is not one of the floating-point types Quarry reads.
    case unsupportedDType(path: String, name: String, dtype: String)
    /// A tensor's byte range [begin, end) does not have shape-product × dtype-size bytes.
    case byteCountMismatch(path: String, name: String, expected: Int, actual: Int)
    /// Tensors' byte ranges, sorted by start, must tile the data section with no gap or overlap;
    /// `name` starts at `begin` where `expectedBegin` was due.
    case offsetsNotContiguous(path: String, name: String, expectedBegin: Int, begin: Int)
    /// A tensor's byte range ends past the data section (a truncated file).
    case offsetsOutOfRange(path: String, name: String, end: Int, dataSize: Int)
    /// The data section is longer than the tensors' byte ranges cover.
    case trailingBytes(path: String, covered: Int, dataSize: Int)
}

/// A checkpoint that does not fit the model or optimiser it is loaded into, or a file error.
///
/// `path` is the file involved, or nil for an in-memory state dictionary.
public enum CheckpointError: Error, Equatable, Sendable {
    /// The container itself is malformed or unreadable.
    case file(SafetensorsError)
    /// The model (or optimiser) expects `name`, and the checkpoint lacks it.
    case missingTensor(name: String, path: String?)
    /// The checkpoint holds `name`, which the model (or optimiser) does not have.
    case unexpectedTensor(name: String, path: String?)
    /// `name` has shape `found` in the checkpoint and `expected` in the model.
    case shapeMismatch(name: String, expected: [Int], found: [Int], path: String?)
    /// `name` is stored as `found` (e.g. "F16") where `expected` ("F32") is required.
    case dtypeMismatch(name: String, expected: String, found: String, path: String?)
    /// `name` holds a value that cannot be right (e.g. a non-integer step count).
    case invalidValue(name: String, reason: String, path: String?)
}
