import ArgumentParser
import Quarry

/// The `quarry` command: train, detect, evaluate and compare sampling strategies.
/// (The entry point is `QuarryMain`, which runs the BLAS self-check first.)
struct QuarryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarry",
        abstract: "Train object detectors on the CPU and compare anchor/RoI sampling strategies.",
        subcommands: [CompareCommand.self, TrainCommand.self, DetectCommand.self, EvalCommand.self, InspectCommand.self, BenchCommand.self,
                      MPICheckCommand.self]
    )
}
