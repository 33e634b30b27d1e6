// The comparison's "What each strategy mines" section (issue 14, item 5): each first-seed run
// records the hardest negatives of a few training tiles near its end (`MinedNegativeRecording`,
// carried in its outcome and so in OUTPUT/runs/); the final `random` model of that seed, saved
// beside its record (`runs/random-seed-<S>.safetensors`), scores them; the report gets a table
// and pictures. A run reused from a record without them (written before they existed) simply
// has no row; a reused `random` run without its model file leaves the scores out ("—").
import Datasets
import Detection
import Foundation
import Randomness

extension StrategyComparison {
    /// The number of tiles pictured per strategy and head: 3 (of the 8 recorded).
    public static let picturedTileCount = 3

    /// Whether `entry` is the reference whose model scores the others' negatives: the `random`
    /// strategy with its default parameters.
    static func isMiningReference(_ entry: ComparisonEntry) -> Bool {
        entry.configuration == StrategyConfiguration(kind: .random)
    }

    /// The reference entry for `entry`'s negatives: the first `random` entry with the same
    /// detector and augmentations, or nil.
    static func miningReference(for entry: ComparisonEntry, in plan: ComparisonPlan) -> ComparisonEntry? {
        plan.entries.first { isMiningReference($0) && $0.model == entry.model && $0.augmentations == entry.augmentations }
    }

    /// Summarises, scores and draws every entry's recorded negatives (the first seed's runs).
    /// - Parameter outcomes: the runs, entry-major then seed, as `run` gathers them.
    /// - Returns: one summary per entry and head with records, in plan then head order.
    /// - Throws: `ImageCodecError` or file errors from writing the pictures; a reference model
    ///   file that cannot be loaded is not an error (the scores are left out).
    static func minedNegativeSummaries(_ plan: ComparisonPlan, data: TrainingData,
                                       outcomes: [ComparisonRunOutcome]) throws -> [MinedNegativeSummary] {
        let seed = plan.seeds[0]
        var references: [ComparisonEntry: any Detector] = [:]
        var summaries: [MinedNegativeSummary] = []
        for (index, entry) in plan.entries.enumerated() {
            guard let records = outcomes[index * plan.seeds.count].minedNegatives, !records.isEmpty else { continue }
            var reference: (entry: ComparisonEntry, model: any Detector)?
            if let r = miningReference(for: entry, in: plan) {
                if references[r] == nil, let model = loadReferenceModel(plan, entry: r, seed: seed, data: data) { references[r] = model }
                if let model = references[r] { reference = (r, model) }
            }
            var heads: [String] = []
            for record in records where !heads.contains(record.head) { heads.append(record.head) }
            for headName in heads {
                let mine = records.filter { $0.head == headName }
                let scores = reference.map { reference in
                    mine.map { record -> [Float?] in
                        guard record.imageID < data.train.count,
                              let head = reference.model.heads.first(where: { $0.name == headName }) else {
                            return record.negatives.map { _ in nil }
                        }
                        return reference.model.foregroundProbabilities(
                            image: RGBImage.pixelTensor([data.train[record.imageID].image]), head: head, negatives: record.negatives)
                    }
                }
                var pictures: [String] = []
                for record in mine.prefix(picturedTileCount) where record.imageID < data.train.count {
                    let name = MinedNegativePictures.fileName(entryStem: fileStem(entry), head: headName, tile: record.imageID)
                    let url = plan.output.appendingPathComponent(name)
                    try FileManager.default.createDirectory(at: plan.output, withIntermediateDirectories: true)
                    try MinedNegativePictures.picture(of: record, on: data.train[record.imageID]).writePNG(to: url)
                    pictures.append(name)
                }
                var summary = MinedNegativeSummary(strategy: entry.name, head: headName, records: mine, scores: scores,
                                                   reference: reference?.entry.name, pictures: pictures)
                if let reference, let head = reference.model.heads.first(where: { $0.name == headName }), head.candidates == .proposals {
                    // The same model on the tiles' own ground truth, for the scale of "≥ 0.5".
                    for record in mine where record.imageID < data.train.count {
                        let sample = data.train[record.imageID]
                        let truth = sample.target.boxes.map { MinedNegative(box: [$0.x1, $0.y1, $0.x2, $0.y2], loss: 0, maxIoU: 1) }
                        let p = reference.model.foregroundProbabilities(image: RGBImage.pixelTensor([sample.image]), head: head, negatives: truth)
                        summary.groundTruthScored += p.count { $0 != nil }
                        summary.groundTruthObjectLike += p.count { ($0 ?? 0) >= MinedNegativeSummary.objectScoreThreshold }
                    }
                }
                summaries.append(summary)
            }
        }
        return summaries
    }

    /// The reference run's final model, or nil when its file is missing or does not load.
    static func loadReferenceModel(_ plan: ComparisonPlan, entry: ComparisonEntry, seed: UInt64, data: TrainingData) -> (any Detector)? {
        let url = modelURL(output: plan.output, entry: entry, seed: seed)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        var generator = SplitMix64(seed: 0)
        let model = entry.model.makeDetector(classCount: data.classCount,
                                             configuration: runConfiguration(plan, entry: entry, seed: seed, data: data).model,
                                             using: &generator)
        do { try model.load(from: url) } catch { return nil }
        return model
    }
}
