// OHEM at the RoI head: greedy NMS over RoIs ranked by loss, keeping the top k survivors.
//
// Legend: K RoIs, boxes [K, 4] as (x1, y1, x2, y2) in input-image pixels, k the budget (128).
// Self-contained on purpose (the general NMS lives in NMS.swift and may be unified later):
// candidates are ranked once with rank keys (loss descending, equal losses by lower index),
// then each is compared only with the RoIs already kept, and the walk stops at k kept, so the
// cost is O(K log K + K·k) in the worst case and far less when the top RoIs survive.
import Kernels

extension Kernels {
    /// Selects up to `count` RoIs in order of decreasing loss, suppressing any RoI whose IoU with
    /// an already selected RoI exceeds `iouThreshold`.
    ///
    /// Greedy NMS as torchvision's `nms` (an RoI is dropped when IoU > threshold; IoU =
    /// inter / (area₁ + area₂ − inter), areas (x2 − x1)·(y2 − y1)), with the loss as the score and
    /// deterministic ties: equal losses are visited lower index first. RoIs with a negative
    /// label are never selected. Empty input selects nothing.
    /// Reference: Shrivastava et al., "Training Region-based Object Detectors with Online Hard
    /// Example Mining", arXiv:1604.03540, section 4.2 (NMS 0.7 over RoIs ranked by loss).
    /// - Parameters:
    ///   - selected: output, the chosen RoI indices in rank order (first `returned` entries written).
    ///   - boxes: [K, 4] RoIs as (x1, y1, x2, y2) in input-image pixels.
    ///   - losses: [K] per-RoI losses (e.g. from ``roiCandidateLosses(_:logits:labels:classCount:deltas:targets:beta:)``).
    ///   - labels: optional [K] labels; RoIs with label < 0 are ignored.
    ///   - iouThreshold: the suppression threshold in [0, 1] (0.7 in the OHEM paper).
    ///   - count: the budget k ≥ 0.
    /// - Returns: the number of indices written.
    /// - Precondition: `boxes.count == 4·K`, `losses.count == K < 2³²`, labels (if given) [K];
    ///   `selected.count >= count >= 0`.
    public static func ohemRoISelect(
        _ selected: UnsafeMutableBufferPointer<Int>,
        boxes: UnsafeBufferPointer<Float>,
        losses: UnsafeBufferPointer<Float>,
        labels: UnsafeBufferPointer<Int32>? = nil,
        iouThreshold: Float,
        count k: Int
    ) -> Int {
        let n = losses.count
        precondition(boxes.count == 4 * n, "ohemRoISelect: boxes [\(boxes.count)] should be [\(n), 4]")
        precondition(labels == nil || labels!.count == n, "ohemRoISelect: labels [\(labels!.count)] but losses [\(n)]")
        precondition(n <= Int(UInt32.max), "ohemRoISelect: \(n) RoIs exceed 2³² − 1")
        precondition(k >= 0 && selected.count >= k, "ohemRoISelect: count \(k) must be >= 0 and fit selected [\(selected.count)]")
        guard n > 0, k > 0 else { return 0 }
        let box = boxes.baseAddress!, loss = losses.baseAddress!, label = labels?.baseAddress
        let out = selected.baseAddress!
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { keyBuffer in
            let keys = keyBuffer.baseAddress!
            var candidates = 0
            for i in 0..<n where (label?[i] ?? 0) >= 0 {
                keys[candidates] = rankKey(loss: loss[i], index: i)
                candidates += 1
            }
            sortKeys(keys, count: candidates)
            // Kept boxes, copied contiguously with their areas: [k, 5] = (x1, y1, x2, y2, area).
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: 5 * k) { keptBuffer in
                let kept = keptBuffer.baseAddress!
                var keptCount = 0
                for r in 0..<candidates {
                    let index = rankKeyIndex(keys[r])
                    let b = box + 4 * index
                    let x1 = b[0], y1 = b[1], x2 = b[2], y2 = b[3]
                    let area = (x2 - x1) * (y2 - y1)
                    var suppressed = false
                    for j in 0..<keptCount {
                        let o = kept + 5 * j
                        let w = max(0, min(x2, o[2]) - max(x1, o[0]))
                        let h = max(0, min(y2, o[3]) - max(y1, o[1]))
                        let inter = w * h
                        if inter / (area + o[4] - inter) > iouThreshold { suppressed = true; break }
                    }
                    if suppressed { continue }
                    let o = kept + 5 * keptCount
                    o[0] = x1; o[1] = y1; o[2] = x2; o[3] = y2; o[4] = area
                    out[keptCount] = index
                    keptCount += 1
                    if keptCount == k { break }
                }
                return keptCount
            }
        }
    }
}
