// Movement and indexing: reshape, permute, slice, concatenate, gather. All results are
// contiguous copies (no strided views), so every later kernel sees dense row-major data.

extension Tensor {
    /// The same elements under a new shape; one dimension may be −1 (inferred).
    /// - Precondition: element counts agree (the message names both shapes).
    public func reshaped(to newShape: [Int]) -> Tensor {
        var s = newShape
        if let inferred = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshape: cannot infer −1 in \(newShape) for shape \(shape)")
            s[inferred] = count / known
        }
        precondition(Shape.count(s) == count && s.allSatisfy { $0 >= 0 },
                     "reshape: shape \(shape) (\(count) elements) cannot become \(newShape)")
        var t = self
        t.shape = s
        return t
    }

    /// The tensor with its axes reordered: result axis i is input axis `order[i]`.
    /// - Precondition: `order` is a permutation of `0..<rank`.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.count == rank && Set(order) == Set(0..<rank),
                     "permute: \(order) is not a permutation of the axes of shape \(shape)")
        if order == Array(0..<rank) { return self }
        let inStrides = Shape.strides(shape)
        let newShape = order.map { shape[$0] }
        let strides = order.map { inStrides[$0] }
        let n = count
        var out = [Float](repeating: 0, count: n)
        if n == 0 { return Tensor(shape: newShape, scalars: out) }
        let last = rank - 1
        let inner = newShape[last], innerStride = strides[last]
        var index = [Int](repeating: 0, count: rank)
        scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var o = 0, offset = 0
                while o < n {
                    for j in 0..<inner { dst[o + j] = src[offset + j * innerStride] }
                    o += inner
                    var axis = last - 1
                    while axis >= 0 {
                        index[axis] += 1; offset += strides[axis]
                        if index[axis] < newShape[axis] { break }
                        offset -= strides[axis] * newShape[axis]; index[axis] = 0; axis -= 1
                    }
                }
            }
        }
        return Tensor(shape: newShape, scalars: out)
    }

    /// The transpose of a rank-2 tensor. - Precondition: `rank == 2`.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed: shape \(shape) is not rank 2")
        return permuted([1, 0])
    }

    /// The elements `range` along `axis` (other axes whole).
    /// - Precondition: `range` lies within the axis.
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let a = Shape.normalize(axis: axis, rank: rank)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "slice: range \(range) outside axis \(a) of shape \(shape)")
        let outer = Shape.count(Array(shape[..<a])), inner = Shape.count(Array(shape[(a + 1)...]))
        let len = range.count
        var out = [Float]()
        out.reserveCapacity(outer * len * inner)
        scalars.withUnsafeBufferPointer { src in
            for o in 0..<outer {
                let start = (o * shape[a] + range.lowerBound) * inner
                out.append(contentsOf: src[start..<(start + len * inner)])
            }
        }
        var s = shape
        s[a] = len
        return Tensor(shape: s, scalars: out)
    }

    /// Joins tensors along `axis`.
    /// - Precondition: at least one tensor; all shapes equal except along `axis`.
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors")
        let first = tensors[0]
        let a = Shape.normalize(axis: axis, rank: first.rank)
        for t in tensors {
            precondition(t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == a || t.shape[$0] == first.shape[$0] },
                         "concatenate: shape \(t.shape) does not match \(first.shape) outside axis \(a)")
        }
        let outer = Shape.count(Array(first.shape[..<a])), inner = Shape.count(Array(first.shape[(a + 1)...]))
        var s = first.shape
        s[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        var out = [Float]()
        out.reserveCapacity(Shape.count(s))
        for o in 0..<outer {
            for t in tensors {
                let run = t.shape[a] * inner
                out.append(contentsOf: t.scalars[(o * run)..<((o + 1) * run)])
            }
        }
        return Tensor(shape: s, scalars: out)
    }

    /// Selects `indices` along `axis` (like `torch.index_select`); indices may repeat.
    /// - Precondition: every index in `0..<shape[axis]` (the message names the first bad one).
    public func gathering(_ indices: [Int], alongAxis axis: Int) -> Tensor {
        let a = Shape.normalize(axis: axis, rank: rank)
        let size = shape[a]
        for (p, i) in indices.enumerated() {
            precondition(i >= 0 && i < size, "gather: index \(i) at position \(p) outside axis \(a) of shape \(shape)")
        }
        let outer = Shape.count(Array(shape[..<a])), inner = Shape.count(Array(shape[(a + 1)...]))
        var out = [Float](repeating: 0, count: outer * indices.count * inner)
        scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var o = 0
                for oi in 0..<outer {
                    for i in indices {
                        let s = (oi * size + i) * inner
                        for j in 0..<inner { dst[o + j] = src[s + j] }
                        o += inner
                    }
                }
            }
        }
        var s = shape
        s[a] = indices.count
        return Tensor(shape: s, scalars: out)
    }

    /// The element at a multi-dimensional index.
    /// - Precondition: one index per axis, each in range.
    public subscript(_ index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "subscript: \(index.count) indices for shape \(shape)")
        var flat = 0
        for (i, x) in index.enumerated() {
            precondition(x >= 0 && x < shape[i], "subscript: index \(index) outside shape \(shape)")
            flat = flat * shape[i] + x
        }
        return flat
    }
}
