// Legend: B images per batch, H×W tile pixels.
//
// One training run: the reference schedule (SGD, warm-up, multi-step decay), seeded end to
// end — initialisation, data order and flips, and candidate sampling each draw from their own
// SplitMix64 stream derived from the run's seed — with atomic checkpoints and exact resume.
import Autograd
import Data
import Detection
import Foundation
import Kernels
import NN
import TensorCore

/// The losses and timing of one training iteration.
public struct StepRecord: Sendable, Equatable {
    /// The iteration just trained (0-based).
    public var iteration: Int
    /// The learning rate used.
    public var learningRate: Float
    /// The four loss terms and their sum, as Double for logging.
    public var rpnObjectness, rpnBox, roiClassification, roiBox: Double
    /// The sum of the four terms.
    public var total: Double { rpnObjectness + rpnBox + roiClassification + roiBox }
    /// Wall-clock seconds of the iteration, batch preparation included.
    public var seconds: Double
}

/// Trains a `TinyFasterRCNN` on a dataset's samples with one sampling strategy.
///
/// Determinism: the same configuration (seed), samples, strategy and BLAS thread count give
/// the same losses, iteration by iteration. Resuming from a checkpoint continues with the same
/// result as an uninterrupted run: the data stream is replayed to the checkpoint's iteration
/// and the sampling generator's state is stored in the checkpoint.
public struct Trainer {
    /// The detector being trained (its parameters are shared reference-type variables).
    public let model: TinyFasterRCNN
    /// The run's settings.
    public let configuration: TrainingConfiguration
    /// The training samples (e.g. the 65 NEON training tiles).
    public let samples: [DetectionSample]
    /// How candidates are chosen for the loss.
    public let selection: LossConfiguration
    /// The next iteration to train (0-based); equals the number of iterations done.
    public private(set) var iteration = 0

    var optimizer: SGD
    let schedule: LearningRateSchedule
    var dataStream: BatchSampler
    var samplingGenerator: SplitMix64

    /// Creates a run: a freshly initialised detector, SGD and the reference schedule.
    /// - Parameters:
    ///   - samples: training samples with labels in 1...classCount.
    ///   - classCount: K foreground classes.
    /// - Precondition: at least one sample.
    public init(samples: [DetectionSample], classCount: Int, selection: LossConfiguration = .random,
                configuration: TrainingConfiguration) {
        let seeds = configuration.streamSeeds
        var initGenerator = SplitMix64(seed: seeds.initialization)
        model = TinyFasterRCNN(classCount: classCount, using: &initGenerator)
        self.configuration = configuration
        self.samples = samples
        self.selection = selection
        optimizer = SGD(model.parameters, learningRate: configuration.baseLearningRate,
                        momentum: configuration.momentum, weightDecay: configuration.weightDecay)
        schedule = .reference(iterations: configuration.iterations, baseLearningRate: configuration.baseLearningRate)
        dataStream = BatchSampler(samples: samples, batchSize: configuration.batchSize, seed: seeds.data,
                                  flipProbability: configuration.flipProbability)
        samplingGenerator = SplitMix64(seed: seeds.sampling)
    }

    /// Whether every configured iteration has been trained.
    public var isFinished: Bool { iteration >= configuration.iterations }

