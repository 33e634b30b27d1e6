// Builders and reference checks shared by the sampling-strategy tests.

import Datasets
import Detection
import Kernels
import Randomness
import TensorCore
import Testing

/// Seeded candidate sets: labels, losses, probabilities, IoUs and boxes of N candidates.
struct CandidateSet {
    var labels: [Int32]
    var losses: [Float]
    var probabilities: [Float]
    var maxIoU: [Float]
    var boxes: [Float]

    /// Random candidates: `positives` foreground, `ignored` ignored, the rest background, in
    /// shuffled positions; losses quantised to 0.25 so that ties occur; boxes spread on a
    /// 400-pixel tile; background max IoU in [0, backgroundThreshold).
    init(count n: Int, positives: Int, ignored: Int = 0, seed: UInt64, backgroundThreshold: Float = 0.3) {
        precondition(positives + ignored <= n)
        var g = SplitMix64(seed: seed)
        var order = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, g.uniformIndex(below: i + 1)) }
        labels = [Int32](repeating: 0, count: n)
        for i in order.prefix(positives) { labels[i] = 1 }
        for i in order.dropFirst(positives).prefix(ignored) { labels[i] = -1 }
        losses = (0..<n).map { _ in Float(g.uniformIndex(below: 40)) * 0.25 }
        probabilities = (0..<n).map { _ in Float(g.uniformIndex(below: 1000)) / 1000 }
        maxIoU = labels.map { label in
            let u = Float(g.uniformIndex(below: 1000)) / 1000
            return label > 0 ? 0.7 + 0.3 * u : (label == 0 ? backgroundThreshold * u : backgroundThreshold + 0.1 * u)
        }
        for i in labels.indices where labels[i] < 0 { losses[i] = 0 }
        boxes = []
        for _ in 0..<n {
            let x = Float(g.uniformIndex(below: 360)), y = Float(g.uniformIndex(below: 360))
            let w = Float(8 + g.uniformIndex(below: 32)), h = Float(8 + g.uniformIndex(below: 32))
            boxes += [x, y, x + w, y + h]
        }
    }

    /// The candidates as a strategy input for image `imageID` of a 400 × 400 tile.
    func input(imageID: Int = 0, step: Int = 0, stepsPerEpoch: Int = 33, flip: Flip = .none,
               anchorLayout: AnchorLayout? = nil) -> SamplingInput {
        SamplingInput(image: SamplingImage(id: imageID, width: 400, height: 400, flip: flip, anchorLayout: anchorLayout),
                      progress: TrainingProgress(step: step, stepsPerEpoch: stepsPerEpoch),
                      labels: labels, boxes: boxTensor(boxes), maxIoU: maxIoU, losses: losses, foregroundProbabilities: probabilities)
    }
}

/// Candidate indices in order of decreasing loss, equal losses by lower index (a full sort).
func rankedByLoss(_ losses: [Float], where include: (Int) -> Bool) -> [Int] {
    losses.indices.filter(include).sorted { losses[$0] > losses[$1] || (losses[$0] == losses[$1] && $0 < $1) }
}

/// Expects the invariants every strategy owes: positives are foreground, negatives background,
/// both ascending and distinct, disjoint, nothing ignored.
func expectValidSelection(_ result: SamplingResult, labels: [Int32], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.candidateCount == labels.count, sourceLocation: sourceLocation)
    #expect(result.positives.allSatisfy { labels[$0] > 0 }, "a positive is not foreground", sourceLocation: sourceLocation)
    #expect(result.negatives.allSatisfy { labels[$0] == 0 }, "a negative is not background", sourceLocation: sourceLocation)
    #expect(result.separatePassNegatives.allSatisfy { labels[$0] == 0 }, sourceLocation: sourceLocation)
    for list in [result.positives, result.negatives, result.separatePassNegatives] {
        #expect(zip(list, list.dropFirst()).allSatisfy { $0 < $1 }, "not strictly ascending: duplicates or disorder", sourceLocation: sourceLocation)
    }
    #expect(Set(result.negatives).isDisjoint(with: result.separatePassNegatives), sourceLocation: sourceLocation)
}

/// [N, 4] boxes from a flat row-major list.
func boxTensor(_ flat: [Float]) -> Tensor { Tensor(shape: [flat.count / 4, 4], scalars: flat) }

/// Sorted, for comparing selections as sets.
func sorted(_ indices: some Sequence<Int>) -> [Int] { indices.sorted() }
