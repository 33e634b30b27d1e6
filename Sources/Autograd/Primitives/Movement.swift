// Movement primitives: reshape, permute, slice, concatenate, gather. Their gradients move
// the incoming gradient back (scatter-add for gather, since indices may repeat).
import TensorCore

extension Variable {
    /// The same elements under a new shape; one dimension may be −1 (inferred).
    /// - Precondition: element counts agree (the message names both shapes).
    public func reshaped(to newShape: [Int]) -> Variable {
        let inputShape = shape
        return Variable(value.reshaped(to: newShape), parents: [self]) { g in [g.reshaped(to: inputShape)] }
    }

    /// Reorders the axes: result axis i is input axis `order[i]`.
    /// - Precondition: `order` is a permutation of `0..<rank`.
    public func permuted(_ order: [Int]) -> Variable {
        // The forward checks `order` before the inverse indexes with it.
        let out = value.permuted(order)
        var inverse = [Int](repeating: 0, count: order.count)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Variable(out, parents: [self]) { g in [g.permuted(inverse)] }
    }

    /// The transpose of a rank-2 variable.
    /// - Precondition: rank 2.
    public func transposed() -> Variable { permuted([1, 0]) }

    /// The elements `range` along `axis` (negative counts from the end); the gradient is zero
    /// outside the slice.
    /// - Precondition: `axis` is in range and `range` lies within it.
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Variable {
        let a = Shape.normalize(axis: axis, rank: value.rank)
        let inputShape = shape
        return Variable(value.slice(alongAxis: a, range), parents: [self]) { g in
            var parts: [Tensor] = []
            var before = inputShape, after = inputShape
            before[a] = range.lowerBound
            after[a] = inputShape[a] - range.upperBound
            if before[a] > 0 { parts.append(.zeros(before)) }
            parts.append(g)
            if after[a] > 0 { parts.append(.zeros(after)) }
            return [Tensor.concatenate(parts, alongAxis: a)]
        }
    }

    /// Joins variables along `axis`; parts may be empty along it, and a variable may appear
    /// more than once (its gradients add up).
    /// - Precondition: at least one variable; all shapes equal except along `axis`.
    public static func concatenate(_ variables: [Variable], alongAxis axis: Int) -> Variable {
        precondition(!variables.isEmpty, "concatenate: no variables")
        let a = Shape.normalize(axis: axis, rank: variables[0].value.rank)
        let sizes = variables.map { $0.shape[a] }
        return Variable(Tensor.concatenate(variables.map(\.value), alongAxis: a), parents: variables) { g in
            var start = 0
            return sizes.map { size in
                defer { start += size }
                return g.slice(alongAxis: a, start..<(start + size))
            }
        }
    }

    /// Selects `indices` along `axis`, as `torch.index_select` (indices may repeat; their
    /// gradients add up; no indices give a zero-size axis).
    /// - Precondition: every index in `0..<shape[axis]`.
    public func gathering(_ indices: [Int], alongAxis axis: Int) -> Variable {
        let a = Shape.normalize(axis: axis, rank: value.rank)
        let inputShape = shape
        return Variable(value.gathering(indices, alongAxis: a), parents: [self]) { g in
            let outer = inputShape[..<a].reduce(1, *), size = inputShape[a], inner = inputShape[(a + 1)...].reduce(1, *)
            var grad = [Float](repeating: 0, count: outer * size * inner)
            g.scalars.withUnsafeBufferPointer { src in
                grad.withUnsafeMutableBufferPointer { dst in
                    var s = 0
                    for o in 0..<outer {
                        for i in indices {
                            let d = (o * size + i) * inner
                            for j in 0..<inner { dst[d + j] += src[s + j] }
                            s += inner
                        }
                    }
                }
            }
            return [Tensor(shape: inputShape, scalars: grad)]
        }
    }
}
