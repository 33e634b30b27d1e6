// Shared by the detector tests: one training step under a strategy kind (or given strategy
// instances), the Faster R-CNN terms by name, and a strategy that selects every candidate.
import Autograd
import Detection
import Randomness
import TensorCore

/// One training step's losses: every image of the batch un-flipped, ids 0, 1, …, step `step`.
/// - Parameter strategies: one instance per head (in the detector's head order); built from
///   `kind` when nil.
func trainingLoss(_ model: some Detector, images: Tensor, groundTruth: [GroundTruth], kind: StrategyKind = .random,
                  strategies: inout [any SamplingStrategy], step: Int = 0,
                  using generator: inout some RandomNumberGenerator) -> DetectorLosses {
    let samplingImages = (0..<images.shape[0]).map { SamplingImage(id: $0, width: images.shape[3], height: images.shape[2]) }
    return model.trainingLoss(images: images, groundTruth: groundTruth, samplingImages: samplingImages,
                              progress: TrainingProgress(step: step, stepsPerEpoch: 1), strategies: &strategies, using: &generator)
}

/// One training step's losses under fresh instances of a built-in strategy.
func trainingLoss(_ model: some Detector, images: Tensor, groundTruth: [GroundTruth], kind: StrategyKind = .random,
                  using generator: inout some RandomNumberGenerator) -> DetectorLosses {
    var strategies = model.heads.map { kind.makeStrategy(for: $0) }
    return trainingLoss(model, images: images, groundTruth: groundTruth, strategies: &strategies, using: &generator)
}

/// The four Faster R-CNN terms and mining records by name.
extension DetectorLosses {
    var rpnObjectness: Variable { self[.rpn].loss.classification }
    var rpnBox: Variable { self[.rpn].loss.box }
    var roiClassification: Variable { self[.roi].loss.classification }
    var roiBox: Variable { self[.roi].loss.box }
    var rpnMining: MiningStatistics { self[.rpn].mining }
    var roiMining: MiningStatistics { self[.roi].mining }
}

/// No sampling: every non-ignored candidate with cross-entropy over their number (the golden
/// losses' definition); records what it was given.
struct AllCandidatesStrategy: SamplingStrategy {
    var head: DetectionHead
    var requirements: SamplingRequirements = []
    /// Each call's input, in order.
    var inputs: [SamplingInput] = []

    var name: String { "all-candidates" }

    mutating func sample(_ input: SamplingInput, using generator: inout some RandomNumberGenerator) -> SamplingResult {
        inputs.append(input)
        let positives = input.labels.indices.filter { input.labels[$0] > 0 }
        let negatives = input.labels.indices.filter { input.labels[$0] == 0 }
        return SamplingResult(candidateCount: input.candidateCount, positives: positives, negatives: negatives)
    }
}
