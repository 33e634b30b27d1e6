import Kernels
import Testing
import TestSupport

// Legend: M ground-truth boxes, N candidates; IoU matrix [M, N]; boxes [·, 4] (x1, y1, x2, y2).

/// Runs `Kernels.match` on an IoU matrix given as rows.
private func match(iou rows: [[Float]], n: Int, high: Float, low: Float, lowQuality: Bool) -> [Match] {
    var matches = [Match](repeating: .ignored, count: n)
    let flat = rows.flatMap { $0 }
    flat.withUnsafeBufferPointer { iou in matches.withUnsafeMutableBufferPointer {
        Kernels.match($0, iou: iou, groundTruthCount: rows.count, candidateCount: n,
                      highThreshold: high, lowThreshold: low, allowLowQualityMatches: lowQuality)
    } }
    return matches
}

/// Runs the fused `Kernels.matchBoxes` on boxes; also returns each candidate's best IoU.
private func matchBoxes(gt: [Float], candidates: [Float], high: Float, low: Float,
                        lowQuality: Bool) -> ([Match], [Float]) {
    let n = candidates.count / 4
    var matches = [Match](repeating: .ignored, count: n)
    var best = [Float](repeating: .nan, count: n)
    gt.withUnsafeBufferPointer { g in candidates.withUnsafeBufferPointer { c in
        matches.withUnsafeMutableBufferPointer { m in best.withUnsafeMutableBufferPointer { b in
            Kernels.matchBoxes(m, bestIoU: b, candidates: c, candidateCount: n, groundTruthBoxes: g,
                               groundTruthCount: gt.count / 4, highThreshold: high, lowThreshold: low,
                               allowLowQualityMatches: lowQuality)
        } }
    } }
    return (matches, best)
}

/// The IoU matrix [M, N] of ground truth against candidates, as rows.
private func iouRows(_ gt: [Float], _ candidates: [Float]) -> [[Float]] {
    let m = gt.count / 4, n = candidates.count / 4
    var flat = [Float](repeating: 0, count: m * n)
    gt.withUnsafeBufferPointer { g in candidates.withUnsafeBufferPointer { c in
        flat.withUnsafeMutableBufferPointer { Kernels.pairwiseIoU($0, g, count1: m, c, count2: n) }
    } }
    return (0..<m).map { Array(flat[($0 * n)..<(($0 + 1) * n)]) }
}

/// torchvision's codes: ground-truth index, −1 background, −2 ignored.
private func code(_ match: Match) -> Int {
    switch match {
    case .foreground(let g): g
    case .background: -1
    case .ignored: -2
    }
}

