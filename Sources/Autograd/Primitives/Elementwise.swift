// Element-wise primitives with their vector–Jacobian products. Binary ops broadcast; the
// gradient is summed back over broadcast axes (`Tensor.summed(toShape:)`).
// Every rule captures the forward values it needs (a retain, not a copy: `Tensor` is
// copy-on-write), never the parent `Variable`'s current `value`, which may be reassigned
// before `backward()`. The other primitive files follow the same rule.
import Foundation
import Kernels
import TensorCore

extension Variable {
    /// Element-wise sum with NumPy broadcasting; each gradient is summed back to its input's shape.
    /// - Precondition: the shapes are broadcast-compatible (the message names both).
    public static func + (a: Variable, b: Variable) -> Variable {
        let (aShape, bShape) = (a.shape, b.shape)
        return Variable(a.value + b.value, parents: [a, b]) { g in
            [g.summed(toShape: aShape), g.summed(toShape: bShape)]
        }
    }

    /// Element-wise difference with NumPy broadcasting.
    /// - Precondition: the shapes are broadcast-compatible (the message names both).
    public static func - (a: Variable, b: Variable) -> Variable {
        let (aShape, bShape) = (a.shape, b.shape)
        return Variable(a.value - b.value, parents: [a, b]) { g in
            [g.summed(toShape: aShape), (-g).summed(toShape: bShape)]
        }
    }

    /// Element-wise product with NumPy broadcasting.
    /// - Precondition: the shapes are broadcast-compatible (the message names both).
    public static func * (a: Variable, b: Variable) -> Variable {
        let (av, bv) = (a.value, b.value)
        return Variable(av * bv, parents: [a, b]) { g in
            [(g * bv).summed(toShape: av.shape), (g * av).summed(toShape: bv.shape)]
        }
    }

    /// Element-wise quotient with NumPy broadcasting (IEEE division: x/0 is ±inf or NaN, and so
    /// is its gradient).
    /// - Precondition: the shapes are broadcast-compatible (the message names both).
    public static func / (a: Variable, b: Variable) -> Variable {
        let (aShape, bv) = (a.shape, b.value)
        let out = a.value / bv
        return Variable(out, parents: [a, b]) { g in
            let ga = g / bv
            return [ga.summed(toShape: aShape), (-(ga * out)).summed(toShape: bv.shape)]
        }
    }

    /// Negation.
    public static prefix func - (a: Variable) -> Variable {
        Variable(-a.value, parents: [a]) { g in [-g] }
    }

    /// Adds a constant scalar.
    public static func + (a: Variable, b: Float) -> Variable { Variable(a.value + b, parents: [a]) { [$0] } }
    /// Multiplies by a constant scalar.
    public static func * (a: Variable, b: Float) -> Variable { Variable(a.value * b, parents: [a]) { [$0 * b] } }
    /// Multiplies by a constant scalar.
    public static func * (a: Float, b: Variable) -> Variable { b * a }
    /// Divides by a constant scalar.
    public static func / (a: Variable, b: Float) -> Variable { a * (1 / b) }

    /// Element-wise e^x.
    public func exp() -> Variable {
        let out = value.exp()
        return Variable(out, parents: [self]) { g in [g * out] }
    }

    /// Element-wise natural logarithm (log 0 = −inf with gradient +inf; negative inputs give NaN).
    public func log() -> Variable {
        let x = value
        return Variable(x.log(), parents: [self]) { g in [g / x] }
    }

    /// Element-wise max(x, 0); the gradient at 0 is 0 (PyTorch's convention).
    public func relu() -> Variable {
        let out = value.relu()
        return Variable(out, parents: [self]) { g in
            let n = g.count
            let gradInput = [Float](uninitializedCount: n) { buffer in
                g.scalars.withUnsafeBufferPointer { go in out.scalars.withUnsafeBufferPointer { y in
                    Kernels.reluBackward(UnsafeMutableBufferPointer(rebasing: buffer[0..<n]), gradOutput: go, output: y)
                } }
            }
            return [Tensor(shape: g.shape, scalars: gradInput)]
        }
    }
}

extension Tensor {
    /// Sums a broadcast gradient back to `target` (the inverse of broadcasting).
    /// - Precondition: `target` broadcasts to `self.shape`.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        var result = self
        while result.rank > target.count { result = result.sum(alongAxis: 0) }
        for axis in 0..<target.count where target[axis] == 1 && result.shape[axis] != 1 {
            result = result.sum(alongAxis: axis, keepingDimension: true)
        }
        precondition(result.shape == target, "summed(toShape:): \(shape) does not reduce to \(target)")
        return result
    }
}
