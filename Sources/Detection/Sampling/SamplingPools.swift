// Shared selection steps behind the strategies: uniform draws and loss-ranked picks within the
// positive or negative pool, on top of the selection kernels.
//
// Legend: N candidates; labels [N] > 0 foreground, 0 background, < 0 ignored.
// The invariants every strategy relies on live here (mmdetection's `BaseSampler` idea): ignored
// candidates are never chosen, nothing is chosen twice, outputs are ascending indices, and all
// randomness comes from the generator passed in, through `uniformIndex(below:)` (so the mapping
// from generator output to selection is fixed by Quarry's code, not the standard library's).

import DetectionKernels
import Kernels
import Randomness

/// Selection steps within the positive and negative pools, shared by the sampling strategies.
enum SamplingPools {
    /// The number of foreground (> 0) and background (0) labels (Int32 counts per block of
    /// 4,096, which the compiler vectorises).
    static func counts(_ labels: [Int32]) -> (positives: Int, negatives: Int) {
        labels.withUnsafeBufferPointer { l in
            var p = 0, q = 0, start = 0
            while start < l.count {
                let end = min(l.count, start + 4_096)
                var blockP: Int32 = 0, blockQ: Int32 = 0
                for i in start..<end {
                    blockP &+= l[i] > 0 ? 1 : 0
                    blockQ &+= l[i] == 0 ? 1 : 0
                }
                p += Int(blockP)
                q += Int(blockQ)
                start = end
            }
            return (p, q)
        }
    }

    /// The indices whose label satisfies `isMember`, ascending.
    static func indices(of labels: [Int32], where isMember: (Int32) -> Bool) -> [Int] {
        var out: [Int] = []
        for (i, label) in labels.enumerated() where isMember(label) { out.append(i) }
        return out
    }

    /// Labels with only one pool kept: foreground → +1 (`positives`) or background → 0
    /// (otherwise); everything else, and the `excluded` indices, become −1 (ignored).
    static func pool(_ labels: [Int32], positives: Bool, excluding excluded: [Int] = []) -> [Int32] {
        var out = [Int32](repeating: -1, count: labels.count)
        if positives {
            for i in labels.indices where labels[i] > 0 { out[i] = 1 }
        } else {
            for i in labels.indices where labels[i] == 0 { out[i] = 0 }
        }
        for i in excluded { out[i] = -1 }
        return out
    }

    /// torchvision's balanced draw: min(Int(b·f), P) positives and min(b − that, Q) negatives,
    /// each uniform without replacement (`Kernels.balancedRandomSample`), ascending.
    static func balancedRandom(
        _ labels: [Int32], batchSize: Int, positiveFraction: Double,
        using generator: inout some RandomNumberGenerator
    ) -> (positives: [Int], negatives: [Int]) {
        let positiveBudget = Int(Double(batchSize) * positiveFraction)
        var positives = [Int](repeating: 0, count: positiveBudget)
        var negatives = [Int](repeating: 0, count: batchSize)
        let (p, q) = labels.withUnsafeBufferPointer { l in
            positives.withUnsafeMutableBufferPointer { pos in
                negatives.withUnsafeMutableBufferPointer { neg in
                    Kernels.balancedRandomSample(positives: pos, negatives: neg, labels: l, batchSize: batchSize,
                                                 positiveFraction: positiveFraction, using: &generator)
                }
            }
        }
        positives.removeLast(positiveBudget - p)
        negatives.removeLast(batchSize - q)
        return (positives, negatives)
    }

    /// `count` uniform random positives (or all if fewer exist), ascending. Draws exactly as the
    /// positive half of ``balancedRandom(_:batchSize:positiveFraction:using:)``.
    static func randomPositives(_ labels: [Int32], count: Int, using generator: inout some RandomNumberGenerator) -> [Int] {
        balancedRandom(pool(labels, positives: true), batchSize: count, positiveFraction: 1, using: &generator).positives
    }

    /// `count` uniform random negatives outside `excluded` (or all if fewer exist), ascending.
    /// Draws exactly as the negative half of ``balancedRandom(_:batchSize:positiveFraction:using:)``
    /// when nothing is excluded.
    static func randomNegatives(_ labels: [Int32], count: Int, excluding excluded: [Int] = [],
                                using generator: inout some RandomNumberGenerator) -> [Int] {
        balancedRandom(pool(labels, positives: false, excluding: excluded), batchSize: count,
                       positiveFraction: 0, using: &generator).negatives
    }

    /// The `count` highest-loss non-ignored candidates (ties: lower index), at most
    /// `maxPositives` of them positive, ascending (`Kernels.ohemSelect`).
    static func topByLoss(_ labels: [Int32], losses: [Float], count: Int, maxPositives: Int? = nil) -> [Int] {
        var selected = [Int](repeating: 0, count: count)
        let written = labels.withUnsafeBufferPointer { l in
            losses.withUnsafeBufferPointer { loss in
                selected.withUnsafeMutableBufferPointer { out in
                    Kernels.ohemSelect(out, losses: loss, labels: l, count: count, maxPositives: maxPositives)
                }
            }
        }
        selected.removeLast(count - written)
        selected.sort()
        return selected
    }

    /// `count` distinct elements of `pool`, uniform without replacement (or all of it), ascending.
    ///
    /// A partial Fisher–Yates shuffle: `count` draws, each `uniformIndex(below:)`.
    static func uniformSubset(of pool: [Int], count: Int, using generator: inout some RandomNumberGenerator) -> [Int] {
        guard count < pool.count else { return pool.sorted() }
        var pool = pool
        for i in 0..<count {
            let j = i + generator.uniformIndex(below: pool.count - i)
            pool.swapAt(i, j)
        }
        return pool[0..<count].sorted()
    }

    /// Splits selected indices into positives (label > 0) and negatives (label 0), keeping order.
    static func split(_ selected: [Int], labels: [Int32]) -> (positives: [Int], negatives: [Int]) {
        var positives: [Int] = [], negatives: [Int] = []
        for i in selected {
            if labels[i] > 0 { positives.append(i) } else { negatives.append(i) }
        }
        return (positives, negatives)
    }
}
