// The options `quarry train` and `quarry compare` share: which data, which run configuration
// (a file, and the common fields as flags, which win), where the files go, how many OpenBLAS
// threads. One declaration, so the flags, help and checks cannot drift apart between the two commands.
import ArgumentParser
import Foundation
import Quarry

/// What differs between the commands that use `TrainingRunOptions`: the default output folder,
/// the default and wording of `--iterations` (per run for `compare`, which trains several).
protocol TrainingRunDefaults {
    /// The default of `--output`, e.g. `out/train`.
    static var defaultOutput: String { get }
    /// The help of `--iterations`.
    static var iterationsHelp: String { get }
    /// The default of `--iterations`.
    static var defaultIterations: Int { get }
}

/// The shared options of a command that trains: `--dataset`, `--config` and the configuration
/// flags, `--iterations`, `--output`, `--threads` (used with `@OptionGroup`; `Defaults` is the command).
struct TrainingRunOptions<Defaults: TrainingRunDefaults>: ParsableArguments {
    @Option(help: ArgumentHelp("neon-trees, digits, or a path to VOC XML folder / COCO JSON / CSV.",
                               discussion: "Also digits-4x: the digits canvases at 4× scale (512 px, digits 64–160 px)."))
    var dataset = "neon-trees"

    @OptionGroup var configurationOptions: ConfigurationOptions

    @Option(name: .customLong("iterations"), help: ArgumentHelp("\(Defaults.iterationsHelp) (default: \(Defaults.defaultIterations))",
                                                                     discussion: "A --config file's count replaces the default; the flag wins over it."))
    var iterationsFlag: Int?

    @Option(help: "Output folder.")
    var output = Defaults.defaultOutput

    @Option(help: "OpenBLAS threads.")
    var threads = 2

    @Option(help: ArgumentHelp(
        "Augmentations of each training tile, in order, with parameters: \(Augmentation.validNames); e.g. 'flip, scale-jitter(0.5-2.0), copy-paste(p=0.5)', or 'none'. compare: several lists separated by ';' put augmentation on its own axis.",
        discussion: "docs/augmentation.md lists each augmentation's parameters, box rule and source. The default is the --config file's list, else flip: DESIGN.md's flips with probability 0.5. The flag wins over the file."))
    var augment: String?

    /// The iterations of `--iterations`, or the command's default (the `--config` file's count
    /// takes its place in ``configuration(seed:)``).
    var iterations: Int { iterationsFlag ?? Defaults.defaultIterations }

    /// Rejects fewer than one iteration or thread, an augmentation list that does not parse and
    /// any bad configuration value (ArgumentParser calls it for the group).
    func validate() throws {
        if let iterationsFlag, iterationsFlag < 1 { throw ValidationError("--iterations must be at least 1, got \(iterationsFlag)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        _ = try augmentationLists()
        do { _ = try configuration(seed: nil) } catch { throw ValidationError(error.description) }
    }

    /// The run configuration: the `--config` file's (or DESIGN.md's defaults with the command's
    /// iteration count), then every flag given (`--augment` when it holds one list), then `seed`
    /// when given; validated.
    /// - Parameter seed: the command's `--seed`, or nil to keep the file's (0 without a file).
    /// - Throws: `ConfigurationError` naming the file and key, or the flag, of a bad value.
    func configuration(seed: UInt64?) throws(ConfigurationError) -> TrainingConfiguration {
        var configuration = try configurationOptions.configuration(iterations: iterationsFlag, defaultIterations: Defaults.defaultIterations,
                                                                   seed: seed)
        // validate() has parsed the lists already; one list is the run's, several are compare's axis.
        if let lists = try? augmentationLists(), lists.count == 1 { configuration.augmentations = lists[0].list }
        return configuration
    }

    /// The augmentation lists of `--augment`: one, or several separated by `;`, each with its
    /// label (the list's text as given, trimmed); nil when the flag is not given.
    /// - Throws: `ValidationError` with the parse error (naming the unknown augmentation or
    ///   parameter and listing the valid ones), or naming a list given twice.
    func augmentationLists() throws(ValidationError) -> [(label: String, list: AugmentationList)]? {
        guard let augment else { return nil }
        var lists: [(label: String, list: AugmentationList)] = []
        for part in augment.split(separator: ";", omittingEmptySubsequences: false) {
            let label = part.trimmingCharacters(in: .whitespaces)
            let list: AugmentationList
            do { list = try AugmentationList(parsing: label) } catch { throw ValidationError("--augment: \(error)") }
            guard !lists.contains(where: { $0.list == list }) else {
                throw ValidationError("--augment: the list '\(label)' is given twice; each list runs once per strategy and seed")
            }
            lists.append((label, list))
        }
        return lists
    }

    /// Sets the OpenBLAS thread count to `--threads` (or `threads`) and makes the allocator keep
    /// freed memory (`Kernels.retainFreedMemory`), then loads `--dataset` (NEON's training tiles
    /// cut as `configuration` says).
    /// - Parameters:
    ///   - configuration: the run's configuration (its training tiling is used).
    ///   - threads: the OpenBLAS thread count in place of `--threads` (a data-parallel rank's share).
    /// - Throws: the dataset's errors, naming the file (see `TrainingData.load`).
    func prepare(configuration: TrainingConfiguration, threads: Int? = nil) throws -> TrainingData {
        Kernels.setBLASThreadCount(threads ?? self.threads)
        Kernels.retainFreedMemory()
        let data = try TrainingData.load(dataset, tiling: Tiling(tileSize: configuration.model.trainingTileSize,
                                                                 stride: configuration.model.trainingTileStride))
        if data.testIsTrainingData {
            ProgressLine().note("\(dataset) has no test split: the evaluation runs on the \(data.train.count) training images, so its AP measures the fit, not generalisation")
        }
        return data
    }

    /// The configuration with the data's class names, checked against a recorded list (a
    /// checkpoint's or results.json's given to `--config`).
    /// - Throws: `ConfigurationError` naming `model.classNames` when the file's names differ from the data's.
    func resolved(_ configuration: TrainingConfiguration, with data: TrainingData) throws(ConfigurationError) -> TrainingConfiguration {
        var configuration = configuration
        if !configuration.model.classNames.isEmpty, configuration.model.classNames != data.classNames {
            throw ConfigurationError(file: configurationOptions.config, key: "model.classNames",
                                     reason: "\(configuration.model.classNames) differ from dataset \(dataset)'s classes \(data.classNames)")
        }
        configuration.model.classNames = data.classNames
        return configuration
    }
}
