import Testing
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kernels

@Suite("Scratch pool")
struct ScratchPoolTests {
    @Test("a returned block is lent again for a request it fits; sizes are exact")
    func reuse() {
        let pool = Kernels.ScratchPool(capacity: 2)
        let first = pool.withBuffer(count: 1000) { buffer -> UnsafeMutablePointer<Float>? in
            #expect(buffer.count == 1000)
            buffer.update(repeating: 3)
            return buffer.baseAddress
        }
        let second = pool.withBuffer(count: 10) { buffer -> UnsafeMutablePointer<Float>? in
            #expect(buffer.count == 10)
            return buffer.baseAddress
        }
        #expect(first == second)
        // A larger request than any idle block gets a new one.
        let third = pool.withBuffer(count: 5000) { $0.baseAddress }
        #expect(third != first)
    }

    @Test("nested and concurrent borrowers get distinct buffers")
    func distinct() {
        let pool = Kernels.ScratchPool(capacity: 4)
        pool.withBuffer(count: 64) { outer in
            pool.withBuffer(count: 64) { inner in
                #expect(outer.baseAddress != inner.baseAddress)
            }
        }
        // Each worker fills its buffer with its index and checks it after a yield.
        let failures = FailureCounts()
        DispatchQueue.concurrentPerform(iterations: 8) { w in
            for _ in 0..<50 {
                pool.withBuffer(count: 256) { buffer in
                    buffer.update(repeating: Float(w))
                    sched_yield()
                    if buffer.contains(where: { $0 != Float(w) }) { failures.counts[w] += 1 }
                }
            }
        }
        #expect(failures.counts.allSatisfy { $0 == 0 })
    }
}

@Suite("Allocator settings")
struct AllocatorSettingsTests {
    @Test("glibc takes the keep-freed-memory settings (AddressSanitizer's allocator does not), and large blocks still allocate and free")
    func retainFreedMemory() {
        #if os(Linux)
        // Under scripts/sanitize.sh, AddressSanitizer's allocator replaces glibc's and refuses
        // mallopt, so the settings are not taken: the function must say so.
        let addressSanitizer = dlsym(nil, "__asan_init") != nil
        #expect(Kernels.retainFreedMemory() == !addressSanitizer)
        #else
        #expect(!Kernels.retainFreedMemory())
        #endif
        // 8 MB blocks (heap-allocated now) are usable and can be freed and reused.
        for round in 0..<3 {
            let block = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2_000_000)
            block.initialize(repeating: Float(round))
            #expect(block[1_999_999] == Float(round))
            block.deallocate()
        }
    }
}

/// Per-worker failure counts; `@unchecked Sendable` because worker w writes only slot w.
final class FailureCounts: @unchecked Sendable {
    let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 8)
    init() { counts.initialize(repeating: 0) }
    deinit { counts.deallocate() }
}
