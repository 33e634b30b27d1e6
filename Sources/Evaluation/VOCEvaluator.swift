/// How a detection chooses the ground-truth object it is judged against.
public enum VOCMatchingRule: Sendable, Equatable {
    /// The VOC devkit rule: the object of the same image and class with the highest IoU (the first
    /// on ties), matched or not; if it is already matched the detection is a false positive.
    case highestOverlap
    /// The object with the highest IoU among those not yet matched (difficult objects always
    /// qualify), as COCO-style matchers do; a duplicate can then claim a second, nearby object.
    case highestUnmatchedOverlap
}

/// Computes PASCAL VOC average precision per class at one IoU threshold, with all-point
/// interpolation (VOC 2010 and later), and the mean over classes with counted ground truth.
///
/// Per class, detections of all images are taken in descending score order (stable: input order
/// on ties). Each is judged against one object of its image and class, chosen by the matching
/// rule: at IoU ≥ the threshold it is a true positive if the object is not difficult and not yet
/// matched (and marks it matched), ignored if the object is difficult, a false positive if the
/// object is already matched; below the threshold it is a false positive. Recall divides by the
/// counted (non-difficult) objects. There is no cap on detections per image.
/// Two departures from the VOC devkit, both from DESIGN.md: IoU ≥ threshold (the devkit uses >)
/// and widths x2 − x1 (the devkit adds 1 pixel).
/// Reference: Everingham et al., "The PASCAL Visual Object Classes (VOC) Challenge", IJCV 2010;
/// the devkit's `VOCevaldet.m` / py-faster-rcnn's `voc_eval.py`.
public struct VOCEvaluator: Sendable {
    /// The IoU at which a detection can match, in [0, 1]; VOC uses 0.5.
    public var iouThreshold: Double
    /// How a detection chooses its object.
    public var matchingRule: VOCMatchingRule

    /// Creates an evaluator.
    public init(iouThreshold: Double = 0.5, matchingRule: VOCMatchingRule = .highestOverlap) {
        self.iouThreshold = iouThreshold
        self.matchingRule = matchingRule
    }

    /// Evaluates detections against ground truth, class by class.
    /// - Parameters:
    ///   - groundTruth: The objects of every image, in any order (the order breaks IoU ties).
    ///   - detections: The detections of every image (the order breaks score ties).
    /// - Returns: One entry per class present in the ground truth or the detections.
    /// - Precondition: Scores are finite (NaN cannot be ranked).
    public func evaluate(groundTruth: [VOCGroundTruth], detections: [VOCDetection]) -> VOCEvaluation {
        precondition(detections.allSatisfy { $0.score.isFinite }, "VOC detections need finite scores")
        let classIDs = Set(groundTruth.map(\.classID)).union(detections.map(\.classID)).sorted()
        let classes = classIDs.map { classID in
            evaluateClass(classID,
                          groundTruth: groundTruth.filter { $0.classID == classID },
                          detections: detections.filter { $0.classID == classID })
        }
        return VOCEvaluation(classes: classes)
    }

    /// Evaluates one class; both lists hold only that class.
    func evaluateClass(_ classID: Int, groundTruth: [VOCGroundTruth], detections: [VOCDetection]) -> VOCClassEvaluation {
        var objectsByImage: [Int: [VOCGroundTruth]] = [:]
        for object in groundTruth { objectsByImage[object.imageID, default: []].append(object) }
        var matchedByImage = objectsByImage.mapValues { [Bool](repeating: false, count: $0.count) }
        let counted = groundTruth.count { !$0.isDifficult }

        let order = detections.indices.sorted {
            detections[$0].score > detections[$1].score || (detections[$0].score == detections[$1].score && $0 < $1)
        }
        var recall: [Double] = [], precision: [Double] = [], scores: [Double] = []
        var ranked: [VOCRankedDetection] = []
        var truePositives = 0.0, falsePositives = 0.0
        for index in order {
            let detection = detections[index]
            let objects = objectsByImage[detection.imageID] ?? []
            var best = -Double.infinity, choice = -1
            for (j, object) in objects.enumerated() {
                if matchingRule == .highestUnmatchedOverlap && matchedByImage[detection.imageID]![j] { continue }
                let overlap = detection.box.iou(with: object.box)
                if overlap > best { best = overlap; choice = j }
            }
            var isTruePositive = false
            if choice >= 0 && best >= iouThreshold {
                if objects[choice].isDifficult { continue }  // neither true nor false positive
                if !matchedByImage[detection.imageID]![choice] {
                    matchedByImage[detection.imageID]![choice] = true
                    isTruePositive = true
                }
            }
            if isTruePositive { truePositives += 1 } else { falsePositives += 1 }
            ranked.append(VOCRankedDetection(imageID: detection.imageID, score: detection.score, isTruePositive: isTruePositive))
            recall.append(counted > 0 ? truePositives / Double(counted) : 0)
            precision.append(truePositives / (truePositives + falsePositives))
            scores.append(detection.score)
        }
        let curve = PrecisionRecallCurve(recall: recall, precision: precision, scores: scores)
        var countByImage: [Int: Int] = [:]
        for object in groundTruth where !object.isDifficult { countByImage[object.imageID, default: 0] += 1 }
        return VOCClassEvaluation(classID: classID, groundTruthCount: counted,
                                  averagePrecision: counted > 0 ? curve.allPointAveragePrecision : nil, curve: curve,
                                  rankedDetections: ranked, groundTruthCountByImage: countByImage)
    }
}

// MARK: - COCO input

extension VOCEvaluator {
    /// Evaluates COCO ground truth and detections with the VOC rule: boxes [x, y, w, h] become
    /// (x, y, x + w, y + h), crowd objects count as difficult, and categories are classes.
    /// - Parameters:
    ///   - groundTruth: COCO ground truth; its `area` fields play no part.
    ///   - detections: COCO detections in file order.
    /// - Returns: One entry per category present in the ground truth objects or the detections.
    public func evaluate(groundTruth: COCOGroundTruth, detections: [COCODetection]) -> VOCEvaluation {
        func corners(_ box: COCOBox) -> VOCBox {
            VOCBox(x1: box.x, y1: box.y, x2: box.x + box.width, y2: box.y + box.height)
        }
        return evaluate(
            groundTruth: groundTruth.annotations.map {
                VOCGroundTruth(imageID: $0.imageID, classID: $0.categoryID, box: corners($0.box), isDifficult: $0.isCrowd)
            },
            detections: detections.map {
                VOCDetection(imageID: $0.imageID, classID: $0.categoryID, box: corners($0.box), score: $0.score)
            })
    }
}
