// One run of a comparison (one strategy, one seed): train, evaluate on the test split every
// `evaluationInterval` iterations and at the end, bootstrap each evaluation over the test
// images, and check whether the learning curve was still rising.
import Datasets
import Detection
import Evaluation
import Foundation

extension StrategyComparison {
    /// Trains `entry`'s detector under its strategy with `seed` for `plan.iterations` and evaluates it.
    ///
    /// Time accounting: `secondsPerIteration` and the curve's seconds sum the steps' own
    /// durations (batch preparation included), so the evaluations in between count in
    /// `evaluationSeconds` only.
    /// The plan's first seed records the mined negatives of a few tiles near the end
    /// (`MinedNegativeRecording`), and saves every entry's final model with the run's metadata
    /// (`modelURL`): the `random` one scores the mined negatives, and any of them loads
    /// in `quarry eval --checkpoint` and `quarry detect`.
    /// - Returns: the run's record, its final evaluation (for the PR curve and the picture) and
    ///   each recorded tile's last mined negatives per head (empty for other seeds).
    /// - Throws: `TrainingError.nonFiniteLoss` or `.nonFiniteGradient` from a step,
    ///   `TrainingError.checkpoint` writing the model.
    static func trainAndEvaluate(_ entry: ComparisonEntry, seed: UInt64, plan: ComparisonPlan, data: TrainingData,
                                 progress: (ComparisonEvent) -> Void) throws -> (SeedRun, DatasetEvaluation, [MinedNegatives]) {
        let strategy = entry.name
        progress(.runStarted(strategy: strategy, seed: seed))
        // Alone, a run gets its own peak; runs training at once share the process's.
        if plan.jobs == 1 { ResourceUsage.resetPeakResidentBytes() }
        var configuration = runConfiguration(plan, entry: entry, seed: seed, data: data)
        configuration.logInterval = max(1, plan.iterations / 100)
        var trainer = Trainer(samples: data.train, classCount: data.classCount, model: entry.model, configuration: configuration)
        var lossCurve: [LossPoint] = []
        var learningCurve: [LearningCurvePoint] = []
        var seconds = 0.0, evaluationSeconds = 0.0
        var previous: (iteration: Int, records: VOCResampling)?
        var mining: [String: MiningAccumulator] = [:]
        let firstSeed = seed == plan.seeds[0]
        if firstSeed {
            trainer.minedNegativeRecording = MinedNegativeRecording(sampleCount: data.train.count, iterations: plan.iterations,
                                                                    batchSize: configuration.batchSize)
        }
        var mined: [MinedNegatives] = []
        while !trainer.isFinished {
            let record = try trainer.step()
            mined.append(contentsOf: record.minedNegatives)
            seconds += record.seconds
            for (head, statistics) in record.mining { mining[head, default: MiningAccumulator()].add(statistics) }
            if record.iteration % configuration.logInterval == 0 || trainer.isFinished {
                lossCurve.append(LossPoint(iteration: record.iteration, loss: record.total))
            }
            progress(.step(strategy: strategy, seed: seed, record: record, of: plan.iterations))
            let done = record.iteration + 1
            // The final point comes from the full evaluation below, not from here.
            if plan.evaluationInterval > 0, done % plan.evaluationInterval == 0, !trainer.isFinished {
                let start = DispatchTime.now().uptimeNanoseconds
                let (voc, imageIDs) = trainer.model.evaluateVOC(on: data.test, classCount: data.classCount)
                let records = VOCResampling(evaluation: voc, imageIDs: imageIDs)
                let point = curvePoint(iteration: done, seconds: seconds, ap50: voc.meanAveragePrecision ?? 0, records: records,
                                       bootstrap: plan.bootstrap)
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                evaluationSeconds += elapsed
                learningCurve.append(point)
                previous = (done, records)
                progress(.curvePoint(strategy: strategy, seed: seed, point: point, evaluationSeconds: elapsed))
            }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let evaluation = trainer.model.evaluate(on: data.test, classCount: data.classCount)
        let records = VOCResampling(evaluation: evaluation.voc, imageIDs: evaluation.imageIDs)
        let last = curvePoint(iteration: plan.iterations, seconds: seconds, ap50: evaluation.ap50, records: records,
                              bootstrap: plan.bootstrap)
        learningCurve.append(last)
        let stillRising = previous.map { previous in
            StillRisingCheck(fromIteration: previous.iteration, toIteration: plan.iterations,
                             gain: evaluation.ap50 - (learningCurve[learningCurve.count - 2].ap50),
                             gainInterval: gainInterval(from: previous.records, to: records, bootstrap: plan.bootstrap))
        }
        evaluationSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        progress(.evaluated(strategy: strategy, seed: seed, ap50: evaluation.ap50))
        if firstSeed {
            try trainer.saveModel(to: modelURL(output: plan.output, entry: entry, seed: seed),
                                  strategyName: entry.strategy.rawValue)
        }
        let run = SeedRun(seed: seed, ap50: evaluation.ap50, cocoAP: evaluation.cocoAP, cocoAP300: evaluation.cocoAP300,
                          ap75: evaluation.ap75, ar100: evaluation.ar100, secondsPerIteration: seconds / Double(plan.iterations),
                          peakRSSBytes: ResourceUsage.peakResidentBytes() ?? 0, lossCurve: lossCurve,
                          mining: mining.mapValues(\.totals),
                          ap50Interval: last.ap50Interval, learningCurve: learningCurve, stillRising: stillRising,
                          evaluationSeconds: evaluationSeconds)
        return (run, evaluation, MinedNegativeRecording.latest(mined))
    }

    /// Where the first seed's run of an entry keeps its final model (`Trainer.saveModel`):
    /// `runs/<stem>-seed-<S>.safetensors`, beside its record.
    static func modelURL(output: URL, entry: ComparisonEntry, seed: UInt64) -> URL {
        ComparisonRunRecord.url(output: output, entry: entry, seed: seed).deletingPathExtension().appendingPathExtension("safetensors")
    }

    /// A learning-curve point with the bootstrap interval of its AP50 over the test images.
    static func curvePoint(iteration: Int, seconds: Double, ap50: Double, records: VOCResampling,
                           bootstrap: PercentileBootstrap) -> LearningCurvePoint {
        let interval = bootstrap.interval(count: records.imageIDs.count) { records.meanAveragePrecision(multiplicities: $0) }
        return LearningCurvePoint(iteration: iteration, seconds: seconds, ap50: ap50, ap50Interval: interval)
    }

    /// The paired bootstrap interval of AP50(last) − AP50(previous): both recomputed on the same
    /// resample of the test images (the same seed gives both the same resamples).
    /// - Precondition: both evaluations list the same images.
    static func gainInterval(from previous: VOCResampling, to last: VOCResampling,
                             bootstrap: PercentileBootstrap) -> ConfidenceInterval? {
        precondition(previous.imageIDs == last.imageIDs, "gainInterval: the evaluations list different images")
        return bootstrap.interval(count: last.imageIDs.count) { multiplicities in
            guard let after = last.meanAveragePrecision(multiplicities: multiplicities),
                  let before = previous.meanAveragePrecision(multiplicities: multiplicities) else { return nil }
            return after - before
        }
    }
}
