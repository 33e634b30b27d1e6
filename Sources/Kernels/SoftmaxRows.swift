// Row pieces shared by the softmax losses (cross-entropy, softmax focal, RoI candidate loss).
//
// Legend: C classes per row; `row` points at C contiguous logits.
// Why the separate loops: LLVM vectorises the exp loop only when it holds no floating-point
// reduction (Swift has no fast-math, so a running sum may not be reassociated); the max and the
// sum therefore run as their own loops with four independent accumulators.

extension Kernels {
    /// The largest of C ≥ 1 logits.
    @inline(__always)
    static func rowMaximum(_ row: UnsafePointer<Float>, _ c: Int) -> Float {
        var m0 = row[0], m1 = row[0], m2 = row[0], m3 = row[0]
        var j = 0
        while j + 4 <= c {
            m0 = row[j] > m0 ? row[j] : m0
            m1 = row[j + 1] > m1 ? row[j + 1] : m1
            m2 = row[j + 2] > m2 ? row[j + 2] : m2
            m3 = row[j + 3] > m3 ? row[j + 3] : m3
            j += 4
        }
        while j < c {
            m0 = row[j] > m0 ? row[j] : m0
            j += 1
        }
        let a = m0 > m1 ? m0 : m1, b = m2 > m3 ? m2 : m3
        return a > b ? a : b
    }

    /// Writes e^(row[j] − shift) to `exps[j]` for j < C.
    @inline(__always)
    static func rowShiftedExp(_ exps: UnsafeMutablePointer<Float>, _ row: UnsafePointer<Float>, _ c: Int, shift: Float) {
        for j in 0..<c { exps[j] = vectorizableExp(row[j] - shift) }
    }

    /// The sum of C values, with four accumulators.
    @inline(__always)
    static func rowSum(_ values: UnsafePointer<Float>, _ c: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var j = 0
        while j + 4 <= c {
            s0 += values[j]; s1 += values[j + 1]; s2 += values[j + 2]; s3 += values[j + 3]
            j += 4
        }
        while j < c {
            s0 += values[j]
            j += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// Traps unless `label` is the ignored label or a class index in 0..<C.
    @inline(__always)
    static func checkClassLabel(_ label: Int32, row: Int, classCount: Int, ignoredLabel: Int32, _ kernel: StaticString) {
        precondition(label == ignoredLabel || (label >= 0 && Int(label) < classCount),
                     "\(kernel): label \(label) of row \(row) is outside 0..<\(classCount) and is not the ignored label \(ignoredLabel)")
    }

    /// Computes x^γ for x in [0, 1] and γ ≥ 0 (0⁰ = 1), from the branch-free exp and log.
    @inline(__always)
    static func unitPower(_ x: Float, _ gamma: Float) -> Float {
        if gamma == 0 { return 1 }
        if gamma == 2 { return x * x }
        if x < Float.leastNormalMagnitude { return 0 }
        return vectorizableExp(gamma * vectorizableLog(x))
    }
}
