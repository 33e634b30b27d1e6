// Reductions along one axis, and over all elements.
import Kernels

extension Tensor {
    /// Splits the shape around `axis` into (outer, axis size, inner) counts.
    func reductionView(_ axis: Int) -> (outer: Int, size: Int, inner: Int, axis: Int) {
        let a = Shape.normalize(axis: axis, rank: rank)
        return (Shape.count(Array(shape[..<a])), shape[a], Shape.count(Array(shape[(a + 1)...])), a)
    }

    /// The shape after reducing `axis`: removed, or kept as size 1.
    func reducedShape(_ axis: Int, keepingDimension: Bool) -> [Int] {
        var s = shape
        if keepingDimension { s[axis] = 1 } else { s.remove(at: axis) }
        return s
    }

    /// Sums along `axis` (negative counts from the end).
    /// - Parameter keepingDimension: keep the reduced axis with size 1.
    /// - Precondition: `axis` is in range for the tensor's rank.
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        let v = reductionView(axis)
        var out = [Float](repeating: 0, count: v.outer * v.inner)
        scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                Kernels.sumAxis(dst, src, outer: v.outer, axis: v.size, inner: v.inner)
            }
        }
        return Tensor(shape: reducedShape(v.axis, keepingDimension: keepingDimension), scalars: out)
    }

    /// Means along `axis`; an empty axis gives NaN (0/0), as NumPy does.
    /// - Precondition: `axis` is in range for the tensor's rank.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        let a = Shape.normalize(axis: axis, rank: rank)
        return sum(alongAxis: a, keepingDimension: keepingDimension) / Float(shape[a])
    }

    /// Maximum along `axis` and the index of the first maximum (ties → lowest index; a NaN is
    /// the maximum of its slice, as `torch.max(dim)`).
    /// - Precondition: `axis` is in range and its size is at least 1.
    public func max(alongAxis axis: Int, keepingDimension: Bool = false) -> (values: Tensor, indices: [Int]) {
        let v = reductionView(axis)
        precondition(v.size >= 1, "max: axis \(axis) of shape \(shape) is empty")
        var out = [Float](repeating: 0, count: v.outer * v.inner)
        var idx = [Int](repeating: 0, count: v.outer * v.inner)
        scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                idx.withUnsafeMutableBufferPointer { ind in
                    Kernels.maxAxis(dst, ind, src, outer: v.outer, axis: v.size, inner: v.inner)
                }
            }
        }
        return (Tensor(shape: reducedShape(v.axis, keepingDimension: keepingDimension), scalars: out), idx)
    }

    /// Indices of the first maximum along `axis`, with the reduced shape (row-major); a NaN
    /// counts as the maximum (the index of the first NaN), as `max(alongAxis:)`.
    /// - Precondition: `axis` is in range and its size is at least 1.
    public func argmax(alongAxis axis: Int) -> [Int] { max(alongAxis: axis).indices }

    /// The sum of all elements (0 for an empty tensor), accumulated in Double.
    public func sum() -> Float {
        var acc: Double = 0
        scalars.withUnsafeBufferPointer { for x in $0 { acc += Double(x) } }
        return Float(acc)
    }

    /// The mean of all elements (NaN for an empty tensor).
    public func mean() -> Float { sum() / Float(count) }
}
