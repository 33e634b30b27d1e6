// Legend: a tensor of rank R has shape [d0, d1, …, d(R-1)], stored row-major (last axis fastest).
import Kernels

/// A dense, row-major, Float32 n-dimensional array with value semantics.
///
/// Storage is a Swift `Array<Float>`, so copies are copy-on-write and the type is `Sendable`.
/// Every operation returns a new, contiguous tensor; there are no strided views. Shapes are
/// checked with `precondition`s whose messages name the shapes involved.
public struct Tensor: Sendable, Equatable {
    /// The size of each axis, outermost first. A scalar has shape `[]`.
    public internal(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    ///
    /// Element writes (`t.scalars[i] = x`, `withUnsafeMutableBufferPointer`) happen in place on
    /// a uniquely held tensor.
    /// - Precondition: a write keeps the element count of `shape`.
    public var scalars: [Float] {
        get { storage }
        set {
            precondition(newValue.count == storage.count,
                         "Tensor: scalars changed count from \(storage.count) to \(newValue.count) (shape \(shape))")
            storage = newValue
        }
        // Not a `didSet`: an observed property is mutated through a temporary copy, so every
        // element write copied the whole array (O(n) per write, O(n²) for a fill loop).
        _modify {
            let count = storage.count
            yield &storage
            precondition(storage.count == count,
                         "Tensor: scalars changed count from \(count) to \(storage.count) (shape \(shape))")
        }
    }
    /// The row-major elements behind `scalars`.
    var storage: [Float]

    /// Creates a tensor of the given shape from its row-major elements.
    /// - Precondition: every dimension ≥ 0 and `scalars.count` equals the product of `shape`.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        let count = shape.reduce(1, *)
        precondition(scalars.count == count,
                     "Tensor: shape \(shape) needs \(count) scalars, got \(scalars.count)")
        self.shape = shape
        self.storage = scalars
    }

    /// Creates a rank-0 tensor holding one value.
    public init(_ value: Float) {
        self.init(shape: [], scalars: [value])
    }

    /// Creates a tensor filled with one value.
    /// - Precondition: every dimension ≥ 0.
    public init(repeating value: Float, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// The number of axes.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { scalars.count }
    /// The single element of a one-element tensor.
    /// - Precondition: `count == 1`.
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar: shape \(shape) holds \(count) elements, not 1")
        return scalars[0]
    }
}

// MARK: - CustomStringConvertible

extension Tensor: CustomStringConvertible {
    /// `Tensor(shape: [2, 3], scalars: [...])`, every element listed (the form the default
    /// reflection printed before `scalars` became a computed property).
    public var description: String { "Tensor(shape: \(shape), scalars: \(storage))" }
}
