// Shape arithmetic shared by the tensor operations: element counts, row-major strides,
// broadcasting (NumPy rules) and axis normalisation.

/// Shape helpers: counts, strides and NumPy-style broadcasting.
public enum Shape {
    /// The number of elements of a shape (1 for a scalar `[]`).
    public static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Row-major strides in elements: the last axis has stride 1.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { strides[i] = s; s *= shape[i] }
        return strides
    }

    /// The broadcast shape of two shapes (NumPy rules: align trailing axes; sizes equal or 1).
    /// - Precondition: the shapes are broadcast-compatible.
    public static func broadcast(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            precondition(da == db || da == 1 || db == 1, "broadcast: shapes \(a) and \(b) are not compatible")
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// Strides of `shape` viewed as broadcast to `target` (0 on broadcast axes).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        return (0..<target.count).map { i in
            i < offset || shape[i - offset] == 1 ? 0 : own[i - offset]
        }
    }

    /// Converts a possibly negative axis (−1 = last) to an index in `0..<rank`.
    /// - Precondition: `-rank <= axis < rank`.
    public static func normalize(axis: Int, rank: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "axis \(axis) out of range for rank \(rank)")
        return a
    }
}

/// Iterates a broadcast binary operation over collapsed dimensions.
///
/// Adjacent axes that are contiguous in the result and both operands merge, so a same-shape op
/// is one flat loop and a per-channel bias is a loop of scalar-broadcast runs.
@usableFromInline
struct BroadcastPlan {
    var shape: [Int] = []
    var stridesA: [Int] = []
    var stridesB: [Int] = []

    init(result: [Int], a: [Int], b: [Int]) {
        let sa = Shape.broadcastStrides(a, to: result)
        let sb = Shape.broadcastStrides(b, to: result)
        for i in 0..<result.count where result[i] != 1 {
            if let last = shape.indices.last,
               stridesA[last] == sa[i] * result[i], stridesB[last] == sb[i] * result[i] {
                shape[last] *= result[i]
                stridesA[last] = sa[i]
                stridesB[last] = sb[i]
            } else {
                shape.append(result[i]); stridesA.append(sa[i]); stridesB.append(sb[i])
            }
        }
        if shape.isEmpty { shape = [1]; stridesA = [0]; stridesB = [0] }
    }
}

/// Applies `op` element-wise over broadcast operands; `out` has the broadcast shape.
@inline(__always)
func broadcastApply(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                    _ plan: BroadcastPlan, _ op: (Float, Float) -> Float) {
    let rank = plan.shape.count
    let n = plan.shape[rank - 1], ia = plan.stridesA[rank - 1], ib = plan.stridesB[rank - 1]
    let outer = plan.shape.dropLast().reduce(1, *)
    var index = [Int](repeating: 0, count: max(rank - 1, 0))
    var offA = 0, offB = 0
    var dst = out
    for _ in 0..<outer {
        let pa = a + offA, pb = b + offB
        // Contiguous/broadcast inner runs, each written as a plain loop the compiler vectorises.
        if ia == 1 && ib == 1 {
            for j in 0..<n { dst[j] = op(pa[j], pb[j]) }
        } else if ia == 1 && ib == 0 {
            let vb = pb[0]; for j in 0..<n { dst[j] = op(pa[j], vb) }
        } else if ia == 0 && ib == 1 {
            let va = pa[0]; for j in 0..<n { dst[j] = op(va, pb[j]) }
        } else {
            for j in 0..<n { dst[j] = op(pa[j * ia], pb[j * ib]) }
        }
        dst += n
        // Odometer over the outer axes.
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            offA += plan.stridesA[axis]; offB += plan.stridesB[axis]
            if index[axis] < plan.shape[axis] { break }
            offA -= plan.stridesA[axis] * plan.shape[axis]; offB -= plan.stridesB[axis] * plan.shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
