import Testing
import Kernels
import TestSupport

@Suite("sgemm")
struct GEMMTests {
    static let shapes: [(Int, Int, Int)] = [(1, 1, 1), (3, 5, 7), (17, 9, 33), (64, 1, 13), (1, 31, 1), (0, 4, 3), (4, 0, 3), (4, 3, 0)]

    @Test("all four transpose combinations match a triple loop", arguments: [(false, false), (true, false), (false, true), (true, true)])
    func transposes(ta: Bool, tb: Bool) {
        for (m, n, k) in Self.shapes {
            let a = randomFloats(m * k, seed: UInt64(m * 100 + k)), b = randomFloats(k * n, seed: UInt64(n * 7 + k + 1))
            var c = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                Kernels.sgemm(cp, ldc: max(n, 1), ap, lda: max(ta ? m : k, 1), transposeA: ta,
                              bp, ldb: max(tb ? k : n, 1), transposeB: tb, m: m, n: n, k: k)
            } } }
            expectClose(c, Reference.gemm(a, b, m: m, n: n, k: k, transposeA: ta, transposeB: tb),
                        relativeTolerance: 1e-5, absoluteTolerance: 1e-5, "m=\(m) n=\(n) k=\(k) ta=\(ta) tb=\(tb)")
        }
    }

    @Test("leading dimensions larger than the row, alpha and beta accumulate")
    func leadingDimensions() {
        let m = 3, n = 4, k = 5, lda = 8, ldb = 6, ldc = 7
        let aDense = randomFloats(m * k, seed: 1), bDense = randomFloats(k * n, seed: 2)
        var a = [Float](repeating: 99, count: m * lda), b = [Float](repeating: 99, count: k * ldb)
        for i in 0..<m { for p in 0..<k { a[i * lda + p] = aDense[i * k + p] } }
        for p in 0..<k { for j in 0..<n { b[p * ldb + j] = bDense[p * n + j] } }
        var c = [Float](repeating: 1, count: m * ldc)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            Kernels.sgemm(cp, ldc: ldc, ap, lda: lda, transposeA: false, bp, ldb: ldb, transposeB: false,
                          m: m, n: n, k: k, alpha: 2, beta: 1)
        } } }
        let ref = Reference.gemm(aDense, bDense, m: m, n: n, k: k, transposeA: false, transposeB: false)
        for i in 0..<m {
            expectClose(c[(i * ldc)..<(i * ldc + n)], ref[(i * n)..<(i * n + n)].map { 2 * $0 + 1 }, relativeTolerance: 1e-5)
            #expect(c[(i * ldc + n)..<(i * ldc + ldc)].allSatisfy { $0 == 1 }, "padding columns of C untouched")
        }
    }

    @Test("k = 0 scales C by beta without reading A or B")
    func emptyInner() {
        var c: [Float] = [1, 2, 3, 4]
        c.withUnsafeMutableBufferPointer { cp in
            Kernels.sgemm(cp, ldc: 2, UnsafeBufferPointer(start: nil, count: 0), lda: 1, transposeA: false,
                          UnsafeBufferPointer(start: nil, count: 0), ldb: 2, transposeB: false, m: 2, n: 2, k: 0, beta: 0.5)
        }
        #expect(c == [0.5, 1, 1.5, 2])
    }

    @Test("orthonormalizeColumns gives QᵀQ = I with a non-negative R diagonal")
    func orthogonal() {
        let m = 6, n = 4
        var a = randomFloats(m * n, seed: 9)
        let original = a
        let ok = a.withUnsafeMutableBufferPointer { Kernels.orthonormalizeColumns($0, m: m, n: n) }
        #expect(ok)
        let qtq = Reference.gemm(a, a, m: n, n: n, k: m, transposeA: true, transposeB: false)
        var identity = [Double](repeating: 0, count: n * n)
        for i in 0..<n { identity[i * n + i] = 1 }
        expectClose(qtq, identity, relativeTolerance: 0, absoluteTolerance: 1e-5)
        // R = QᵀA must have a non-negative diagonal.
        let r = Reference.gemm(a, original, m: n, n: n, k: m, transposeA: true, transposeB: false)
        for i in 0..<n { #expect(r[i * n + i] >= -1e-6) }
    }
}
