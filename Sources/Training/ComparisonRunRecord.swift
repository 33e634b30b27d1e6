// A finished run of a comparison, kept on disk (OUTPUT/runs/<entry>-seed-<S>.json) as soon as
// it ends, so that a comparison of many hours survives an interruption: `quarry compare
// --resume` reuses every recorded run whose circumstances match and trains only the rest.
//
// A run's numbers depend on its resolved configuration (detector, strategy with parameters,
// augmentations, schedule, seed), the data, the evaluation interval and bootstrap, and the
// machine's arithmetic (OpenBLAS core and thread count); all of these are recorded and must
// match exactly. What is not recorded is Quarry's own code: after changing it, do not resume.
import Foundation
import AtomicFiles

/// The circumstances a run's numbers depend on; a recorded run is reused only when all match.
struct ComparisonRunKey: Codable, Equatable {
    /// The entry's name in the report (`focal(gamma=1)`, `retinanet:focal`, `random @ flip`).
    var entry: String
    /// The run's resolved configuration (seed, iterations, strategy, augmentations, model).
    var configuration: TrainingConfiguration
    /// The dataset's name and the number of training samples and test images.
    var dataset: String
    var trainingSamples: Int
    var testImages: Int
    /// Evaluate-every interval of the learning curve, in iterations.
    var evaluationInterval: Int
    /// The per-run bootstrap: resamples, confidence, seed.
    var bootstrapResamples: Int
    var bootstrapConfidence: Double
    var bootstrapSeed: UInt64
    /// Whether the run kept its pictures (the plan's first seed).
    var keepsPictures: Bool
    /// The arithmetic: OpenBLAS version, the core it runs and its thread count per run, and the CPU model.
    var blas: String
    var blasCore: String
    var blasThreads: Int
    var cpuModel: String

    /// The fields whose values differ from `other`'s, by name (for the message that says why a
    /// record is not reused).
    func differingFields(from other: ComparisonRunKey) -> [String] {
        var fields: [String] = []
        if entry != other.entry { fields.append("entry") }
        if configuration != other.configuration {
            let changed = configuration.differences(from: other.configuration).map(\.key)
            fields.append(contentsOf: changed.isEmpty ? ["configuration"] : changed.map { "configuration.\($0)" })
        }
        if (dataset, trainingSamples, testImages) != (other.dataset, other.trainingSamples, other.testImages) { fields.append("dataset") }
        if evaluationInterval != other.evaluationInterval { fields.append("evaluationInterval") }
        if (bootstrapResamples, bootstrapConfidence, bootstrapSeed) != (other.bootstrapResamples, other.bootstrapConfidence, other.bootstrapSeed) {
            fields.append("bootstrap")
        }
        if keepsPictures != other.keepsPictures { fields.append("keepsPictures") }
        if (blas, blasCore, blasThreads, cpuModel) != (other.blas, other.blasCore, other.blasThreads, other.cpuModel) {
            fields.append("machine (OpenBLAS core, threads, CPU)")
        }
        return fields
    }
}

/// One finished run as written to OUTPUT/runs/: its key and its outcome.
struct ComparisonRunRecord: Codable {
    /// The format, so that a later layout is not misread: 1.
    var format = 1
    /// The circumstances of the run.
    var key: ComparisonRunKey
    /// What the report needs of the run.
    var outcome: ComparisonRunOutcome

    /// The folder of a comparison's run records: `output/runs`.
    static func folder(of output: URL) -> URL { output.appendingPathComponent("runs", isDirectory: true) }

    /// The record file of `entry` (its name spelt as `StrategyComparison.fileStem`) and `seed`:
    /// `runs/focal-gamma-1-seed-3.json`.
    static func url(output: URL, entry: ComparisonEntry, seed: UInt64) -> URL {
        folder(of: output).appendingPathComponent("\(StrategyComparison.fileStem(entry))-seed-\(seed).json")
    }

    /// Writes the record atomically (the folder is created when missing).
    /// - Throws: `EncodingError` for a non-finite number; `AtomicWriteError` naming the file.
    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(encoder.encode(self), to: url, creatingFolder: true)
    }

    /// What `--resume` finds at a record's place.
    enum Lookup {
        /// A record for exactly this run: its outcome.
        case reusable(ComparisonRunOutcome)
        /// No record there.
        case missing
        /// A record that cannot be used, and why (for a progress note): it does not decode, or
        /// it was made under other circumstances (naming the fields that differ).
        case unusable(String)
    }

    /// Reads the record at `url` and checks it against `key`.
    static func lookUp(at url: URL, for key: ComparisonRunKey) -> Lookup {
        guard FileManager.default.fileExists(atPath: url.path) else { return .missing }
        let record: ComparisonRunRecord
        do {
            record = try JSONDecoder().decode(ComparisonRunRecord.self, from: Data(contentsOf: url))
        } catch {
            return .unusable("\(url.path): not a run record (\(error)); training again")
        }
        guard record.format == 1 else { return .unusable("\(url.path): record format \(record.format), expected 1; training again") }
        // Compared as trained: parameters the entry's strategy does not read cannot differ (a record
        // written before another strategy's parameter existed is still this run).
        var recorded = record.key, wanted = key
        recorded.configuration = recorded.configuration.effective
        wanted.configuration = wanted.configuration.effective
        guard recorded == wanted else {
            return .unusable("\(url.path): recorded under other circumstances (\(recorded.differingFields(from: wanted).joined(separator: ", "))); training again")
        }
        return .reusable(record.outcome)
    }
}
