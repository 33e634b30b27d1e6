// The run-configuration flags every command that builds a configuration shares (`train`,
// `compare`, `inspect`): a `--config` file and the common fields as flags, which win over it.
import ArgumentParser
import Foundation
import Quarry

/// `--config FILE` and the configuration flags (`--learning-rate`, `--batch-size`,
/// `--anchor-sizes`, `--aspect-ratios`, `--tile-size`, `--tile-stride`), used with `@OptionGroup`.
struct ConfigurationOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A run configuration: a JSON file (docs/configuration.md), a checkpoint written by quarry train, or a results.json written by quarry compare.",
        discussion: "Flags given with it win over its values.", valueName: "file"))
    var config: String?

    @Option(name: .customLong("learning-rate"), help: "Base learning rate after warm-up (default: 0.01).")
    var learningRate: Float?

    @Option(name: .customLong("batch-size"), help: "Images per batch (default: 2).")
    var batchSize: Int?

    @Option(name: .customLong("anchor-sizes"), help: ArgumentHelp("Comma-separated anchor sizes in pixels (default: 16,32,64).", valueName: "sizes"))
    var anchorSizes: String?

    @Option(name: .customLong("aspect-ratios"), help: ArgumentHelp("Comma-separated anchor aspect ratios h/w (default: 0.5,1,2).", valueName: "ratios"))
    var aspectRatios: String?

    @Option(name: .customLong("tile-size"), help: "Training and inference tile side in pixels (default: 400).")
    var tileSize: Int?

    @Option(name: .customLong("tile-stride"), help: "Stride between tile origins in pixels (default: 300).")
    var tileStride: Int?

    /// The run configuration: the `--config` file's (or DESIGN.md's defaults with
    /// `defaultIterations`), then every flag given, then `iterations` and `seed` when given; validated.
    /// - Parameters:
    ///   - iterations: the command's `--iterations`, or nil to keep the file's.
    ///   - defaultIterations: the count without a file or flag.
    ///   - seed: the command's `--seed`, or nil to keep the file's (0 without a file).
    /// - Throws: `ConfigurationError` naming the file and key, or the flag, of a bad value.
    func configuration(iterations: Int?, defaultIterations: Int, seed: UInt64?) throws(ConfigurationError) -> TrainingConfiguration {
        var configuration: TrainingConfiguration
        if let config {
            configuration = try TrainingConfiguration.load(contentsOf: URL(fileURLWithPath: config))
        } else {
            configuration = TrainingConfiguration(iterations: defaultIterations, seed: 0)
        }
        // Each flag given, and the key it sets (to name the flag, not the file, in an error).
        var flags: [String: String] = [:]
        if let iterations { configuration.iterations = iterations; flags["iterations"] = "--iterations" }
        if let seed { configuration.seed = seed }
        if let learningRate { configuration.baseLearningRate = learningRate; flags["baseLearningRate"] = "--learning-rate" }
        if let batchSize { configuration.batchSize = batchSize; flags["batchSize"] = "--batch-size" }
        if let anchorSizes {
            configuration.model.anchorSizes = try Self.numbers(anchorSizes, flag: "--anchor-sizes")
            flags["model.anchorSizes"] = "--anchor-sizes"
        }
        if let aspectRatios {
            configuration.model.aspectRatios = try Self.numbers(aspectRatios, flag: "--aspect-ratios")
            flags["model.aspectRatios"] = "--aspect-ratios"
        }
        if let tileSize {
            configuration.model.trainingTileSize = tileSize
            configuration.model.inferenceTileSize = tileSize
            flags["model.trainingTileSize"] = "--tile-size"; flags["model.inferenceTileSize"] = "--tile-size"
        }
        if let tileStride {
            configuration.model.trainingTileStride = tileStride
            configuration.model.inferenceTileStride = tileStride
            flags["model.trainingTileStride"] = "--tile-stride"; flags["model.inferenceTileStride"] = "--tile-stride"
        }
        do { try configuration.validate() } catch {
            let key = error.key.split(separator: "[").first.map(String.init) ?? error.key
            if let flag = flags[key] { throw ConfigurationError(key: flag, reason: error.reason) }
            throw config.map { error.located(in: $0) } ?? error
        }
        return configuration
    }

    /// The comma-separated numbers of a flag's value.
    /// - Throws: `ConfigurationError` naming the flag and the item that is not a number.
    static func numbers(_ text: String, flag: String) throws(ConfigurationError) -> [Float] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { item throws(ConfigurationError) in
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard let value = Float(trimmed) else {
                throw ConfigurationError(key: flag, reason: "'\(trimmed)' is not a number (give comma-separated numbers, e.g. 16,32,64)")
            }
            return value
        }
    }

    /// The detector a `--config` checkpoint (`quarry.model`) or results.json (its first entry's
    /// `model`) trained; nil without such a file, or when it names none (the file's own errors
    /// are reported by ``configuration(iterations:defaultIterations:seed:)``).
    func recordedDetector() -> DetectorKind? {
        guard let config else { return nil }
        let url = URL(fileURLWithPath: config)
        if url.pathExtension.lowercased() == "safetensors" {
            return (try? Checkpoint(contentsOf: url))?.metadata["quarry.model"].flatMap(DetectorKind.init(rawValue:))
        }
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let first = (object["strategies"] as? [[String: Any]])?.first, let name = first["model"] as? String else { return nil }
        return DetectorKind(rawValue: name)
    }
}
