// Legend: B images per batch, H×W tile pixels.
//
// One training run: the reference schedule (SGD, warm-up, multi-step decay), seeded end to
// end — initialisation, data order and flips, and candidate sampling each draw from their own
// SplitMix64 stream derived from the run's seed — with atomic checkpoints and exact resume.
import Autograd
import Collectives
import Datasets
import Detection
import Foundation
import NN
import Randomness
import TensorCore

/// One named loss term of a training iteration, as Double for logging.
public struct LossTermValue: Sendable, Equatable {
    /// The term's column name, `<head>_<term>` (`rpn_objectness`, `roi_box`, `retina_classification`, …).
    public var name: String
    /// The term's value.
    public var value: Double

    /// Creates a term.
    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}

/// The losses, mining statistics and timing of one training iteration.
public struct StepRecord: Sendable, Equatable {
    /// The iteration just trained (0-based).
    public var iteration: Int
    /// The learning rate used.
    public var learningRate: Float
    /// The detector's loss terms in its heads' order, classification then box per head.
    public var terms: [LossTermValue]
    /// The sum of the terms, added left to right.
    public var total: Double { terms.dropFirst().reduce(terms.first?.value ?? 0) { $0 + $1.value } }
    /// Wall-clock seconds of the iteration, batch preparation and a preceding mining round
    /// (``miningRound``) included.
    public var seconds: Double
    /// Each head's strategy statistics, merged over the batch's images, by head name.
    public var mining: [String: MiningStatistics]
    /// The hardest negatives chosen for the batch's images that recorded them
    /// (``Trainer/minedNegativeRecording``), head by head; empty otherwise.
    public var minedNegatives: [MinedNegatives] = []
    /// The mining round that ran before this iteration (`hard-negative-bootstrap`, at
    /// iterations N, 2N, …), whose seconds are included in ``seconds``; nil otherwise.
    public var miningRound: MiningRoundRecord?

    /// Creates a record (e.g. to replay a logged loss curve); mining statistics start empty.
    public init(iteration: Int, learningRate: Float, terms: [LossTermValue], seconds: Double,
                mining: [String: MiningStatistics] = [:]) {
        self.iteration = iteration
        self.learningRate = learningRate
        self.terms = terms
        self.seconds = seconds
        self.mining = mining
    }

    /// The value of the term named `name` (e.g. `rpn_objectness`), or nil.
    public subscript(term name: String) -> Double? { terms.first { $0.name == name }?.value }
}

/// Trains a detector on a dataset's samples with one sampling strategy.
///
/// Determinism: the same configuration (seed), samples, detector kind, strategy and BLAS thread
/// count give the same losses, iteration by iteration. Resuming from a checkpoint continues with
/// the same result as an uninterrupted run: the data stream is replayed to the checkpoint's
/// iteration, and the sampling generator's state and the strategies' own state (the
/// hard-negative buffers) are stored in the checkpoint.
///
/// One strategy instance per head of the detector lives for the whole run (the buffer's memory
/// spans steps); each step passes it the drawn tiles' indices as image ids, their flips and the
/// step. A tile whose augmentations changed its geometry beyond flips (`SampleFrame.altered`)
/// gets a fresh id, `samples.count + step × batchSize + slot`, so stateful strategies never
/// replay into it what they stored in the tile's frame. Nothing here depends on which detector
/// or strategy it trains.
///
/// Data-parallel: after ``distribute(over:)`` each ``step()`` trains this rank's share of the
/// global batch and sums gradients and normalisers with the other ranks
/// (Trainer+DataParallel.swift, docs/distributed.md).
public struct Trainer {
    /// The detector being trained (its parameters are shared reference-type variables).
    public let model: any Detector
    /// The run's settings.
    public let configuration: TrainingConfiguration
    /// The training samples (e.g. the 65 NEON training tiles).
    public let samples: [DetectionSample]
    /// The sampling strategy of every head.
    public let strategy: StrategyKind
    /// The next iteration to train (0-based); equals the number of iterations done.
    public internal(set) var iteration = 0

