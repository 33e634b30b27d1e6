import Testing
import TensorCore

/// Element writes must mutate a uniquely held tensor in place: a write that copies the whole
/// storage turns a fill loop over n elements into O(n²) work (a 600 × 600 fill took 20 s).
@Suite("In-place element writes")
struct InPlaceWriteTests {
    /// The address of the tensor's element storage.
    func storageAddress(_ t: Tensor) -> UnsafeRawPointer? {
        t.scalars.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    @Test("subscript and scalars writes keep the storage of a uniquely held tensor")
    func writesDoNotCopy() {
        var t = Tensor.zeros([4, 5])
        let before = storageAddress(t)
        // Checked after each write: a copying write frees the old buffer, which the next
        // copy's allocation may reuse, so two copies in a row can land back on `before`.
        t[1, 2] = 7
        #expect(storageAddress(t) == before)
        t.scalars[19] = 3
        #expect(storageAddress(t) == before)
        #expect(t[1, 2] == 7 && t.scalars[7] == 7 && t[3, 4] == 3)
    }

    @Test("a write to a copy leaves the original unchanged (value semantics)")
    func copyOnWrite() {
        let original = Tensor.zeros([2, 2])
        var copy = original
        copy[0, 1] = 5
        #expect(original.scalars == [0, 0, 0, 0])
        #expect(copy.scalars == [0, 5, 0, 0])
    }
}
