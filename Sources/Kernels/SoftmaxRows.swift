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
        for j in 0..<c { exps[j] = vectorizableExpOfNonPositive(row[j] - shift) }
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

    // MARK: - Blocked softmax

    /// Rows per block of the blocked softmax: one block's exps (at most 4,096 floats) stay in L1.
    static func softmaxBlockRows(classCount c: Int) -> Int { max(1, 4_096 / c) }

    /// The row count above which the softmax row kernels split across workers.
    static let softmaxMinimumRowsPerWorker = 512

    /// Runs `body(rows, exps, maxima, sums)` over consecutive blocks of `rows`, where for each
    /// row r of the block `exps[(r − rows.lowerBound)·C + j] = e^(x[r, j] − max_r)`,
    /// `maxima[r − lower] = max_r` and `sums[r − lower] = Σ_j exps[…]`.
    ///
    /// Why blocks: the exps of a whole block are computed by one long, fully vectorised loop, so a
    /// short row (C = 21) does not spend most of its time in a scalar loop remainder.
    @inline(__always)
    static func forEachSoftmaxBlock(
        _ x: UnsafePointer<Float>, classCount c: Int, rows: Range<Int>,
        _ body: (_ rows: Range<Int>, _ exps: UnsafeMutablePointer<Float>, _ maxima: UnsafePointer<Float>, _ sums: UnsafePointer<Float>) -> Void
    ) {
        let blockRows = softmaxBlockRows(classCount: c)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: blockRows * (c + 2)) { scratch in
            let exps = scratch.baseAddress!, maxima = exps + blockRows * c, sums = maxima + blockRows
            var start = rows.lowerBound
            while start < rows.upperBound {
                let end = min(start + blockRows, rows.upperBound), count = end - start
                for r in 0..<count { maxima[r] = rowMaximum(x + (start + r) * c, c) }
                for r in 0..<count {
                    let row = x + (start + r) * c, shifted = exps + r * c, m = maxima[r]
                    for j in 0..<c { shifted[j] = row[j] - m }
                }
                for k in 0..<(count * c) { exps[k] = vectorizableExpOfNonPositive(exps[k]) }
                for r in 0..<count { sums[r] = rowSum(exps + r * c, c) }
                body(start..<end, exps, maxima, sums)
                start = end
            }
        }
    }
}