    var optimizer: SGD
    let schedule: LearningRateSchedule
    var dataStream: BatchSampler
    var samplingGenerator: SplitMix64
    /// One strategy per head of the model, in its heads' order.
    var strategies: [any SamplingStrategy]
    /// The ranks this run's batches are split over (``distribute(over:)``), or nil: one process
    /// drawing every selection from one sequential stream.
    public internal(set) var communicator: (any Communicator)?
    /// Data-parallel training compares the replicas' checksums every this many iterations
    /// (and ``verifyReplicas()`` may be called at any time); 0: never during the run.
    public var replicaCheckInterval = 25
    /// Which drawn tiles record the negatives their strategies chose (into
    /// ``StepRecord/minedNegatives``), or nil: none. One-process training only: a data-parallel
    /// step records nothing.
    public var minedNegativeRecording: MinedNegativeRecording?

    /// Creates a run: a freshly initialised detector, SGD and the reference schedule.
    /// - Parameters:
    ///   - samples: training samples with labels in 1...classCount.
    ///   - classCount: K foreground classes.
    ///   - model: the detector to build (TinyFasterRCNN unless given).
    ///   - strategy: the strategy, replacing `configuration.strategy.kind` (its parameters are
    ///     kept); nil: the configuration's. One instance per head is built and kept for the run.
    ///   - configuration: iterations, seed, schedule, batch size, the detector's settings and the
    ///     strategy's parameters.
    /// - Precondition: at least one sample; a valid configuration
    ///   (`TrainingConfiguration.validate()`) whose class names, if any, number `classCount`.
    public init(samples: [DetectionSample], classCount: Int, model kind: DetectorKind = .fasterRCNN,
                strategy: StrategyKind? = nil, configuration: TrainingConfiguration) {
        precondition(!samples.isEmpty, "Trainer: no training samples")
        precondition(configuration.model.classNames.isEmpty || configuration.model.classNames.count == classCount,
                     "Trainer: \(configuration.model.classNames.count) class names for \(classCount) classes")
        var configuration = configuration
        if let strategy { configuration.strategy.kind = strategy }
        let seeds = configuration.streamSeeds
        var initGenerator = SplitMix64(seed: seeds.initialization)
        model = kind.makeDetector(classCount: classCount, configuration: configuration.model, using: &initGenerator)
        strategies = model.heads.map { configuration.strategy.makeStrategy(for: $0) }
        for (head, instance) in zip(model.heads, strategies) {
            if case .focal = instance.classificationLoss, let prior = configuration.strategy[head].prior {
                // RetinaNet's prior: start every candidate at foreground probability π (0.01), so
                // the focal loss of the many easy negatives does not swamp the first iterations;
                // at the RoI head's softmax, P(background) = 1 − π (`prior=none`: no prior there).
                model.initializeClassificationPrior(of: head, probability: prior)
            }
        }
        self.configuration = configuration
        self.samples = samples
        self.strategy = configuration.strategy.kind
        optimizer = SGD(model.parameters, learningRate: configuration.baseLearningRate,
                        momentum: configuration.momentum, weightDecay: configuration.weightDecay)
        schedule = configuration.schedule
        dataStream = BatchSampler(samples: samples, batchSize: configuration.batchSize, seed: seeds.data,
                                  augmentations: configuration.augmentations)
        samplingGenerator = SplitMix64(seed: seeds.sampling)
    }

    /// Whether every configured iteration has been trained.
    public var isFinished: Bool { iteration >= configuration.iterations }

    /// Steps per epoch: ⌈samples / batch size⌉ (⌈65 / 2⌉ = 33 for the NEON tiles); the
    /// hard-negative buffer's expiry counts in these.
    public var stepsPerEpoch: Int { (samples.count + configuration.batchSize - 1) / configuration.batchSize }

    /// The loss terms' column names, in the order of every record's ``StepRecord/terms``.
    public var termNames: [String] {
        model.heads.flatMap { ["\($0.name)_\($0.classificationTermName)", "\($0.name)_box"] }
    }

