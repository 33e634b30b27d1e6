import Testing
import TensorCore
import Autograd
import TestSupport

/// Long graphs: the backward pass is an iterative walk, and releasing a graph must not recurse
/// once per node either (a recursive teardown overflowed the stack at about 10⁵ nodes).
@Suite("Deep graphs")
struct DeepGraphTests {
    @Test("backward through 10,000 chained additions gives the exact count")
    func longChainBackward() {
        let x = Variable(Tensor(1), requiresGradient: true)
        var y = x
        for _ in 0..<10_000 { y = y + x }
        y.backward()
        #expect(x.gradient?.scalars == [10_001])
    }

    @Test("a 200,000-node chain is built, differentiated and released without overflowing the stack")
    func longChainRelease() {
        let x = Variable(Tensor(2), requiresGradient: true)
        do {
            var y = x * 1
            for _ in 0..<200_000 { y = y + x }
            y.backward()
            // y is released at the end of this scope: the whole chain is torn down here.
        }
        #expect(x.gradient?.scalars == [200_001])
    }

    @Test("a variable used many times, also inside shared subgraphs, sums all its gradients")
    func manyUses() {
        // f(x) = Σ_{i<50} (x·x)/x + x·x  →  f'(x) = 50 + 100x at x = 3 … built as a shared chain.
        let x = Variable(Tensor(3), requiresGradient: true)
        let square = x * x
        var total = Variable(Tensor(0))
        for _ in 0..<50 { total = total + square / x + square }
        total.backward()
        // d/dx[(x²)/x] = 1 and d/dx[x²] = 2x: 50 · (1 + 6) = 350.
        expectClose(x.gradient?.scalars ?? [], [350], relativeTolerance: 1e-5)
    }
}
