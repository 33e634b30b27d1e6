import Testing
import TensorCore
import Autograd

/// Checks `backward()` against central finite differences.
///
/// The objective is `Σ f(inputs) ⊙ R` for a fixed random projection R, so every output
/// element's gradient is exercised. Differences are taken in Float32 with step `h` and the
/// objective accumulated in Double; with h = 1e-2 the truncation error O(h²) and the rounding
/// error O(ε·|f|/h) are both about 1e-4, hence the default tolerance of 1e-2 relative to the
/// largest gradient. Non-smooth points (ReLU at 0, max ties) must be avoided by the caller.
public func checkGradients(
    of f: ([Variable]) -> Variable, at inputs: [Tensor], step h: Float = 1e-2,
    tolerance: Double = 1e-2, sourceLocation: SourceLocation = #_sourceLocation
) {
    let variables = inputs.map { Variable($0, requiresGradient: true) }
    let output = f(variables)
    let projection = Tensor(shape: output.shape, scalars: randomFloats(output.value.count, seed: 1234, range: 0.5...1.5))
    (output * Variable(projection)).sum().backward()

    func objective(_ tensors: [Tensor]) -> Double {
        let out = withoutGradients { f(tensors.map { Variable($0) }) }.value
        var acc = 0.0
        for (a, b) in zip(out.scalars, projection.scalars) { acc += Double(a) * Double(b) }
        return acc
    }
    for (k, input) in inputs.enumerated() {
        let analytic = variables[k].gradient?.scalars ?? [Float](repeating: 0, count: input.count)
        var numeric = [Double](repeating: 0, count: input.count)
        for i in 0..<input.count {
            var plus = inputs, minus = inputs
            plus[k].scalars[i] += h
            minus[k].scalars[i] -= h
            numeric[i] = (objective(plus) - objective(minus)) / Double(2 * h)
        }
        let scale = max(numeric.map(abs).max() ?? 0, 1e-3)
        expectClose(analytic, numeric, relativeTolerance: 0, absoluteTolerance: tolerance * scale,
                    "gradient of input \(k) (shape \(input.shape))", sourceLocation: sourceLocation)
    }
}
