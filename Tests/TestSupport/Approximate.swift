import Testing

/// Expects two sequences to agree element-wise within `|a − e| ≤ atol + rtol·|e|`
/// (the `isApproximatelyEqual` / `numpy.allclose` rule), and to have the same length.
/// Reports the first offending index and the worst error.
public func expectClose<A: Collection, E: Collection>(
    _ actual: A, _ expected: E,
    relativeTolerance rtol: Double = 1e-4, absoluteTolerance atol: Double = 1e-6,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) where A.Element: BinaryFloatingPoint, E.Element: BinaryFloatingPoint {
    var a: [Double] = [], e: [Double] = []
    for x in actual { a.append(Double(x)) }
    for x in expected { e.append(Double(x)) }
    #expect(a.count == e.count, "length \(a.count) vs expected \(e.count). \(comment?.rawValue ?? "")", sourceLocation: sourceLocation)
    guard a.count == e.count else { return }
    var firstBad: Int?
    var worst = 0.0
    for i in a.indices {
        let err = abs(a[i] - e[i])
        if !(err <= atol + rtol * abs(e[i])) {
            if firstBad == nil { firstBad = i }
            worst = max(worst, err.isNaN ? .infinity : err)
        }
    }
    if let i = firstBad {
        Issue.record("not close at index \(i): \(a[i]) vs expected \(e[i]) (worst abs error \(worst), rtol \(rtol), atol \(atol)). \(comment?.rawValue ?? "")",
                     sourceLocation: sourceLocation)
    }
}

/// Expects two scalars to agree within `|a − e| ≤ atol + rtol·|e|`.
public func expectClose<T: BinaryFloatingPoint>(
    _ actual: T, _ expected: T, relativeTolerance rtol: Double = 1e-4, absoluteTolerance atol: Double = 1e-6,
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose([actual], [expected], relativeTolerance: rtol, absoluteTolerance: atol, comment, sourceLocation: sourceLocation)
}

/// Flattens nested JSON arrays of numbers (as parsed by JSONSerialization) into `[Double]`.
public func flattenNumbers(_ value: Any) -> [Double] {
    if let n = value as? Double { return [n] }
    if let n = value as? Int { return [Double(n)] }
    if let list = value as? [Any] { return list.flatMap(flattenNumbers) }
    return []
}

/// The shape of nested JSON arrays (the length at each depth, following first elements).
public func nestedShape(_ value: Any) -> [Int] {
    var shape: [Int] = []
    var v = value
    while let list = v as? [Any] { shape.append(list.count); guard let f = list.first else { break }; v = f }
    return shape
}
