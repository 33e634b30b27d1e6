// Reduction primitives: sum and mean along an axis or over everything, max along an axis.
import TensorCore

extension Variable {
    /// Sums along `axis` (negative counts from the end); the gradient broadcasts back over the
    /// reduced axis. An empty axis sums to 0.
    /// - Parameter keepingDimension: keep the reduced axis with size 1.
    /// - Precondition: `axis` is in range for the rank.
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) -> Variable {
        let a = Shape.normalize(axis: axis, rank: value.rank)
        let inputShape = shape
        return Variable(value.sum(alongAxis: a, keepingDimension: keepingDimension), parents: [self]) { g in
            var kept = inputShape
            kept[a] = 1
            return [g.reshaped(to: kept) + Tensor.zeros(inputShape)]
        }
    }

    /// The sum of all elements, as a scalar variable of shape [].
    public func sum() -> Variable {
        let inputShape = shape
        return Variable(Tensor(value.sum()), parents: [self]) { g in [Tensor(repeating: g.scalar, shape: inputShape)] }
    }

    /// The mean of all elements, as a scalar variable of shape [].
    ///
    /// An empty variable gives 0 with an empty gradient, so a loss averaged over an empty
    /// selection contributes nothing (`Tensor.mean()` gives NaN there, as NumPy does).
    public func mean() -> Variable { sum() / Float(Swift.max(value.count, 1)) }

    /// Means along `axis` (negative counts from the end); an empty axis gives NaN (0/0).
    /// - Precondition: `axis` is in range for the rank.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) -> Variable {
        let a = Shape.normalize(axis: axis, rank: value.rank)
        return sum(alongAxis: a, keepingDimension: keepingDimension) / Float(shape[a])
    }

    /// Maximum along `axis`; the gradient goes to the first maximal element (as torch.max(dim)).
    /// A NaN is the maximum of its slice and takes the gradient.
    /// - Precondition: `axis` is in range and its size is at least 1.
    public func max(alongAxis axis: Int, keepingDimension: Bool = false) -> Variable {
        let a = Shape.normalize(axis: axis, rank: value.rank)
        let (values, indices) = value.max(alongAxis: a, keepingDimension: keepingDimension)
        let inputShape = shape
        let outer = inputShape[..<a].reduce(1, *), size = inputShape[a], inner = inputShape[(a + 1)...].reduce(1, *)
        return Variable(values, parents: [self]) { g in
            var grad = [Float](repeating: 0, count: outer * size * inner)
            for o in 0..<outer { for j in 0..<inner {
                grad[(o * size + indices[o * inner + j]) * inner + j] = g.scalars[o * inner + j]
            } }
            return [Tensor(shape: inputShape, scalars: grad)]
        }
    }
}