    /// Trains one iteration: draw a batch, compute the losses, check them, back-propagate, step.
    /// - Throws: `TrainingError.nonFiniteLoss` naming the iteration and term, before any
    ///   parameter changes.
    public mutating func step() throws(TrainingError) -> StepRecord {
        let start = DispatchTime.now().uptimeNanoseconds
        let learningRate = schedule.learningRate(at: iteration)
        optimizer.learningRate = learningRate
        var images: [RGBImage] = []
        var groundTruth: [GroundTruth] = []
        for _ in 0..<configuration.batchSize {
            let draw = dataStream.nextDraw()
            let sample = samples[draw.index].flipped(draw.flip)
            images.append(sample.image)
            groundTruth.append(GroundTruth(boxes: sample.target.boxTensor, labels: sample.target.labels))
        }
        let losses = model.loss(images: RGBImage.pixelTensor(images), groundTruth: groundTruth,
                                configuration: selection, using: &samplingGenerator)
        let terms = [("rpn_objectness", losses.rpnObjectness), ("rpn_box", losses.rpnBox),
                     ("roi_classification", losses.roiClassification), ("roi_box", losses.roiBox)]
        for (name, term) in terms where !term.value.scalar.isFinite {
            throw .nonFiniteLoss(iteration: iteration, term: name, value: term.value.scalar)
        }
        optimizer.zeroGradients()
        losses.total.backward()
        optimizer.step()
        let record = StepRecord(iteration: iteration, learningRate: learningRate,
                                rpnObjectness: Double(losses.rpnObjectness.value.scalar),
                                rpnBox: Double(losses.rpnBox.value.scalar),
                                roiClassification: Double(losses.roiClassification.value.scalar),
                                roiBox: Double(losses.roiBox.value.scalar),
                                seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        iteration += 1
        return record
    }

    // MARK: - Checkpoints

    /// Metadata keys of a training checkpoint.
    enum MetadataKey {
        static let iteration = "quarry.iteration", seed = "quarry.seed", iterations = "quarry.iterations"
        static let samplingState = "quarry.sampling_generator_state", strategy = "quarry.strategy"
        static let classCount = "quarry.class_count"
    }

    /// Writes the model, optimiser state and training progress to a safetensors file,
    /// atomically (a crash mid-write leaves the previous file intact).
    /// - Parameter strategyName: recorded so that a resume with another strategy is refused.
    /// - Throws: `TrainingError.checkpoint` if the file cannot be written.
    public func saveCheckpoint(to url: URL, strategyName: String) throws(TrainingError) {
        let metadata = [MetadataKey.iteration: String(iteration), MetadataKey.seed: String(configuration.seed),
                        MetadataKey.iterations: String(configuration.iterations),
                        MetadataKey.samplingState: String(samplingGenerator.state),
                        MetadataKey.strategy: strategyName, MetadataKey.classCount: String(model.classCount)]
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .checkpoint(.file(.io(path: url.path, reason: "cannot create folder: \(error)")))
        }
        do {
            try Checkpoint(model: model.parameters, optimizerState: optimizer.stateTensors(), metadata: metadata).write(to: url)
        } catch { throw .checkpoint(error) }
    }

    /// Restores a run from a checkpoint written by `saveCheckpoint`: parameters, optimiser
    /// state, iteration, the sampling generator, and the data stream (replayed to the same draw).
    /// - Throws: `TrainingError` when the file is unreadable or belongs to another run (seed,
    ///   iteration count or strategy differ).
    public mutating func resume(from url: URL, strategyName: String) throws(TrainingError) {
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(contentsOf: url) } catch { throw .checkpoint(error) }
        let meta = checkpoint.metadata
        func require(_ key: String, equals expected: String) throws(TrainingError) {
            let found = meta[key] ?? "(missing)"
            if found != expected { throw .incompatibleCheckpoint(path: url.path, field: key, expected: expected, found: found) }
        }
        try require(MetadataKey.seed, equals: String(configuration.seed))
        try require(MetadataKey.iterations, equals: String(configuration.iterations))
        try require(MetadataKey.strategy, equals: strategyName)
        try require(MetadataKey.classCount, equals: String(model.classCount))
        guard let done = meta[MetadataKey.iteration].flatMap(Int.init), done >= 0, done <= configuration.iterations,
              let state = meta[MetadataKey.samplingState].flatMap(UInt64.init) else {
            throw .incompatibleCheckpoint(path: url.path, field: MetadataKey.iteration, expected: "an iteration and generator state",
                                          found: meta[MetadataKey.iteration] ?? "(missing)")
        }
        do {
            try checkpoint.restore(into: model.parameters)
            try checkpoint.restore(into: &optimizer)
        } catch { throw .checkpoint(error) }
        // Replay the data stream: draws are cheap (no images are built).
        dataStream = BatchSampler(samples: samples, batchSize: configuration.batchSize, seed: configuration.streamSeeds.data,
                                  flipProbability: configuration.flipProbability)
        for _ in 0..<(done * configuration.batchSize) { _ = dataStream.nextDraw() }
        samplingGenerator = SplitMix64(seed: 0)
        samplingGenerator.state = state
        iteration = done
    }
}
