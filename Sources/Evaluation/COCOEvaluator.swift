// T IoU thresholds, R recall points, K categories, A area ranges, M detection caps, I images.

/// Computes COCO bounding-box metrics with the semantics of pycocotools' `COCOeval` (`iouType='bbox'`).
///
/// Images are the ground truth's `images` (sorted by id), categories its `categories` (sorted by
/// id), including those without objects or detections. Per image and category, detections are
/// sorted by descending score (stable) and cut to the largest cap; each is matched greedily at
/// each IoU threshold; crowd objects and objects outside the area range are ignored. Per
/// category, area range and cap, the detections of all images are merged (stable, by score),
/// precision is made monotone and read at 101 recall points. Detections on images or categories
/// absent from the ground truth are skipped (`COCOGroundTruth.loadDetections` rejects them).
/// Reference: pycocotools 2.0.11 `COCOeval.evaluate` / `accumulate`.
public struct COCOEvaluator: Sendable {
    /// The thresholds, recall points, area ranges and detection caps.
    public var parameters: COCOEvaluationParameters

    /// Creates an evaluator.
    public init(parameters: COCOEvaluationParameters = COCOEvaluationParameters()) {
        self.parameters = parameters
    }

    /// Evaluates detections against ground truth.
    /// - Parameters:
    ///   - groundTruth: Images, objects and categories.
    ///   - detections: Detections in result-file order (the order breaks score ties).
    /// - Returns: Precision [T, R, K, A, M] and recall [T, K, A, M], -1 where a category has no
    ///   counted object.
    /// - Precondition: Boxes, areas and scores are finite (file loading checks this).
    public func evaluate(groundTruth: COCOGroundTruth, detections: [COCODetection]) -> COCOEvaluation {
        let imageIDs = Array(Set(groundTruth.images.map(\.id))).sorted()
        let categoryIDs = Array(Set(groundTruth.categories.map(\.id))).sorted()
        let cells = Self.groupedCells(groundTruth: groundTruth, detections: detections,
                                      imageIDs: imageIDs, categoryIDs: categoryIDs,
                                      maxDetections: parameters.maxDetections.last ?? 0)
        let imageCount = imageIDs.count, areaCount = parameters.areaRanges.count

        // evaluations[(k * A + a) * I + i]: nil when the image has neither objects nor detections
        // of the category, which then does not take part (pycocotools' `None`).
        var evaluations = [COCOImageEvaluation?](repeating: nil, count: categoryIDs.count * areaCount * imageCount)
        for k in categoryIDs.indices {
            for i in 0..<imageCount {
                let cell = cells[k * imageCount + i]
                if cell.groundTruth.isEmpty && cell.detections.isEmpty { continue }
                for (a, range) in parameters.areaRanges.enumerated() {
                    evaluations[(k * areaCount + a) * imageCount + i] =
                        COCOImageEvaluation(cell, areaRange: range, iouThresholds: parameters.iouThresholds)
                }
            }
        }
        return accumulate(evaluations, imageIDs: imageIDs, categoryIDs: categoryIDs)
    }

    /// Groups objects and detections by (category, image), in file order, then sorts and cuts
    /// the detections and computes overlaps. Cell index: k * I + i.
    static func groupedCells(groundTruth: COCOGroundTruth, detections: [COCODetection], imageIDs: [Int],
                             categoryIDs: [Int], maxDetections: Int) -> [COCOImageCategory] {
        let imageIndex = Dictionary(uniqueKeysWithValues: imageIDs.enumerated().map { ($1, $0) })
        let categoryIndex = Dictionary(uniqueKeysWithValues: categoryIDs.enumerated().map { ($1, $0) })
        var cells = [COCOImageCategory](repeating: COCOImageCategory(), count: categoryIDs.count * imageIDs.count)
        for object in groundTruth.annotations {
            precondition(object.box.isFinite && object.area.isFinite, "non-finite ground-truth box or area: \(object)")
            guard let i = imageIndex[object.imageID], let k = categoryIndex[object.categoryID] else { continue }
            cells[k * imageIDs.count + i].groundTruth.append(object)
        }
        for detection in detections {
            precondition(detection.box.isFinite && detection.score.isFinite, "non-finite detection box or score: \(detection)")
            guard let i = imageIndex[detection.imageID], let k = categoryIndex[detection.categoryID] else { continue }
            cells[k * imageIDs.count + i].detections.append(detection)
        }
        for index in cells.indices {
            cells[index].prepare(maxDetections: maxDetections)
        }
        return cells
    }

