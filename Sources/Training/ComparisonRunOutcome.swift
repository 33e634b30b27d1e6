// What the report needs from one run of a comparison, in a form that travels between ranks
// (`mpirun -np N quarry compare`: a worker rank sends it to rank 0 as JSON). Besides the run's
// numbers: for the first seed's runs, the precision–recall curve (pr.svg), the detections on
// the first test image (detections-<strategy>.png) and the mined negatives of a few training
// tiles (the report's "What each strategy mines"); the other runs carry none of them.
import Detection
import TensorCore

/// One run's numbers plus, for the first seed, the pieces of its final evaluation the report draws.
struct ComparisonRunOutcome: Codable {
    /// The run's record.
    var run: SeedRun
    /// The precision–recall curve at IoU 0.5 (first seed only; nil without one).
    var curve: PrecisionRecallPoints?
    /// The detections on the first test image (first seed only; nil without test images).
    var firstImageDetections: TransferredDetections?
    /// The hardest negatives of the recorded tiles, each tile's last visit per head (first seed
    /// only, `MinedNegativeRecording`; nil in records written before they existed).
    var minedNegatives: [MinedNegatives]?
    /// True when the run was not trained in this sitting but read from its record (`resume`);
    /// nil in records and for runs trained now.
    var reused: Bool?

    /// The outcome of `run` with its final `evaluation`; keeps the curve, the first image's
    /// detections and the mined negatives when `keepPictures` (the plan's first seed).
    init(run: SeedRun, evaluation: DatasetEvaluation, keepPictures: Bool, minedNegatives: [MinedNegatives] = []) {
        self.run = run
        self.minedNegatives = keepPictures ? minedNegatives : nil
        curve = keepPictures ? evaluation.curve.map { PrecisionRecallPoints(recall: $0.recall, precision: $0.precision) } : nil
        firstImageDetections = keepPictures ? evaluation.detections.first.map(TransferredDetections.init) : nil
    }
}

/// `Detections` as plain arrays, the floats as their bit patterns so that JSON returns them exactly.
struct TransferredDetections: Codable, Equatable {
    /// [D × 4] box corners (x1, y1, x2, y2), pixels, as `Float.bitPattern`.
    var boxBits: [UInt32]
    /// [D] classes in 1...K.
    var labels: [Int]
    /// [D] scores as `Float.bitPattern`.
    var scoreBits: [UInt32]

    /// The arrays of `detections`.
    init(_ detections: Detections) {
        boxBits = detections.boxes.scalars.map(\.bitPattern)
        labels = detections.labels
        scoreBits = detections.scores.map(\.bitPattern)
    }

    /// Decodes the arrays and checks that they describe D detections, so a garbled message from
    /// another rank is a decoding error rather than a trap in `detections`.
    /// - Throws: `DecodingError.dataCorrupted` when the counts disagree.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        boxBits = try c.decode([UInt32].self, forKey: .boxBits)
        labels = try c.decode([Int].self, forKey: .labels)
        scoreBits = try c.decode([UInt32].self, forKey: .scoreBits)
        guard boxBits.count == 4 * labels.count, scoreBits.count == labels.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription:
                "\(boxBits.count) box values, \(labels.count) labels and \(scoreBits.count) scores do not describe one set of detections"))
        }
    }

    /// The detections again.
    /// - Precondition: 4 box values, one label and one score per detection (as `init` wrote them).
    var detections: Detections {
        Detections(boxes: Tensor(shape: [labels.count, 4], scalars: boxBits.map(Float.init(bitPattern:))), labels: labels,
                   scores: scoreBits.map(Float.init(bitPattern:)))
    }
}
