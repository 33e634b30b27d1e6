// The re-scoring visit of `hard-negative-buffer` (`rescore=true`, issue 14 item 4).
//
// Legend: N candidates, E extra proposals (the image's entries handed out by `extraCandidates`,
// the last E candidates), q the per-image quota, H the pass's hard set.
// The seed's visit took an image's entries out and lost whatever it did not replay, so entries
// never lived past one visit and expiry never fired. A re-scoring visit instead:
//   1. expires entries older than `expiryEpochs` epochs (whole buffer), then reads the image's
//      entries in place (an RoI head: the first `maxExtraProposals` of them came back as extra
//      proposals; the rest, and anchors whose mirror is off the grid, are not scored this visit
//      and stay as they are);
//   2. at a proposal head removes every extra proposal whose IoU with some current proposal is
//      ≥ `duplicateIoU` (it is the same region: replaying both would double its weight, storing
//      both would keep it twice) — counted in `duplicates`; its entry is scored, replayed and
//      kept through that proposal (the best-overlapping one) instead, as an anchor entry is
//      through its current anchor;
//   3. finds H, this pass's hard negatives by the mining rule (`threshold`: background with
//      foreground probability > the score threshold; `rank`: the top q background candidates),
//      over all N candidates but the duplicates;
//   4. replays the scored entries whose candidate is in H (still hard now; best current score
//      first, at most ⌊ρ·n_b⌋ of them); scored entries outside H are no longer hard and are
//      dropped (`drops`);
//   5. the image's entries become the best q (by score) of: the scored entries still hard (at
//      their current score, their age kept: an entry's age counts from when it was first mined,
//      so expiry removes even a still-hard entry after E epochs and the next visit mines it
//      afresh), the unscored ones, and H's other members (new, mined at this step); entries
//      pushed out by the quota count as evictions.
// Capacity K still bounds the buffer as a whole (its lowest scores evicted first); with the
// configured defaults K is unbounded and q × images bounds it.
// Reference: OHEM's hard-example selection by rank (Shrivastava et al., arXiv:1604.03540);
// the cache of hard negatives re-scored by the current model and shrunk to the still-hard ones
// (Felzenszwalb et al., TPAMI 2010, §4.5, "data-mining hard examples").
import TensorCore

/// An RoI-head visit between ``HardNegativeBufferStrategy/extraCandidates(for:progress:)`` and
/// ``HardNegativeBufferStrategy/sample(_:using:)``.
struct PendingReplay {
    /// The entries handed out as extra proposals, best first (the last E candidates, in order).
    var offered: [HardNegative]
    /// The image's other entries (re-scoring visits only): not scored this visit.
    var unreviewed: [HardNegative]
    /// The visit's statistics so far (expirations, discards).
    var statistics: MiningStatistics
}

/// Which background candidates of a pass are hard negatives, to be remembered.
public enum HardNegativeMining: String, Sendable, Hashable, CaseIterable, Codable {
    /// Foreground probability above the score threshold (0.5): the seed's rule, a confident
    /// false positive (Felzenszwalb et al. §4.5's margin violation).
    case threshold
    /// The top q background candidates by foreground probability, q the per-image quota: a
    /// fixed dose per image whatever the model's calibration (OHEM's selection by rank,
    /// Shrivastava et al., arXiv:1604.03540).
    case rank
}

