// Reusable scratch memory for operations that need multi-megabyte temporaries on every call
// (the convolution's padded input, phase planes and column matrices). Allocating and freeing
// them per call lets the allocator hand the pages back and fault them in again next time:
// measured on K9b (conv 3x3 s2 fwd+bwd) inside the benchmark executable, whose long-lived
// benchmark data fragments the heap, that halved the throughput.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Kernels {
    /// A small pool of Float buffers kept between calls: `withBuffer(count:)` lends one of at
    /// least `count` floats (contents unspecified) and takes it back afterwards.
    ///
    /// Thread-safe: concurrent callers get different buffers. At most `capacity` idle buffers are
    /// kept; beyond that the smallest is freed, so the pool holds roughly the few largest
    /// temporaries a training step needs.
    public final class ScratchPool: @unchecked Sendable {
        // Invariant: `idle` is read and written only with `mutex` held.
        private var idle: [UnsafeMutableBufferPointer<Float>] = []
        private var mutex = pthread_mutex_t()
        private let capacity: Int

        /// The pool the convolution primitive uses.
        public static let shared = ScratchPool(capacity: 4)

        /// Creates an empty pool keeping at most `capacity` idle buffers.
        public init(capacity: Int) {
            self.capacity = capacity
            pthread_mutex_init(&mutex, nil)
        }

        deinit {
            for buffer in idle { buffer.deallocate() }
            pthread_mutex_destroy(&mutex)
        }

        /// Runs `body` with a buffer of exactly `count` floats (a prefix of a pooled block),
        /// whose contents are unspecified. The buffer must not escape `body`.
        public func withBuffer<R>(count: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
            let block = take(count)
            defer { give(block) }
            return try body(UnsafeMutableBufferPointer(rebasing: block[0..<count]))
        }

        private func take(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
            pthread_mutex_lock(&mutex)
            // The smallest idle block that fits.
            var best: Int?
            for (i, block) in idle.enumerated() where block.count >= count {
                if best == nil || block.count < idle[best!].count { best = i }
            }
            let reused = best.map { idle.remove(at: $0) }
            pthread_mutex_unlock(&mutex)
            return reused ?? .allocate(capacity: max(count, 1))
        }

        private func give(_ block: UnsafeMutableBufferPointer<Float>) {
            pthread_mutex_lock(&mutex)
            idle.append(block)
            var evicted: UnsafeMutableBufferPointer<Float>?
            if idle.count > capacity, let smallest = idle.indices.min(by: { idle[$0].count < idle[$1].count }) {
                evicted = idle.remove(at: smallest)
            }
            pthread_mutex_unlock(&mutex)
            evicted?.deallocate()
        }
    }
}
