// Element-wise arithmetic with NumPy broadcasting, and unary maps.
import Foundation
import Kernels

extension Tensor {
    /// Applies a binary operation element-wise over the broadcast shape of `self` and `other`.
    /// - Precondition: the shapes are broadcast-compatible (the message names both shapes).
    @inline(__always)
    public func zipWith(_ other: Tensor, _ op: (Float, Float) -> Float) -> Tensor {
        let resultShape = Shape.broadcast(shape, other.shape)
        let n = Shape.count(resultShape)
        if n == 0 { return Tensor(shape: resultShape, scalars: []) }
        let plan = BroadcastPlan(result: resultShape, a: shape, b: other.shape)
        let out = [Float](uninitializedCount: n) { buffer in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    broadcastApply(buffer.baseAddress!, a.baseAddress!, b.baseAddress!, plan, op)
                }
            }
        }
        return Tensor(shape: resultShape, scalars: out)
    }

    /// Applies a unary function to every element.
    @inline(__always)
    public func map(_ transform: (Float) -> Float) -> Tensor {
        let n = count
        let out = [Float](uninitializedCount: n) { buffer in
            scalars.withUnsafeBufferPointer { a in
                for i in 0..<n { buffer[i] = transform(a[i]) }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Element-wise sum with NumPy broadcasting.
    /// - Precondition: the shapes are broadcast-compatible (the message names both).
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipWith(rhs, +) }
    /// Element-wise difference with NumPy broadcasting.
    /// - Precondition: the shapes are broadcast-compatible (the message names both).
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipWith(rhs, -) }
    /// Element-wise product with NumPy broadcasting.
    /// - Precondition: the shapes are broadcast-compatible (the message names both).
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipWith(rhs, *) }
    /// Element-wise quotient with NumPy broadcasting (IEEE division: x/0 is ±inf or NaN).
    /// - Precondition: the shapes are broadcast-compatible (the message names both).
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipWith(rhs, /) }
    /// Negation.
    public static prefix func - (x: Tensor) -> Tensor { x.map { -$0 } }

    /// Adds a scalar to every element.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 + rhs } }
    /// Subtracts a scalar from every element.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 - rhs } }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 * rhs } }
    /// Divides every element by a scalar.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 / rhs } }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.map { lhs * $0 } }

    /// Element-wise natural exponential.
    public func exp() -> Tensor { map { Foundation.exp($0) } }
    /// Element-wise natural logarithm (log 0 = −inf, log of a negative number = NaN).
    public func log() -> Tensor { map { Foundation.log($0) } }
    /// Element-wise max(x, 0).
    public func relu() -> Tensor {
        // Through Kernels.reluForward rather than `map`: one vectorised pass, split across the cores.
        let n = count
        let out = [Float](uninitializedCount: n) { buffer in
            scalars.withUnsafeBufferPointer { Kernels.reluForward(UnsafeMutableBufferPointer(rebasing: buffer[0..<n]), $0) }
        }
        return Tensor(shape: shape, scalars: out)
    }
    /// Element-wise logistic sigmoid 1 / (1 + e^−x), stable for large |x|.
    public func sigmoid() -> Tensor {
        map { x in x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x)) }
    }
    /// Element-wise square root.
    public func squareRoot() -> Tensor { map { $0.squareRoot() } }
    /// Element-wise clamp to `[lower, upper]`.
    public func clamped(to range: ClosedRange<Float>) -> Tensor {
        map { Swift.min(Swift.max($0, range.lowerBound), range.upperBound) }
    }
    /// True when every element is finite (no NaN or ±inf).
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}
