// Float arrays filled in place by a kernel, without zeroing them first.
//
// Why not `Array(unsafeUninitializedCapacity:initializingWith:)` directly: for a capacity of 0
// the standard library hands the closure the process-wide empty-array storage and then writes
// the initialized count (0) into it, which ThreadSanitizer reports as a data race whenever two
// threads do so at once (benign, but it hides real reports; swiftlang/swift #21624, #27808 fixed
// the same write in other Array paths). An empty result here never touches that storage.

extension Array where Element == Float {
    /// Creates `count` floats that `body` must write completely (every element, any order).
    ///
    /// `body` is called exactly once, also for `count == 0` (with an empty buffer), so that a
    /// kernel with other outputs still runs.
    /// - Parameters:
    ///   - count: the number of elements, ≥ 0.
    ///   - body: writes all `count` elements of the buffer it is given.
    /// - Precondition: `count >= 0`.
    @inlinable
    public init(uninitializedCount count: Int, initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        precondition(count >= 0, "Array(uninitializedCount:): count must be ≥ 0, got \(count)")
        guard count > 0 else {
            try body(UnsafeMutableBufferPointer(start: nil, count: 0))
            self = []
            return
        }
        try self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            try body(buffer)
            initialized = count
        }
    }
}
