// The options `quarry train` and `quarry compare` share: which data, how many iterations, where
// the files go, how many OpenBLAS threads. One declaration, so the flags, help and checks
// cannot drift apart between the two commands.
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

/// The shared options of a command that trains: `--dataset`, `--iterations`, `--output`,
/// `--threads` (used with `@OptionGroup`; `Defaults` is the command).
struct TrainingRunOptions<Defaults: TrainingRunDefaults>: ParsableArguments {
    @Option(help: "neon-trees, digits, or a path to VOC XML folder / COCO JSON / CSV.")
    var dataset = "neon-trees"

    @Option(help: ArgumentHelp(Defaults.iterationsHelp))
    var iterations = Defaults.defaultIterations

    @Option(help: "Output folder.")
    var output = Defaults.defaultOutput

    @Option(help: "OpenBLAS threads.")
    var threads = 2

    @Option(help: ArgumentHelp(
        "Augmentations of each training tile, in order, with parameters: \(Augmentation.validNames); e.g. 'flip, scale-jitter(0.5-2.0), copy-paste(p=0.5)', or 'none'. compare: several lists separated by ';' put augmentation on its own axis.",
        discussion: "docs/augmentation.md lists each augmentation's parameters, box rule and source. The default, flip, is DESIGN.md's flips with probability 0.5."))
    var augment = "flip"

    /// Rejects fewer than one iteration or thread, and an augmentation list that does not parse
    /// (ArgumentParser calls it for the group).
    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1, got \(iterations)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        _ = try augmentationLists()
    }

    /// The augmentation lists of `--augment`: one, or several separated by `;`, each with its
    /// label (the list's text as given, trimmed).
    /// - Throws: `ValidationError` with the parse error (naming the unknown augmentation or
    ///   parameter and listing the valid ones), or naming a list given twice.
    func augmentationLists() throws(ValidationError) -> [(label: String, list: AugmentationList)] {
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

    /// Sets the OpenBLAS thread count to `--threads` and makes the allocator keep freed memory
    /// (`Kernels.retainFreedMemory`), then loads `--dataset`.
    /// - Throws: the dataset's errors, naming the file (see `TrainingData.load`).
    func prepare() throws -> TrainingData {
        Kernels.setBLASThreadCount(threads)
        Kernels.retainFreedMemory()
        let data = try TrainingData.load(dataset)
        if data.testIsTrainingData {
            ProgressLine().note("\(dataset) has no test split: the evaluation runs on the \(data.train.count) training images, so its AP measures the fit, not generalisation")
        }
        return data
    }
}