    /// Merges the per-image matches into precision and recall: pycocotools' `accumulate`.
    func accumulate(_ evaluations: [COCOImageEvaluation?], imageIDs: [Int], categoryIDs: [Int]) -> COCOEvaluation {
        let p = parameters
        let (t, r, k, a, m) = (p.iouThresholds.count, p.recallThresholds.count, categoryIDs.count,
                               p.areaRanges.count, p.maxDetections.count)
        var precision = [Double](repeating: -1, count: t * r * k * a * m)
        var recall = [Double](repeating: -1, count: t * k * a * m)
        for category in 0..<k {
            for area in 0..<a {
                let base = (category * a + area) * imageIDs.count
                let images = evaluations[base..<(base + imageIDs.count)].compactMap { $0 }
                if images.isEmpty { continue }
                let counted = images.reduce(0) { $0 + $1.countedGroundTruth }
                if counted == 0 { continue }
                for (capIndex, cap) in p.maxDetections.enumerated() {
                    let merged = MergedDetections(images, cap: cap, thresholdCount: t)
                    for threshold in 0..<t {
                        let curve = merged.precisionRecall(threshold: threshold, countedGroundTruth: counted)
                        recall[((threshold * k + category) * a + area) * m + capIndex] = curve.recall.last ?? 0
                        let sampled = Self.sampledPrecision(curve, at: p.recallThresholds)
                        for (point, value) in sampled.enumerated() {
                            precision[(((threshold * r + point) * k + category) * a + area) * m + capIndex] = value
                        }
                    }
                }
            }
        }
        return COCOEvaluation(parameters: p, imageIDs: imageIDs, categoryIDs: categoryIDs,
                              precision: precision, recall: recall)
    }

    /// Makes precision non-increasing from the right and reads it at each recall point: the first
    /// detection whose recall reaches the point (`numpy.searchsorted`, side left); 0 past the end.
    static func sampledPrecision(_ curve: (recall: [Double], precision: [Double]), at points: [Double]) -> [Double] {
        var envelope = curve.precision
        if envelope.count > 1 {
            for i in stride(from: envelope.count - 1, to: 0, by: -1) where envelope[i] > envelope[i - 1] {
                envelope[i - 1] = envelope[i]
            }
        }
        var sampled = [Double](repeating: 0, count: points.count)
        var index = 0
        for (point, level) in points.enumerated() {
            while index < curve.recall.count && curve.recall[index] < level { index += 1 }
            if index == curve.recall.count { break }
            sampled[point] = envelope[index]
        }
        return sampled
    }
}

/// The first `cap` detections of each image of one category and area range, merged by
/// descending score: stable, so ties keep image order, then rank within the image (numpy's
/// mergesort in `accumulate`).
struct MergedDetections {
    /// [T, N] whether each merged detection matched, per IoU threshold.
    var matched: [[Bool]]
    /// [T, N] whether each merged detection is ignored, per IoU threshold.
    var ignored: [[Bool]]

    init(_ images: [COCOImageEvaluation], cap: Int, thresholdCount: Int) {
        var scores: [Double] = [], rows: [Int] = [], columns: [Int] = []
        for (row, image) in images.enumerated() {
            let kept = min(cap, image.scores.count)
            scores += image.scores[0..<kept]
            rows += repeatElement(row, count: kept)
            columns += 0..<kept
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        matched = (0..<thresholdCount).map { t in
            order.map { images[rows[$0]].isMatched[t * images[rows[$0]].scores.count + columns[$0]] }
        }
        ignored = (0..<thresholdCount).map { t in
            order.map { images[rows[$0]].isIgnored[t * images[rows[$0]].scores.count + columns[$0]] }
        }
    }

    /// The raw recall and precision after each merged detection at one IoU threshold; ignored
    /// detections repeat the previous point.
    func precisionRecall(threshold: Int, countedGroundTruth: Int) -> (recall: [Double], precision: [Double]) {
        var recall = [Double](), precision = [Double]()
        recall.reserveCapacity(matched[threshold].count)
        precision.reserveCapacity(matched[threshold].count)
        var truePositives = 0.0, falsePositives = 0.0
        for (isMatched, isIgnored) in zip(matched[threshold], ignored[threshold]) {
            if !isIgnored {
                if isMatched { truePositives += 1 } else { falsePositives += 1 }
            }
            recall.append(truePositives / Double(countedGroundTruth))
            // np.spacing(1) keeps 0/0 at 0 when the first detections are all ignored.
            precision.append(truePositives / (falsePositives + truePositives + Double.ulpOfOne))
        }
        return (recall, precision)
    }
}
