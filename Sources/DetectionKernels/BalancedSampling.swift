// Random balanced positive/negative sampling (torchvision's BalancedPositiveNegativeSampler).
//
// Legend: N candidates, labels: ≥ 1 positive, 0 negative, < 0 ignored; P positives, Q negatives
// among them; b the batch (e.g. 256), f the positive fraction.
//   wantedPositives = min(Int(b · f), P),   wantedNegatives = min(b − wantedPositives, Q)
// Algorithm, with no N-sized index array: pass 1 counts positives and negatives per chunk of
// 256 labels (a vectorised count, prefix sums kept per chunk); Floyd's algorithm then draws the
// wanted ranks among the P positives (resp. Q negatives) uniformly without replacement, the
// ranks are sorted, and pass 2 maps each rank to its index by skipping whole chunks with the
// prefix sums and scanning one chunk per chosen rank at most.

import Kernels
import Randomness

extension Kernels {
    /// Draws a uniform random subset of positives and negatives, balanced by a positive fraction.
    ///
    /// As torchvision's `BalancedPositiveNegativeSampler`: `Int(batchSize · positiveFraction)`
    /// positives (or all if fewer exist), and `batchSize` minus that many negatives (or all if
    /// fewer exist), each a uniform subset without replacement; ignored candidates are never
    /// chosen. The same generator state gives the same subsets on every machine (the draws use
    /// `RandomNumberGenerator.uniformIndex(below:)`). Empty input or no positives is not an error.
    /// Reference: Ren et al., "Faster R-CNN", arXiv:1506.01497 (256 anchors, fraction 0.5).
    /// - Parameters:
    ///   - positives: output, the chosen positive indices in ascending order.
    ///   - negatives: output, the chosen negative indices in ascending order.
    ///   - labels: [N] ≥ 1 positive, 0 negative, < 0 ignored.
    ///   - batchSize: b ≥ 0, the number of candidates wanted in all.
    ///   - positiveFraction: f in [0, 1].
    ///   - generator: the random source, advanced by one or more draws per chosen candidate.
    /// - Returns: how many positive and negative indices were written.
    /// - Precondition: `positives.count >= Int(b·f)`, `negatives.count >= b`; b ≥ 0; 0 ≤ f ≤ 1.
    public static func balancedRandomSample(
        positives: UnsafeMutableBufferPointer<Int>,
        negatives: UnsafeMutableBufferPointer<Int>,
        labels: UnsafeBufferPointer<Int32>,
        batchSize: Int,
        positiveFraction: Double,
        using generator: inout some RandomNumberGenerator
    ) -> (positiveCount: Int, negativeCount: Int) {
        balancedRandomSampleImpl(positives, negatives, labels, batchSize, positiveFraction) { ranks, k, population in
            drawRanks(ranks, count: k, from: population, using: &generator)
        }
    }

    // MARK: - Implementation

    /// Labels per chunk of the counting pass.
    static let samplingChunk = 256

