// Inputs and outputs of a prepared workload: raw buffers that live exactly as long as the body
// that uses them, so the timed body calls kernels on them without `withUnsafe…` per run.

/// A heap buffer of `count` elements, initialised at creation and freed with its owner.
///
/// `@unchecked Sendable`: the buffer is written only by the one body that owns it, which runs
/// on one thread at a time.
final class OwnedBuffer<Element>: @unchecked Sendable {
    /// The elements; mutable through the pointer, stable for the owner's life.
    let mutable: UnsafeMutableBufferPointer<Element>

    /// Allocates `count` elements and initialises element i to `make(i)`.
    /// - Precondition: `count >= 0`.
    init(count: Int, _ make: (Int) -> Element) {
        precondition(count >= 0, "OwnedBuffer: negative count \(count)")
        let storage = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(count, 1))
        for i in 0..<count { (storage.baseAddress! + i).initialize(to: make(i)) }
        mutable = UnsafeMutableBufferPointer(rebasing: storage[0..<count])
    }

    /// Copies an array.
    convenience init(_ elements: [Element]) {
        self.init(count: elements.count) { elements[$0] }
    }

    /// The elements, read-only.
    var readOnly: UnsafeBufferPointer<Element> { UnsafeBufferPointer(mutable) }

    /// The element count.
    var count: Int { mutable.count }

    deinit {
        guard let base = mutable.baseAddress else { return }
        base.deinitialize(count: mutable.count)
        base.deallocate()
    }
}

/// Keeps a result alive so the optimiser cannot delete the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
