// G ground-truth objects and D detections of one image and category; T IoU thresholds.

/// The objects and detections of one image and one category, with their overlaps: the inputs of
/// pycocotools' `computeIoU` and `evaluateImg`.
struct COCOImageCategory {
    /// [G] ground-truth objects in file order.
    var groundTruth: [COCOGroundTruth.Annotation] = []
    /// [D] detections, highest score first (stable: file order on ties), at most the largest cap.
    var detections: [COCODetection] = []
    /// [D, G] overlaps, row d for detection d, columns in `groundTruth` order; empty when G or D is 0.
    var overlaps: [Double] = []

    /// Sorts the detections (stable, by descending score), keeps the first `maxDetections`, and
    /// computes the overlaps, as `computeIoU` does.
    mutating func prepare(maxDetections: Int) {
        // Index as the tie-break makes the sort stable, matching numpy's mergesort on -score.
        let order = detections.indices.sorted {
            detections[$0].score > detections[$1].score || (detections[$0].score == detections[$1].score && $0 < $1)
        }
        detections = order.prefix(maxDetections).map { detections[$0] }
        guard !detections.isEmpty, !groundTruth.isEmpty else { return }
        overlaps = []
        overlaps.reserveCapacity(detections.count * groundTruth.count)
        for detection in detections {
            for object in groundTruth {
                overlaps.append(detection.box.overlap(withGroundTruth: object.box, isCrowd: object.isCrowd))
            }
        }
    }
}

/// The matching of one image and category at one area range: pycocotools' `evaluateImg` result,
/// reduced to what `accumulate` reads.
struct COCOImageEvaluation {
    /// [D] detection scores, highest first.
    var scores: [Double]
    /// [T, D] whether detection d matched a ground truth with a non-zero id at threshold t.
    var isMatched: [Bool]
    /// [T, D] whether detection d is ignored at threshold t (matched to an ignored ground truth,
    /// or unmatched with its area outside the range).
    var isIgnored: [Bool]
    /// The number of ground-truth objects not ignored (not crowd, area inside the range).
    var countedGroundTruth: Int

    /// Matches detections to ground truth greedily, highest score first, at each IoU threshold.
    ///
    /// Each detection takes the unmatched ground truth with the highest overlap ≥ the threshold
    /// (a later object wins ties, since pycocotools compares with `<`); objects outside the range
    /// or crowd are tried last and only when no counted object matched; crowd regions can take
    /// any number of detections. A match to a ground-truth id of 0 is stored as "no match", a
    /// pycocotools quirk kept for identical numbers.
    /// Reference: pycocotools 2.0.11 `COCOeval.evaluateImg`.
    init(_ cell: COCOImageCategory, areaRange: COCOAreaRange, iouThresholds: [Double]) {
        let thresholdCount = iouThresholds.count
        let detectionCount = cell.detections.count, objectCount = cell.groundTruth.count
        let ignoredInFileOrder = cell.groundTruth.map { $0.isCrowd || areaRange.excludes($0.area) }
        // Counted objects first, ignored ones after, each group in file order (a stable sort).
        let order = cell.groundTruth.indices.filter { !ignoredInFileOrder[$0] }
            + cell.groundTruth.indices.filter { ignoredInFileOrder[$0] }
        let ignored = order.map { ignoredInFileOrder[$0] }
        let crowd = order.map { cell.groundTruth[$0].isCrowd }
        let ids = order.map { cell.groundTruth[$0].id }

        scores = cell.detections.map(\.score)
        isMatched = [Bool](repeating: false, count: thresholdCount * detectionCount)
        isIgnored = [Bool](repeating: false, count: thresholdCount * detectionCount)
        countedGroundTruth = ignored.count { !$0 }

        if !cell.overlaps.isEmpty {
            var objectTaken = [Bool](repeating: false, count: objectCount)
            for (t, threshold) in iouThresholds.enumerated() {
                for g in 0..<objectCount { objectTaken[g] = false }
                for d in 0..<detectionCount {
                    var best = min(threshold, 1 - 1e-10)
                    var match = -1
                    for g in 0..<objectCount {
                        if objectTaken[g] && !crowd[g] { continue }
                        // Once matched to a counted object, ignored objects (sorted last) cannot replace it.
                        if match > -1 && !ignored[match] && ignored[g] { break }
                        let overlap = cell.overlaps[d * objectCount + order[g]]
                        if overlap < best { continue }
                        best = overlap
                        match = g
                    }
                    guard match >= 0 else { continue }
                    isIgnored[t * detectionCount + d] = ignored[match]
                    isMatched[t * detectionCount + d] = ids[match] != 0
                    objectTaken[match] = true
                }
            }
        }
        // Unmatched detections outside the area range are not false positives.
        for d in 0..<detectionCount where areaRange.excludes(cell.detections[d].box.area) {
            for t in 0..<thresholdCount where !isMatched[t * detectionCount + d] {
                isIgnored[t * detectionCount + d] = true
            }
        }
    }
}
