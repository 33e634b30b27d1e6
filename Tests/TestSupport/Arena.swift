// Buffers for calling raw-buffer kernels from array-based tests.

/// Copies arrays into buffers that live until `free()`, so kernel calls read as one line.
public final class Arena {
    private var blocks: [UnsafeMutableRawPointer] = []

    /// An empty arena.
    public init() {}

    /// A read-only copy of `values`.
    public func copy<T>(_ values: [T]) -> UnsafeBufferPointer<T> { UnsafeBufferPointer(output(values)) }

    /// A writable copy of `values`.
    public func output<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
        let block = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
        _ = block.initialize(from: values)
        blocks.append(UnsafeMutableRawPointer(block.baseAddress!))
        return UnsafeMutableBufferPointer(rebasing: block[0..<values.count])
    }

    /// An optional read-only copy.
    public func copy<T>(_ values: [T]?) -> UnsafeBufferPointer<T>? { values.map { copy($0) } }

    /// Frees every buffer handed out.
    public func free() {
        for block in blocks { block.deallocate() }
        blocks.removeAll()
    }
}
