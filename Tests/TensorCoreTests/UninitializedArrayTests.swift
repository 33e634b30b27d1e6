// Array(uninitializedCount:initializingWith:): the kernel's writes are the array, and an empty
// array still runs the kernel once.
import Testing
import TensorCore

@Suite("Float arrays filled in place")
struct UninitializedArrayTests {
    @Test("the elements are what the body wrote, in order")
    func filled() {
        let squares = [Float](uninitializedCount: 4) { buffer in
            for i in buffer.indices { buffer[i] = Float(i * i) }
        }
        #expect(squares == [0, 1, 4, 9])
    }

    @Test("count 0: the body runs once, with an empty buffer, and the array is empty")
    func empty() {
        var calls = 0, seen = -1
        let none = [Float](uninitializedCount: 0) { buffer in
            calls += 1
            seen = buffer.count
        }
        #expect(none.isEmpty && calls == 1 && seen == 0)
    }

    struct Refused: Error {}

    @Test("an error thrown by the body is rethrown")
    func throwing() {
        #expect(throws: Refused.self) {
            _ = try [Float](uninitializedCount: 2) { _ in throw Refused() }
        }
    }
}