    /// Trains one iteration: run a mining round if one is due (``runsMiningRound(before:)``), draw
    /// a batch, compute the losses, check them, back-propagate, check the gradients, step.
    /// - Throws: `TrainingError.nonFiniteLoss` naming the iteration and term, or
    ///   `.nonFiniteGradient` naming the iteration and the first parameter whose gradient holds
    ///   NaN or infinity (a finite loss can still give one, e.g. 0 · NaN in a backward GEMM),
    ///   before any parameter or optimiser state changes.
    public mutating func step() throws(TrainingError) -> StepRecord {
        if let communicator { return try dataParallelStep(over: communicator) }
        let start = DispatchTime.now().uptimeNanoseconds
        // A bootstrapping strategy's round over every tile first, inside this iteration's time.
        let round = runsMiningRound(before: iteration) ? runMiningRound() : nil
        let learningRate = schedule.learningRate(at: iteration)
        optimizer.learningRate = learningRate
        var images: [RGBImage] = []
        var groundTruth: [GroundTruth] = []
        var samplingImages: [SamplingImage] = []
        for slot in 0..<configuration.batchSize {
            let draw = dataStream.nextSample()
            let sample = draw.sample.sample
            images.append(sample.image)
            groundTruth.append(GroundTruth(boxes: sample.target.boxTensor, labels: sample.target.labels))
            // The tile index is the image id: stable across epochs, as the buffer needs. An image
            // whose geometry changed beyond a flip (scale, crop, shift, quarter turn, mosaic) has
            // no place in the tile's frame, so it gets an id of its own that never recurs: the
            // buffer mines it but replays nothing into it.
            let id = draw.sample.flip == nil ? samples.count + iteration * configuration.batchSize + slot : draw.index
            let records = draw.sample.flip != nil && minedNegativeRecording?.records(tile: draw.index, at: iteration) == true
            samplingImages.append(SamplingImage(id: id, width: sample.image.width, height: sample.image.height,
                                                flip: draw.sample.flip ?? .none, recordsMinedNegatives: records))
        }
        let losses = model.trainingLoss(images: RGBImage.pixelTensor(images), groundTruth: groundTruth,
                                        samplingImages: samplingImages,
                                        progress: TrainingProgress(step: iteration, stepsPerEpoch: stepsPerEpoch),
                                        strategies: &strategies, using: &samplingGenerator)
        let terms = losses.terms
        for (name, term) in terms where !term.value.scalar.isFinite {
            throw .nonFiniteLoss(iteration: iteration, term: name, value: term.value.scalar)
        }
        optimizer.zeroGradients()
        losses.total.backward()
        if let parameter = model.parameters.first(where: { !($0.variable.gradient?.scalars.allSatisfy(\.isFinite) ?? true) }) {
            throw .nonFiniteGradient(iteration: iteration, parameter: parameter.name)
        }
        optimizer.step()
        var record = StepRecord(iteration: iteration, learningRate: learningRate,
                                terms: terms.map { LossTermValue(name: $0.name, value: Double($0.value.value.scalar)) },
                                seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                                mining: Dictionary(uniqueKeysWithValues: losses.heads.map { ($0.head.name, $0.mining) }))
        record.minedNegatives = losses.heads.flatMap(\.minedNegatives)
        record.miningRound = round
        iteration += 1
        return record
    }

    // MARK: - Checkpoints

    /// Metadata keys of a training checkpoint.
    enum MetadataKey {
        static let iteration = "quarry.iteration", seed = "quarry.seed", iterations = "quarry.iterations"
        static let samplingState = "quarry.sampling_generator_state", strategy = "quarry.strategy"
        static let classCount = "quarry.class_count", model = "quarry.model"
        static let configuration = TrainingConfiguration.checkpointMetadataKey
        /// The augmentation list's text form; checkpoints written before lists existed lack it
        /// and were trained with DESIGN.md's `flip(p=0.5)`.
        static let augmentations = "quarry.augmentations"
        /// How selections draw their randomness: `sequential` (one stream for the run; also
        /// checkpoints written before the key existed) or `per-image` (data-parallel training,
        /// `ImageRandomStreams`). A run cannot continue in the other form.
        static let samplingStreams = "quarry.sampling_streams"
        /// The number of ranks that wrote a data-parallel checkpoint (for information: a run
        /// resumes at any world size).
        static let worldSize = "quarry.world_size"
        /// The strategy's own state per head (a JSON document; only stateful strategies write it).
        /// The key keeps its first spelling, `sampler_state`, so that earlier checkpoints resume.
        static func strategyState(_ head: DetectionHead) -> String { "quarry.sampler_state.\(head.name)" }
    }

    /// The metadata of every file written from this run: progress, seed, strategy, class count,
    /// detector kind, resolved configuration, augmentations and how selections draw randomness.
    func runMetadata(strategyName: String) -> [String: String] {
        var metadata = [MetadataKey.iteration: String(iteration), MetadataKey.seed: String(configuration.seed),
                        MetadataKey.iterations: String(configuration.iterations),
                        MetadataKey.samplingState: String(samplingGenerator.state),
                        MetadataKey.strategy: strategyName, MetadataKey.classCount: String(model.classCount),
                        MetadataKey.model: model.kind.rawValue,
                        MetadataKey.configuration: String(decoding: configuration.jsonData(), as: UTF8.self),
                        MetadataKey.augmentations: configuration.augmentations.description,
                        MetadataKey.samplingStreams: samplingStreams]
        if let communicator { metadata[MetadataKey.worldSize] = String(communicator.size) }
        return metadata
    }

