// The reverse-mode autograd graph: a `Variable` wraps a `Tensor` value, remembers its parents
// and a vector–Jacobian rule, and `backward()` walks the graph once in reverse topological order.
import TensorCore

/// A node of the autograd graph: a tensor value, and how to send gradients to its parents.
///
/// Leaves created with `requiresGradient: true` are parameters: `backward()` accumulates
/// (`+=`) into their `gradient`, as PyTorch's `.grad` does. Intermediate nodes hold their
/// gradient only during the backward pass. A graph lives within one task; the class is not
/// `Sendable`. Identity (`===`) is the node's identity, so no IDs are needed.
public final class Variable {
    /// The forward value.
    ///
    /// Reassigning it (an optimiser step) affects only graphs built afterwards: each backward
    /// rule keeps the values its forward pass used.
    public var value: Tensor
    /// The accumulated gradient of a leaf after `backward()`; `nil` before the first one.
    public var gradient: Tensor?
    /// Whether gradients flow to this node (true for parameters and anything computed from one).
    public let requiresGradient: Bool
    /// The inputs this node was computed from (empty for leaves and for constants).
    private(set) var parents: [Variable]
    /// Maps the gradient of this node's value to the gradients of its parents (nil: no gradient).
    /// Its captures are parents of this node (never other variables), which `deinit` relies on.
    private(set) var backwardRule: ((Tensor) -> [Tensor?])?

    /// Creates a leaf: a constant (`requiresGradient: false`) or a parameter.
    public init(_ value: Tensor, requiresGradient: Bool = false) {
        self.value = value
        self.requiresGradient = requiresGradient
        parents = []
        backwardRule = nil
    }

    /// Creates an interior node; it becomes a constant when gradients are disabled or no
    /// parent requires one, so inference builds no graph.
    ///
    /// Public so that modules above Autograd can add a coarse primitive with its own kernel pair
    /// (Detection's `roiAlign`): `backward` maps the gradient of `value` to one gradient (or nil)
    /// per parent, each with that parent's shape.
    public init(_ value: Tensor, parents: [Variable], backward: @escaping (Tensor) -> [Tensor?]) {
        self.value = value
        if GradientMode.isEnabled && parents.contains(where: \.requiresGradient) {
            requiresGradient = true
            self.parents = parents
            backwardRule = backward
        } else {
            requiresGradient = false
            self.parents = []
            backwardRule = nil
        }
    }

    /// Releases the graph above this node iteratively.
    ///
    /// Left to Swift, releasing the last reference to the output of a long chain releases its
    /// parent from inside this deinit, and so on up the chain: one stack frame per node, which
    /// overflowed the stack at about 10⁵ nodes. Instead, parents that this node alone keeps
    /// alive are unlinked into a local work list, so each deinit below returns at once.
    deinit {
        guard !parents.isEmpty else { return }
        var work = parents
        parents = []
        backwardRule = nil  // its captures are parents, now held by `work`
        while var node = work.popLast() {
            // Only a node nobody else holds dies here; others keep their parents for their owners.
            if isKnownUniquelyReferenced(&node) && !node.parents.isEmpty {
                work.append(contentsOf: node.parents)
                node.parents = []
                node.backwardRule = nil
            }
        }
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }
    /// Whether this node is a leaf (a parameter or a constant).
    public var isLeaf: Bool { parents.isEmpty }

    /// A constant with the same value, cut from the graph (no gradient flows through it).
    public func detached() -> Variable { Variable(value) }

    /// Clears a leaf's accumulated gradient.
    public func zeroGradient() { gradient = nil }

    /// Back-propagates from this node, accumulating into the `gradient` of every leaf that
    /// requires one.
    ///
    /// - Parameter seed: the gradient of the final objective with respect to this node's value;
    ///   omitted, the node must be a scalar (one element) and the seed is 1.
    /// - Precondition: `seed` has this node's shape; without a seed, the value has one element.
    public func backward(seed: Tensor? = nil) {
        let seedGradient: Tensor
        if let seed {
            precondition(seed.shape == value.shape, "backward: seed shape \(seed.shape) differs from value shape \(value.shape)")
            seedGradient = seed
        } else {
            precondition(value.count == 1, "backward: value of shape \(value.shape) is not a scalar; pass a seed")
            seedGradient = Tensor(repeating: 1, shape: value.shape)
        }
        guard requiresGradient else { return }

        // Iterative post-order DFS gives a topological order without recursion limits.
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let parent = node.parents[next]
                if parent.requiresGradient && visited.insert(ObjectIdentifier(parent)).inserted {
                    stack.append((parent, 0))
                }
            } else {
                order.append(node)
            }
        }

        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seedGradient]
        for node in order.reversed() {
            guard let grad = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            if node.isLeaf {
                node.gradient = node.gradient.map { $0 + grad } ?? grad
                continue
            }
            let parentGrads = node.backwardRule!(grad)
            for (parent, g) in zip(node.parents, parentGrads) {
                guard parent.requiresGradient, let g else { continue }
                precondition(g.shape == parent.value.shape,
                             "backward rule produced gradient \(g.shape) for a parent of shape \(parent.value.shape)")
                let key = ObjectIdentifier(parent)
                if let existing = pending[key] { pending[key] = existing + g } else { pending[key] = g }
            }
        }
    }
}

/// Whether operations record the autograd graph (task-local; on by default).
public enum GradientMode {
    @TaskLocal static var enabled = true

    /// True unless inside `withoutGradients`.
    public static var isEnabled: Bool { enabled }
}

/// Runs `body` without recording the graph: results are constants. Use for inference and for
/// the read-only loss evaluation that OHEM-style strategies need.
public func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
    try GradientMode.$enabled.withValue(false, operation: body)
}
