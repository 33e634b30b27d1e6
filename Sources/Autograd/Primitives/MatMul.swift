// Matrix product primitive: the backward is two GEMMs with transpose flags (no copies).
import TensorCore

extension Variable {
    /// The rank-2 matrix product [M, K] · [K, N] → [M, N].
    /// - Precondition: both rank 2 with matching inner dimensions.
    public func matmul(_ other: Variable) -> Variable {
        precondition(value.rank == 2 && other.value.rank == 2, "matmul: shapes \(shape) and \(other.shape) must be rank 2")
        let (a, b) = (value, other.value)
        return Variable(a.matmul(b), parents: [self, other]) { g in
            // dA = g · Bᵀ, dB = Aᵀ · g.
            [g.matmul(b, transposeOther: true), a.matmul(g, transposeSelf: true)]
        }
    }
}
