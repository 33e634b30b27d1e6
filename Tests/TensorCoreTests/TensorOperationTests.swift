import Testing
import TensorCore
import Kernels
import Randomness
import TestSupport

@Suite("Tensor operations")
struct TensorOperationTests {
    @Test("broadcasting arithmetic: same shape, bias per channel, scalar, outer product")
    func broadcasting() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect((a + a).scalars == [2, 4, 6, 8, 10, 12])
        let row = Tensor(shape: [3], scalars: [10, 20, 30])
        #expect((a + row).scalars == [11, 22, 33, 14, 25, 36])
        let col = Tensor(shape: [2, 1], scalars: [100, 200])
        #expect((a * col).scalars == [100, 200, 300, 800, 1000, 1200])
        let outer = Tensor(shape: [2, 1], scalars: [1, 2]) * Tensor(shape: [1, 3], scalars: [1, 10, 100])
        #expect(outer.shape == [2, 3] && outer.scalars == [1, 10, 100, 2, 20, 200])
        let bias = Tensor(shape: [1, 2, 1, 1], scalars: [1, -1])
        let x = Tensor.ones([2, 2, 2, 2]) + bias
        #expect(x.scalars == [2, 2, 2, 2, 0, 0, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0])
        #expect((a - Tensor(1)).scalars == [0, 1, 2, 3, 4, 5])
        #expect((a / 2).scalars == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect(Tensor.zeros([0, 3]).zipWith(row, +).shape == [0, 3])
    }

    @Test("reductions along axes, with kept dimensions and first-index argmax")
    func reductions() {
        let t = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
        #expect(t.sum(alongAxis: 0).scalars == [6, 8, 10, 12, 14, 16])
        #expect(t.sum(alongAxis: 1).scalars == [6, 9, 24, 27])
        #expect(t.sum(alongAxis: -1, keepingDimension: true).shape == [2, 3, 1])
        #expect(t.sum(alongAxis: 2).scalars == [1, 5, 9, 13, 17, 21])
        #expect(t.mean(alongAxis: 1).scalars == [2, 3, 8, 9])
        let m = Tensor(shape: [2, 3], scalars: [1, 5, 5, -1, -2, -1]).max(alongAxis: 1)
        #expect(m.values.scalars == [5, -1] && m.indices == [1, 0])
        #expect(t.sum() == 66)
    }

    @Test("matmul: plain, transposed, batched and shared operands against a triple loop")
    func matmul() {
        let a = Tensor(shape: [3, 4], scalars: randomFloats(12, seed: 1))
        let b = Tensor(shape: [4, 5], scalars: randomFloats(20, seed: 2))
        expectClose(a.matmul(b).scalars, Reference.gemm(a.scalars, b.scalars, m: 3, n: 5, k: 4, transposeA: false, transposeB: false), relativeTolerance: 1e-5)
        expectClose(a.transposed().matmul(b, transposeSelf: true).scalars, a.matmul(b).scalars, relativeTolerance: 1e-5)
        expectClose(a.matmul(b.transposed(), transposeOther: true).scalars, a.matmul(b).scalars, relativeTolerance: 1e-5)
        let batch = Tensor(shape: [2, 3, 4], scalars: randomFloats(24, seed: 3))
        let r = batch.matmul(b)
        #expect(r.shape == [2, 3, 5])
        expectClose(r.slice(alongAxis: 0, 1..<2).scalars, batch.slice(alongAxis: 0, 1..<2).reshaped(to: [3, 4]).matmul(b).scalars, relativeTolerance: 1e-5)
    }

    @Test("reshape, permute, slice, concatenate, gather")
    func movement() {
        let t = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        #expect(t.reshaped(to: [6, -1]).shape == [6, 4])
        let p = t.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        #expect(p[1, 1, 2] == t[1, 2, 1])
        #expect(p.permuted([1, 2, 0]) == t)
        #expect(t.slice(alongAxis: 1, 1..<3).scalars == [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23])
        let c = Tensor.concatenate([t.slice(alongAxis: 2, 0..<1), t.slice(alongAxis: 2, 1..<4)], alongAxis: 2)
        #expect(c == t)
        let g = t.gathering([2, 0, 2], alongAxis: 1)
        #expect(g.shape == [2, 3, 4] && g[0, 0, 3] == 11 && g[1, 1, 0] == 12 && g[1, 2, 1] == 21)
        #expect(Tensor.zeros([2, 0]).transposed().shape == [0, 2])
    }

    @Test("seeded creation repeats exactly and has the right moments")
    func creation() {
        var g1 = SplitMix64(seed: 42), g2 = SplitMix64(seed: 42)
        let u1 = Tensor.uniform([1000], low: -2, high: 2, using: &g1)
        let u2 = Tensor.uniform([1000], low: -2, high: 2, using: &g2)
        #expect(u1 == u2)
        #expect(u1.scalars.allSatisfy { $0 >= -2 && $0 < 2 })
        var g3 = SplitMix64(seed: 7)
        let n = Tensor.normal([20_000], mean: 1, std: 2, using: &g3)
        let mean = n.mean()
        let variance = (n - mean).map { $0 * $0 }.mean()
        #expect(abs(mean - 1) < 0.05 && abs(variance - 4) < 0.15)
        // SplitMix64's first output for seed 0 (Vigna's reference implementation).
        var g0 = SplitMix64(seed: 0)
        #expect(g0.next() == 0xE220_A839_7B1D_CDAF)
    }
}
