import Testing
import TensorCore
import TestSupport

/// Zero-size tensors (a dimension of 0: no boxes, an empty batch, K = 0) through every op.
/// Empty inputs are not errors (STYLE.md): each op returns the shape NumPy/PyTorch give.
@Suite("Zero-size tensors")
struct ZeroSizeTensorTests {
    @Test("reductions: the sum of nothing is 0, the mean NaN, axis sums keep the other axes")
    func reductions() {
        #expect(Tensor.zeros([0]).sum() == 0)
        #expect(Tensor.zeros([0, 3]).mean().isNaN)
        let columns = Tensor.zeros([0, 3]).sum(alongAxis: 0)
        #expect(columns.shape == [3] && columns.scalars == [0, 0, 0])
        #expect(Tensor.zeros([0, 3]).sum(alongAxis: 1).shape == [0])
        #expect(Tensor.zeros([0, 3]).max(alongAxis: 1).values.shape == [0])
    }

    @Test("matmul with K = 0 gives zeros; with M = 0 or N = 0 an empty product")
    func matmul() {
        let product = Tensor.ones([2, 0]).matmul(Tensor.ones([0, 3]))
        #expect(product.shape == [2, 3] && product.scalars == [Float](repeating: 0, count: 6))
        #expect(Tensor.ones([0, 3]).matmul(Tensor.ones([3, 4])).shape == [0, 4])
        #expect(Tensor.ones([3, 0]).matmul(Tensor.ones([3, 4]), transposeSelf: true).shape == [0, 4])
        #expect(Tensor.ones([2, 3]).matmul(Tensor.ones([0, 3]), transposeOther: true).shape == [2, 0])
    }

    @Test("batched matmul with an empty batch and a shared rank-2 operand gives [0, M, N]")
    func matmulEmptyBatch() {
        // A batch of zero images against shared weights is a valid product, not a batch mismatch.
        #expect(Tensor.ones([0, 2, 3]).matmul(Tensor.ones([3, 4])).shape == [0, 2, 4])
        #expect(Tensor.ones([2, 3]).matmul(Tensor.ones([0, 3, 4])).shape == [0, 2, 4])
        #expect(Tensor.ones([0, 2, 3]).matmul(Tensor.ones([0, 3, 4])).shape == [0, 2, 4])
        // A non-empty shared operand still gives the per-batch product.
        let batched = Tensor.ones([2, 1, 3]).matmul(Tensor.ones([3, 2]))
        #expect(batched.shape == [2, 1, 2] && batched.scalars == [3, 3, 3, 3])
    }

    @Test("conv2d of an empty batch is an empty batch of the output size")
    func convolution() {
        let out = Tensor.zeros([0, 3, 5, 5]).conv2d(weight: .ones([2, 3, 3, 3]), bias: .ones([2]), padding: 1)
        #expect(out.shape == [0, 2, 5, 5])
    }

    @Test("movement: concatenate with an empty part, gather nothing, slice nothing, reshape −1")
    func movement() {
        let t = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let joined = Tensor.concatenate([Tensor.zeros([2, 0]), t], alongAxis: 1)
        #expect(joined == t)
        #expect(t.gathering([], alongAxis: -1).shape == [2, 0])
        #expect(t.slice(alongAxis: 0, 1..<1).shape == [0, 2])
        #expect(Tensor.zeros([0, 3]).reshaped(to: [-1, 3]).shape == [0, 3])
        #expect(Tensor.zeros([0, 3]).reshaped(to: [3, -1]).shape == [3, 0])
        #expect(Tensor.zeros([0, 3]).permuted([1, 0]).shape == [3, 0])
    }

    @Test("broadcasting a zero-size axis against size 1 gives a zero-size result")
    func broadcasting() {
        #expect((Tensor.ones([0, 3]) + Tensor.ones([3])).shape == [0, 3])
        #expect((Tensor.ones([1, 3]) * Tensor.ones([0, 1])).shape == [0, 3])
        #expect((Tensor(2) - Tensor.ones([0])).shape == [0])
    }
}