    /// The label-typed body of both overloads. Why `draw` is a closure: a function generic over
    /// both the label type and the generator is not specialised when called from the generic
    /// public entry point, and its counting loop then runs through value witnesses (15× slower).
    static func balancedRandomSampleImpl<Label: FixedWidthInteger & SignedInteger>(
        _ positives: UnsafeMutableBufferPointer<Int>, _ negatives: UnsafeMutableBufferPointer<Int>,
        _ labels: UnsafeBufferPointer<Label>, _ batchSize: Int, _ positiveFraction: Double,
        draw: (_ ranks: UnsafeMutablePointer<Int>, _ count: Int, _ population: Int) -> Void
    ) -> (positiveCount: Int, negativeCount: Int) {
        precondition(batchSize >= 0 && positiveFraction >= 0 && positiveFraction <= 1,
                     "balancedRandomSample: need batchSize >= 0 and 0 <= positiveFraction <= 1, got \(batchSize), \(positiveFraction)")
        let positiveBudget = Int(Double(batchSize) * positiveFraction)
        precondition(positives.count >= positiveBudget && negatives.count >= batchSize,
                     "balancedRandomSample: positives [\(positives.count)] must hold \(positiveBudget), negatives [\(negatives.count)] must hold \(batchSize)")
        let n = labels.count
        guard n > 0, batchSize > 0 else { return (0, 0) }
        let chunks = (n + samplingChunk - 1) / samplingChunk
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * (chunks + 1)) { prefix in
            // prefix[c] / prefix[chunks + 1 + c]: positives / negatives before chunk c.
            let positivesBefore = prefix.baseAddress!, negativesBefore = prefix.baseAddress! + chunks + 1
            let label = labels.baseAddress!
            var totalPositives: Int32 = 0, totalNegatives: Int32 = 0
            for c in 0..<chunks {
                positivesBefore[c] = totalPositives
                negativesBefore[c] = totalNegatives
                var p: Int32 = 0, q: Int32 = 0
                for i in (c * samplingChunk)..<min(n, (c + 1) * samplingChunk) {
                    p &+= label[i] > 0 ? 1 : 0
                    q &+= label[i] == 0 ? 1 : 0
                }
                totalPositives &+= p
                totalNegatives &+= q
            }
            positivesBefore[chunks] = totalPositives
            negativesBefore[chunks] = totalNegatives
            let positiveCount = min(positiveBudget, Int(totalPositives))
            let negativeCount = min(batchSize - positiveCount, Int(totalNegatives))
            // Positives are drawn first, then negatives: the generator order is part of the contract.
            if positiveCount > 0 { draw(positives.baseAddress!, positiveCount, Int(totalPositives)) }
            if negativeCount > 0 { draw(negatives.baseAddress!, negativeCount, Int(totalNegatives)) }
            if positiveCount > 0 {
                mapRanksToIndices(positives.baseAddress!, count: positiveCount, label, n, positivesBefore) { $0 > 0 }
            }
            if negativeCount > 0 {
                mapRanksToIndices(negatives.baseAddress!, count: negativeCount, label, n, negativesBefore) { $0 == 0 }
            }
            return (positiveCount, negativeCount)
        }
    }

    /// Writes `count` distinct ranks drawn uniformly from 0..<population, sorted ascending.
    ///
    /// Floyd's algorithm (one draw per rank) with an open-addressing hash set for membership.
    /// Reference: Bentley & Floyd, "A sample of brilliance", CACM 30(9), 1987.
    static func drawRanks(_ ranks: UnsafeMutablePointer<Int>, count k: Int, from population: Int,
                          using generator: inout some RandomNumberGenerator) {
        guard k > 0 else { return }
        var tableSize = 16
        while tableSize < 2 * k { tableSize *= 2 }
        let mask = tableSize - 1
        withUnsafeTemporaryAllocation(of: Int.self, capacity: tableSize) { table in
            let slots = table.baseAddress!
            slots.initialize(repeating: -1, count: tableSize)
            /// Inserts `value` unless present; returns whether it was inserted.
            func insert(_ value: Int) -> Bool {
                var slot = Int(truncatingIfNeeded: (UInt64(value) &* 0x9E37_79B9_7F4A_7C15) &>> 40) & mask
                while slots[slot] != -1 {
                    if slots[slot] == value { return false }
                    slot = (slot + 1) & mask
                }
                slots[slot] = value
                return true
            }
            for (taken, j) in ((population - k)..<population).enumerated() {
                let t = generator.uniformIndex(below: j + 1)
                let chosen = insert(t) ? t : j
                if chosen == j { _ = insert(j) }
                ranks[taken] = chosen
            }
        }
        let buffer = UnsafeMutableBufferPointer(start: ranks, count: k)
        buffer.withMemoryRebound(to: UInt64.self) { sortKeys($0.baseAddress!, count: k) }
    }

    /// Replaces sorted ranks among the labels matching `isMember` by their candidate indices.
    @inline(__always)
    static func mapRanksToIndices<Label: FixedWidthInteger & SignedInteger>(
        _ ranks: UnsafeMutablePointer<Int>, count k: Int, _ label: UnsafePointer<Label>, _ n: Int,
        _ before: UnsafePointer<Int32>, _ isMember: (Label) -> Bool
    ) {
        var chunk = 0, i = 0, seen = 0
        for r in 0..<k {
            let rank = ranks[r]
            // Skip whole chunks that end at or before this rank.
            if Int(before[chunk + 1]) <= rank {
                repeat { chunk += 1 } while Int(before[chunk + 1]) <= rank
                i = chunk * samplingChunk
                seen = Int(before[chunk])
            }
            while true {
                if isMember(label[i]) {
                    if seen == rank { break }
                    seen += 1
                }
                i += 1
            }
            ranks[r] = i
            seen += 1
            i += 1
        }
        precondition(i <= n, "balancedRandomSample: internal rank mapping overran the labels")
    }
}
