// Legend: I images of the evaluated dataset, D counted detections of one class.
//
// VOC AP of a multiset of the evaluated images — what a bootstrap over test images recomputes
// for every resample — from the matching records one evaluation kept, without matching again.

/// The VOC mean AP of any multiset of a dataset's images (image i counted mᵢ ≥ 0 times),
/// recomputed from one evaluation's per-detection matching records.
///
/// Why no re-matching is needed: VOC matching never crosses images, so a detection's outcome
/// (true or false positive) depends only on its own image's detections ranked above it, and an
/// image counted twice simply contributes its records twice. The multiset's AP is defined as the
/// AP of a dataset holding mᵢ copies of image i, with the copies of a detection ranked next to
/// each other and ties between different detections kept in the evaluation's order. It is
/// computed by walking the class's ranked records once, adding mᵢ true or false positives at a
/// time, with recall over Σ mᵢ·(objects of image i): m adjacent copies give the same all-point
/// area as one step of m (the envelope is the same at every recall change), so the walk is
/// exact, and with every mᵢ = 1 it reproduces the evaluation's AP.
public struct VOCResampling: Sendable {
    /// [I] the image ids, in the order the multiplicities refer to.
    public let imageIDs: [Int]

    /// One class's records, indexed by image position.
    struct ClassRecords: Sendable {
        /// [D] image position of each counted detection, in rank order.
        var imagePositions: [Int]
        /// [D] whether each is a true positive.
        var isTruePositive: [Bool]
        /// [D] its score (carried into the curve; AP does not read it).
        var scores: [Double]
        /// [I] counted objects per image position.
        var groundTruthCounts: [Int]
    }

    let classes: [ClassRecords]

    /// Prepares the records of `evaluation` for resampling over `imageIDs`.
    /// - Parameters:
    ///   - evaluation: a `VOCEvaluator` result (its classes carry `rankedDetections` and
    ///     `groundTruthCountByImage`).
    ///   - imageIDs: [I] every image of the evaluated dataset, including those without objects
    ///     or detections (drawing them still displaces other images in a resample).
    /// - Precondition: the ids are distinct, and every detection's and object's image is among them.
    public init(evaluation: VOCEvaluation, imageIDs: [Int]) {
        var position: [Int: Int] = [:]
        for (i, id) in imageIDs.enumerated() {
            precondition(position.updateValue(i, forKey: id) == nil, "VOCResampling: image id \(id) listed twice")
        }
        self.imageIDs = imageIDs
        classes = evaluation.classes.map { entry in
            var counts = [Int](repeating: 0, count: imageIDs.count)
            for (id, count) in entry.groundTruthCountByImage {
                guard let i = position[id] else { preconditionFailure("VOCResampling: objects on image \(id), which is not listed") }
                counts[i] = count
            }
            let positions = entry.rankedDetections.map { record in
                guard let i = position[record.imageID] else {
                    preconditionFailure("VOCResampling: a detection on image \(record.imageID), which is not listed")
                }
                return i
            }
            return ClassRecords(imagePositions: positions, isTruePositive: entry.rankedDetections.map(\.isTruePositive),
                                scores: entry.rankedDetections.map(\.score), groundTruthCounts: counts)
        }
    }

    /// Returns the mean over classes of the all-point AP of the multiset, over the classes with
    /// counted objects in it; nil when no class has one (e.g. only images without objects drawn).
    /// - Parameter multiplicities: [I] how many times each image (in `imageIDs` order) counts;
    ///   all 1 gives the evaluation's own mean AP.
    /// - Precondition: `multiplicities.count == imageIDs.count`, every entry ≥ 0.
    public func meanAveragePrecision(multiplicities: [Int]) -> Double? {
        precondition(multiplicities.count == imageIDs.count,
                     "VOCResampling: \(multiplicities.count) multiplicities for \(imageIDs.count) images")
        precondition(multiplicities.allSatisfy { $0 >= 0 }, "VOCResampling: negative multiplicity")
        var sum = 0.0, classesWithObjects = 0
        for records in classes {
            if let ap = Self.averagePrecision(records, multiplicities) {
                sum += ap
                classesWithObjects += 1
            }
        }
        return classesWithObjects > 0 ? sum / Double(classesWithObjects) : nil
    }

    /// One class's AP for the multiset, or nil without counted objects in it.
    static func averagePrecision(_ records: ClassRecords, _ multiplicities: [Int]) -> Double? {
        var objects = 0
        for (count, m) in zip(records.groundTruthCounts, multiplicities) { objects += count * m }
        guard objects > 0 else { return nil }
        var recall: [Double] = [], precision: [Double] = [], scores: [Double] = []
        recall.reserveCapacity(records.imagePositions.count)
        precision.reserveCapacity(records.imagePositions.count)
        scores.reserveCapacity(records.imagePositions.count)
        var truePositives = 0.0, falsePositives = 0.0
        for d in records.imagePositions.indices {
            let m = multiplicities[records.imagePositions[d]]
            guard m > 0 else { continue }
            if records.isTruePositive[d] { truePositives += Double(m) } else { falsePositives += Double(m) }
            recall.append(truePositives / Double(objects))
            precision.append(truePositives / (truePositives + falsePositives))
            scores.append(records.scores[d])
        }
        // The evaluator's own area computation, so that all-ones multiplicities give its AP bit for bit.
        return PrecisionRecallCurve(recall: recall, precision: precision, scores: scores).allPointAveragePrecision
    }
}