    /// Writes the model's parameters with the run's metadata (class count, detector kind,
    /// configuration, progress) but no optimiser or strategy state, atomically: a file that
    /// `TrainedDetector.load` (`quarry detect`, `quarry eval --checkpoint`) reads, half the size
    /// of a checkpoint, that `--resume` cannot continue.
    /// - Parameters:
    ///   - url: the `.safetensors` file to write (its folder is created).
    ///   - strategyName: recorded as `quarry.strategy` (the parameters are in `quarry.configuration`).
    /// - Throws: `TrainingError.checkpoint` if the folder or the file cannot be written.
    public func saveModel(to url: URL, strategyName: String) throws(TrainingError) {
        try Self.createFolder(of: url)
        do {
            try Checkpoint(model: model.parameters, metadata: runMetadata(strategyName: strategyName)).write(to: url)
        } catch { throw .checkpoint(error) }
    }

    private static func createFolder(of url: URL) throws(TrainingError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .checkpoint(.file(.io(path: url.path, reason: "cannot create folder: \(error)")))
        }
    }

    /// Writes the model, optimiser state, training progress and the strategies' state (the
    /// hard-negative buffers, as JSON metadata) to a safetensors file, atomically (a crash
    /// mid-write leaves the previous file intact).
    /// - Parameter strategyName: recorded so that a resume with another strategy is refused.
    /// - Throws: `TrainingError.checkpoint` if the file cannot be written.
    public func saveCheckpoint(to url: URL, strategyName: String) throws(TrainingError) {
        var metadata = runMetadata(strategyName: strategyName)
        for (head, instance) in zip(model.heads, strategies) {
            if let stateful = instance as? any StatefulSamplingStrategy {
                metadata[MetadataKey.strategyState(head)] = stateful.checkpointState
            }
        }
        try Self.createFolder(of: url)
        do {
            try Checkpoint(model: model.parameters, optimizerState: optimizer.stateTensors(), metadata: metadata).write(to: url)
        } catch { throw .checkpoint(error) }
    }

    /// Restores a run from a checkpoint written by `saveCheckpoint`: parameters, optimiser
    /// state, iteration, the sampling generator, the strategies' state (hard-negative buffers),
    /// and the data stream (replayed to the same draw).
    /// - Throws: `TrainingError` when the file is unreadable, belongs to another run (seed,
    ///   iteration count or strategy differ), or lacks or carries a strategy state that does not
    ///   fit (`field` names the metadata key).
    public mutating func resume(from url: URL, strategyName: String) throws(TrainingError) {
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(contentsOf: url) } catch { throw .checkpoint(error) }
        let meta = checkpoint.metadata
        func require(_ key: String, equals expected: String) throws(TrainingError) {
            let found = meta[key] ?? "(missing)"
            if found != expected { throw .incompatibleCheckpoint(path: url.path, field: key, expected: expected, found: found) }
        }
        try require(MetadataKey.seed, equals: String(configuration.seed))
        // A run's length is part of it: the learning-rate schedule's warm-up and decay steps are
        // placed by it, so a longer run is a different run, not a continuation.
        if meta[MetadataKey.iterations] != String(configuration.iterations) {
            let found = meta[MetadataKey.iterations] ?? "(missing)"
            throw .incompatibleCheckpoint(
                path: url.path, field: MetadataKey.iterations,
                expected: "\(configuration.iterations) (a run's iteration count is fixed because the learning-rate schedule is placed by it; resume with the original count, or start a new run)",
                found: found)
        }
        // The strategy by its name without parameters (`ohem` for `ohem(rpn.budget=64)`): the
        // parameters are compared with the recorded configuration below, so that a run given
        // its own checkpoint as --config (its strategy named plainly) can resume it.
        func plain(_ name: String) -> Substring { name.prefix { $0 != "(" } }
        if plain(meta[MetadataKey.strategy] ?? "(missing)") != plain(strategyName) || meta[MetadataKey.configuration] == nil {
            try require(MetadataKey.strategy, equals: strategyName)
        }
        try require(MetadataKey.classCount, equals: String(model.classCount))
        // Checkpoints written before the model was recorded are TinyFasterRCNN's.
        if (meta[MetadataKey.model] ?? DetectorKind.fasterRCNN.rawValue) != model.kind.rawValue {
            throw .incompatibleCheckpoint(path: url.path, field: MetadataKey.model, expected: model.kind.rawValue,
                                          found: meta[MetadataKey.model] ?? "(missing)")
        }
        // A data-parallel run draws its selections per image, a one-process run from one stream.
        let streams = meta[MetadataKey.samplingStreams] ?? "sequential"
        if streams != samplingStreams {
            throw .incompatibleCheckpoint(
                path: url.path, field: MetadataKey.samplingStreams,
                expected: "\(samplingStreams) (a run started with --distributed continues with --distributed, at any number of ranks; a run without it continues without it)",
                found: streams)
        }
        // Another augmentation list draws other data: the run would not be a continuation.
        let augmentations = meta[MetadataKey.augmentations] ?? AugmentationList.reference.description
        if augmentations != configuration.augmentations.description {
            throw .incompatibleCheckpoint(path: url.path, field: MetadataKey.augmentations,
                                          expected: configuration.augmentations.description, found: augmentations)
        }
        guard let done = meta[MetadataKey.iteration].flatMap(Int.init), done >= 0, done <= configuration.iterations,
              let state = meta[MetadataKey.samplingState].flatMap(UInt64.init) else {
            throw .incompatibleCheckpoint(path: url.path, field: MetadataKey.iteration, expected: "an iteration and generator state",
                                          found: meta[MetadataKey.iteration] ?? "(missing)")
        }
        // Strategy state first: a mismatch must leave the run untouched.
        var restored: [any SamplingStrategy] = []
        for head in model.heads {
            let fresh = configuration.strategy.makeStrategy(for: head)
            let key = MetadataKey.strategyState(head)
            switch (meta[key], fresh as? any StatefulSamplingStrategy) {
            case (nil, nil):
                restored.append(fresh)
            case (nil, .some):
                throw .incompatibleCheckpoint(path: url.path, field: key, expected: "the \(fresh.name) state", found: "(missing)")
            case (.some, nil):
                let error = StrategyStateError(strategy: fresh.name, reason: "the strategy keeps no state, but a state was given")
                throw .incompatibleCheckpoint(path: url.path, field: key, expected: "a valid \(fresh.name) state",
                                              found: error.description)
            case (let state?, var stateful?):
                do { try stateful.restoreCheckpointState(state) } catch {
                    throw .incompatibleCheckpoint(path: url.path, field: key, expected: "a valid \(fresh.name) state",
                                                  found: error.description)
                }
                restored.append(stateful)
            }
        }
        // The whole configuration (checkpoints written before it was recorded have none), after
        // the specific checks above so that their messages come first: the first differing field
        // is named. Checkpoint and log intervals are bookkeeping, not the run.
        if let text = meta[MetadataKey.configuration] {
            let recorded: TrainingConfiguration
            do { recorded = try TrainingConfiguration.decode(Data(text.utf8), file: url.path) } catch {
                throw .incompatibleCheckpoint(path: url.path, field: "\(MetadataKey.configuration) \(error.key)",
                                              expected: "a valid configuration", found: error.reason)
            }
            // Compared as trained: a strategy parameter the run's strategy does not read cannot differ.
            if let difference = configuration.effective.firstDifference(from: recorded.effective, ignoring: ["checkpointInterval", "logInterval"]) {
                throw .incompatibleCheckpoint(path: url.path, field: "\(MetadataKey.configuration) \(difference.key)",
                                              expected: difference.value, found: difference.otherValue)
            }
        }
        do {
            try checkpoint.restore(into: model.parameters)
            try checkpoint.restore(into: &optimizer)
        } catch { throw .checkpoint(error) }
        strategies = restored
        // Replay the data stream: draws are cheap (no images are built).
        dataStream = BatchSampler(samples: samples, batchSize: configuration.batchSize, seed: configuration.streamSeeds.data,
                                  augmentations: configuration.augmentations)
        dataStream.skip(done * configuration.batchSize)
        samplingGenerator = SplitMix64(seed: 0)
        samplingGenerator.state = state
        iteration = done
    }
}