extension HardNegativeBufferStrategy {
    /// One visit with re-scoring (see the file's comment); the selection as ``sample(_:using:)``.
    mutating func sampleRescoring(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        let image = input.image, n = input.candidateCount
        let anchors = head.candidates == .anchors
        checkAnchorLayout(of: input)
        let probabilities = input.foregroundProbabilities!
        var statistics = MiningStatistics()
        // 1. The scored entries with their current candidate index, and the unscored ones.
        var scored: [(entry: HardNegative, index: Int)] = [], unscored: [HardNegative] = []
        var eligible = [Bool](repeating: true, count: n)
        if !anchors, let pending = pendingReplays.removeValue(forKey: image.id) {
            precondition(pending.offered.count <= n, "\(name): \(pending.offered.count) extra proposals were handed out for image \(image.id) but only \(n) candidates arrived")
            statistics = pending.statistics
            unscored = pending.unreviewed
            let first = n - pending.offered.count
            let boxes = input.boxes.scalars
            for (k, entry) in pending.offered.enumerated() {
                // 2. A duplicate of a current proposal stands for it.
                if let duplicateIoU, let match = Self.bestOverlap(ofBox: first + k, againstFirst: first, in: boxes),
                   match.iou >= duplicateIoU {
                    eligible[first + k] = false
                    statistics.duplicates += 1
                    scored.append((entry, match.index))
                } else {
                    scored.append((entry, first + k))
                }
            }
        } else {
            let entries = beginVisit(image, progress: input.progress, statistics: &statistics, takingOut: false)
            if anchors {
                for entry in entries {
                    guard case .anchor(let stored) = entry.location else { preconditionFailure("\(head) buffer holds a box entry") }
                    var current: Int? = stored < n ? stored : nil
                    if !image.flip.isIdentity, let layout = image.anchorLayout {
                        current = stored < layout.anchorCount
                            ? image.flip.mirroredAnchorIndex(stored, layout: layout, width: image.width, height: image.height) : nil
                    }
                    if let current { scored.append((entry, current)) } else { unscored.append(entry) }
                }
            } else {
                unscored = entries  // boxes are scored only as extra proposals
            }
        }

        // 3. The hard set, best first.
        let hard = hardNegatives(of: input, eligible: eligible)
        var isHard = [Bool](repeating: false, count: n)
        for i in hard { isHard[i] = true }

        // 4. Still-hard entries are replayed (best current score first) and kept; the others go.
        var stillHard: [(entry: HardNegative, index: Int)] = []
        var represented = [Bool](repeating: false, count: n)
        for (entry, index) in scored where eligible[index] {
            if isHard[index] && !represented[index] {
                var rescored = entry
                rescored.score = probabilities[index]
                stillHard.append((rescored, index))
                represented[index] = true
            } else {
                statistics.drops += 1
            }
        }
        stillHard.sort { $0.entry.score > $1.entry.score || ($0.entry.score == $1.entry.score && $0.index < $1.index) }
        // The replay cap is a per-visit limit, not a loss here: what it leaves out stays buffered.
        let (positives, negatives, separatePass) = selectBatch(around: stillHard.map(\.index), in: input, countingDiscards: false,
                                                               statistics: &statistics, using: &generator)

        // 5. The image's entries after the visit: the best q of kept, unscored and new.
        var fresh: [HardNegative] = []
        // Bootstrapping (`miningInterval`) adds entries in its mining rounds only.
        for i in hard where !represented[i] && miningInterval == nil {
            guard let location = storedLocation(of: i, in: input) else { statistics.rejections += 1; continue }
            fresh.append(HardNegative(imageID: image.id, location: location, score: probabilities[i], stepMined: input.progress.step))
        }
        // Held entries first, so that equal scores favour them (the sort below is by index).
        let pool: [HardNegative] = stillHard.map(\.entry) + unscored + fresh
        let heldCount = pool.count - fresh.count
        var chosen = Array(pool.indices)
        if let perImageQuota, pool.count > perImageQuota {
            let order = pool.indices.sorted { a, b in
                let sa = pool[a].score, sb = pool[b].score
                return sa > sb || (sa == sb && a < b)
            }
            chosen = order.prefix(perImageQuota).sorted()
            let held = chosen.filter { $0 < heldCount }.count
            statistics.evictions += heldCount - held
            statistics.rejections += fresh.count - (chosen.count - held)
        }
        let kept = chosen.filter { $0 < heldCount }.map { pool[$0] }
        // New entries go in best first (the buffer breaks equal scores by insertion order).
        let added = chosen.filter { $0 >= heldCount }.map { pool[$0] }
        if sharedStep != nil {
            // The rank's live buffer loses what this visit dropped now (as the seed's take-out);
            // every rank applies the whole revision at the step's end (endSharedStep).
            buffer.revise(forImage: image.id, keeping: kept, adding: [])
            sharedStep!.visits.append(HardNegativeVisit(imageID: image.id, step: input.progress.step,
                                                        stepsPerEpoch: input.progress.stepsPerEpoch, entries: added, kept: kept))
        } else {
            let revision = buffer.revise(forImage: image.id, keeping: kept, adding: added)
            statistics.insertions += revision.insertion.inserted
            statistics.evictions += revision.insertion.evicted
            statistics.rejections += revision.insertion.rejected
        }
        return result(of: input, positives: positives, negatives: negatives, separatePass: separatePass, statistics: statistics)
    }

    /// This pass's hard negatives by ``mining``, best first (foreground probability descending,
    /// ties by lower index): background candidates (label 0, max IoU below the background
    /// threshold when known) that are `eligible`, above the score threshold or the top q.
    func hardNegatives(of input: SamplingInput, eligible: [Bool]) -> [Int] {
        let probabilities = input.foregroundProbabilities!
        var pool: [Int] = []
        for i in 0..<input.candidateCount where eligible[i] && isBackground(i, in: input) {
            if mining == .rank || probabilities[i] > scoreThreshold { pool.append(i) }
        }
        pool.sort { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
        if mining == .rank, let perImageQuota, pool.count > perImageQuota { pool.removeLast(pool.count - perImageQuota) }
        return pool
    }

    /// The box among 0 ..< count of `boxes` ([N, 4] (x1, y1, x2, y2) pixels, flat) with the
    /// largest IoU with box j (the lower index among equal IoUs), or nil when none overlaps it.
    static func bestOverlap(ofBox j: Int, againstFirst count: Int, in boxes: [Float]) -> (index: Int, iou: Float)? {
        let x1 = boxes[4 * j], y1 = boxes[4 * j + 1], x2 = boxes[4 * j + 2], y2 = boxes[4 * j + 3]
        let area = max(0, x2 - x1) * max(0, y2 - y1)
        var best: (index: Int, iou: Float)?
        for i in 0..<count {
            let a1 = boxes[4 * i], b1 = boxes[4 * i + 1], a2 = boxes[4 * i + 2], b2 = boxes[4 * i + 3]
            let w = min(x2, a2) - max(x1, a1), h = min(y2, b2) - max(y1, b1)
            guard w > 0 && h > 0 else { continue }
            let intersection = w * h
            let union = area + max(0, a2 - a1) * max(0, b2 - b1) - intersection
            if union > 0, intersection / union > (best?.iou ?? 0) { best = (i, intersection / union) }
        }
        return best
    }
}
