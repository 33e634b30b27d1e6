// The options `quarry train` and `quarry compare` share: which data, how many iterations, where
// the files go, how many OpenBLAS threads. One declaration, so the flags, help and checks
// cannot drift apart between the two commands.
import ArgumentParser
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

    /// Rejects fewer than one iteration or thread (ArgumentParser calls it for the group).
    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1, got \(iterations)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
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