@Suite("Matcher: IoU matrix and fused box matching")
struct MatchingTests {
    @Test("matches equal torchvision's Matcher: 0.7/0.3 low-quality, 0.5/0.5, 0.5/0.4 (matcher.json)")
    func fixture() throws {
        let root = try #require(try Fixtures.json("matcher.json") as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count == 3)
        for c in cases {
            let high = Float(try #require(c["high"] as? Double)), low = Float(try #require(c["low"] as? Double))
            let lowQuality = try #require(c["allow_low_quality_matches"] as? Bool)
            let expected = flattenNumbers(c["matches"]!).map { Int($0) }
            let rows = try #require(c["iou"] as? [[Double]]).map { $0.map(Float.init) }
            let gt = flattenNumbers(c["gt"]!).map(Float.init), anchors = flattenNumbers(c["anchors"]!).map(Float.init)
            #expect(match(iou: rows, n: anchors.count / 4, high: high, low: low, lowQuality: lowQuality).map(code) == expected)
            // Our Float32 IoU reproduces the fixture's matrix, and the fused kernel its matches.
            expectClose(iouRows(gt, anchors).flatMap { $0 }, rows.flatMap { $0 }, absoluteTolerance: 1e-6)
            #expect(matchBoxes(gt: gt, candidates: anchors, high: high, low: low, lowQuality: lowQuality).0.map(code) == expected)
        }
    }

    @Test("hand-computed: thresholds, ties in IoU and low-quality matches")
    func handComputed() {
        // 2 ground truth × 5 candidates.
        let rows: [[Float]] = [[0.9, 0.5, 0.2, 0.1, 0.1],
                               [0.9, 0.6, 0.25, 0.25, 0.0]]
        // Candidate 0 ties 0.9 for both: the lower index (0) wins. 1 → ignored at 0.7/0.3.
        #expect(match(iou: rows, n: 5, high: 0.7, low: 0.3, lowQuality: false)
                == [.foreground(groundTruthIndex: 0), .ignored, .background, .background, .background])
        // Low quality: gt 0's best (0.9) is candidate 0; gt 1's best (0.9) is candidate 0 too.
        #expect(match(iou: rows, n: 5, high: 0.95, low: 0.3, lowQuality: true)
                == [.foreground(groundTruthIndex: 0), .ignored, .background, .background, .background])
        // A ground truth whose best IoU (0.25) is shared by candidates 2 and 3: both become foreground,
        // each with its own best ground truth (1 for both).
        let tied: [[Float]] = [[0.1, 0.05, 0.2, 0.1], [0.0, 0.1, 0.25, 0.25]]
        #expect(match(iou: tied, n: 4, high: 0.7, low: 0.3, lowQuality: true)
                == [.background, .background, .foreground(groundTruthIndex: 1), .foreground(groundTruthIndex: 1)])
        // high == low (the RoI head): nothing is ignored; IoU exactly at the threshold is foreground.
        #expect(match(iou: [[0.5, 0.49999, 0.7]], n: 3, high: 0.5, low: 0.5, lowQuality: false)
                == [.foreground(groundTruthIndex: 0), .background, .foreground(groundTruthIndex: 0)])
    }

    @Test("no ground truth: all background; no candidates: nothing")
    func empty() {
        #expect(match(iou: [], n: 3, high: 0.7, low: 0.3, lowQuality: true) == [.background, .background, .background])
        let (matches, best) = matchBoxes(gt: [], candidates: randomBoxes(3, seed: 1), high: 0.7, low: 0.3, lowQuality: true)
        #expect(matches == [.background, .background, .background] && best == [0, 0, 0])
        #expect(match(iou: [[], []], n: 0, high: 0.7, low: 0.3, lowQuality: true).isEmpty)
        #expect(matchBoxes(gt: [0, 0, 5, 5], candidates: [], high: 0.7, low: 0.3, lowQuality: true).0.isEmpty)
    }

    @Test("fused matching of duplicate anchors keeps every tied best anchor (low-quality ties)")
    func duplicateAnchorTies() {
        // Ground truth far from a grid of anchors except two identical anchors at IoU 0.25.
        let gt: [Float] = [0, 0, 10, 10]
        var anchors = randomBoxes(1200, seed: 9).map { $0 + 200 }  // no overlap
        anchors.replaceSubrange(4 * 700..<4 * 701, with: [0, 0, 10, 2.5] as [Float])
        anchors.replaceSubrange(4 * 1100..<4 * 1101, with: [0, 7.5, 10, 10] as [Float])
        let (matches, best) = matchBoxes(gt: gt, candidates: anchors, high: 0.7, low: 0.3, lowQuality: true)
        #expect(matches[700] == .foreground(groundTruthIndex: 0) && matches[1100] == .foreground(groundTruthIndex: 0))
        #expect(matches.filter { $0 != .background }.count == 2)
        #expect(best[700] == 0.25 && best[1100] == 0.25 && best[0] == 0)
    }

    @Test("a ground truth overlapping no candidate makes no low-quality match (mmdetection #8289)")
    func groundTruthOverlappingNothing() {
        // gt 0 overlaps candidate 0 (IoU 0.5, its highest: a low-quality foreground) and
        // candidate 2 (IoU 1/3: ignored); gt 1 lies far away, so its highest IoU is 0.
        // torchvision's low-quality step would mark every candidate with IoU 0 to it — all
        // three — as foreground; the thread's expected answer is that it marks none.
        let gt: [Float] = [0, 0, 10, 10, 500, 500, 510, 510]
        let candidates: [Float] = [0, 0, 10, 5, 100, 100, 120, 120, 5, 0, 15, 10]
        let expected: [Match] = [.foreground(groundTruthIndex: 0), .background, .ignored]
        #expect(match(iou: iouRows(gt, candidates), n: 3, high: 0.7, low: 0.3, lowQuality: true) == expected)
        #expect(matchBoxes(gt: gt, candidates: candidates, high: 0.7, low: 0.3, lowQuality: true).0 == expected)
        // Without low-quality matches: 0.5 is ignored, the others background.
        #expect(matchBoxes(gt: gt, candidates: candidates, high: 0.7, low: 0.3, lowQuality: false).0
                == [.ignored, .background, .ignored])
    }

    @Test("fused matching equals pairwise IoU + matrix matcher + reference on random boxes",
          arguments: [(1, 1, 1), (2, 5, 3000), (3, 50, 1100), (4, 0, 10)])
    func fusedAgainstMatrix(seed: UInt64, gtCount: Int, candidateCount: Int) {
        let gt = randomBoxes(gtCount, seed: seed, imageSize: 200, minimumSide: 5, maximumSide: 60)
        // A coarse grid of repeated anchor shapes gives exact IoU ties.
        var anchors: [Float] = []
        for i in 0..<candidateCount {
            let x = Float((i * 7) % 200), y = Float((i / 29 * 11) % 200), s = Float(8 << (i % 3))
            anchors += [x, y, x + s, y + s]
        }
        let rows = iouRows(gt, anchors)
        for (high, low, lowQuality) in [(Float(0.7), Float(0.3), true), (0.5, 0.5, false), (0.5, 0.4, true)] {
            let viaMatrix = match(iou: rows, n: candidateCount, high: high, low: low, lowQuality: lowQuality)
            let (fused, best) = matchBoxes(gt: gt, candidates: anchors, high: high, low: low, lowQuality: lowQuality)
            #expect(fused == viaMatrix)
            #expect(viaMatrix == Reference.match(iou: rows, candidateCount: candidateCount, high: high, low: low,
                                                 allowLowQualityMatches: lowQuality))
            let expectedBest = (0..<candidateCount).map { j in rows.map { $0[j] }.max() ?? 0 }
            #expect(best == expectedBest)
        }
    }
}
