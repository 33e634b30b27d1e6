// Matrix products through the one BLAS door (Kernels.sgemm).
import Kernels

extension Tensor {
    /// The matrix product of `self` and `other`, optionally transposing either operand.
    ///
    /// Rank 2: [M, K] · [K, N] → [M, N]. Rank 3 (batched): [B, M, K] · [B, K, N] → [B, M, N]; a
    /// rank-2 operand is shared by every batch element. With `transposeSelf` the stored
    /// matrix is [K, M] (resp. [B, K, M]); with `transposeOther` it is [N, K].
    /// - Precondition: ranks 2 or 3, matching inner dimensions and batch sizes (the message
    ///   names both shapes).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition((2...3).contains(rank) && (2...3).contains(other.rank),
                     "matmul: shapes \(shape) and \(other.shape) must have rank 2 or 3")
        // The batch comes from the rank-3 operand(s); a rank-2 operand is shared, so an empty
        // batch ([0, M, K] · [K, N]) is a valid, empty product.
        let batch = rank == 3 ? shape[0] : (other.rank == 3 ? other.shape[0] : 1)
        precondition(rank == 2 || other.rank == 2 || shape[0] == other.shape[0],
                     "matmul: batch sizes of \(shape) and \(other.shape) differ")
        let a0 = shape[rank - 2], a1 = shape[rank - 1]
        let b0 = other.shape[other.rank - 2], b1 = other.shape[other.rank - 1]
        let (m, k) = transposeSelf ? (a1, a0) : (a0, a1)
        let (k2, n) = transposeOther ? (b1, b0) : (b0, b1)
        precondition(k == k2, "matmul: inner dimensions differ: \(shape)\(transposeSelf ? "ᵀ" : "") · \(other.shape)\(transposeOther ? "ᵀ" : "")")
        let strideA = rank == 3 ? a0 * a1 : 0, strideB = other.rank == 3 ? b0 * b1 : 0
        var out = [Float](repeating: 0, count: batch * m * n)
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    for bi in 0..<batch {
                        Kernels.sgemm(
                            UnsafeMutableBufferPointer(rebasing: c[(bi * m * n)..<((bi + 1) * m * n)]), ldc: Swift.max(n, 1),
                            UnsafeBufferPointer(rebasing: a[(bi * strideA)..<(bi * strideA + a0 * a1)]), lda: Swift.max(a1, 1), transposeA: transposeSelf,
                            UnsafeBufferPointer(rebasing: b[(bi * strideB)..<(bi * strideB + b0 * b1)]), ldb: Swift.max(b1, 1), transposeB: transposeOther,
                            m: m, n: n, k: k)
                    }
                }
            }
        }
        let resultShape = (rank == 3 || other.rank == 3) ? [batch, m, n] : [m, n]
        return Tensor(shape: resultShape, scalars: out)
    }
}
