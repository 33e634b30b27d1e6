import ArgumentParser
import Testing
@testable import QuarryCLI

@Suite("The options quarry train and quarry compare share")
struct TrainingRunOptionsTests {
    @Test("defaults: each command keeps its own output folder")
    func defaults() throws {
        let train = try TrainCommand.parse([]).options, compare = try CompareCommand.parse([]).options
        #expect(train.dataset == "neon-trees" && train.iterations == 600 && train.threads == 2)
        #expect(compare.dataset == "neon-trees" && compare.iterations == 2000 && compare.threads == 2)   // sized for verdicts
        #expect(train.output == "out/train")
        #expect(compare.output == "out/compare")
    }

    @Test("the same flags parse in both commands, beside the command's own")
    func flags() throws {
        let arguments = ["--dataset", "digits", "--iterations", "5", "--output", "/tmp/x", "--threads", "1"]
        let train = try TrainCommand.parse(arguments + ["--strategy", "ohem", "--seed", "3"])
        #expect(train.options.dataset == "digits" && train.options.iterations == 5)
        #expect(train.options.output == "/tmp/x" && train.options.threads == 1)
        #expect(train.strategy == "ohem" && train.seed == 3)
        let compare = try CompareCommand.parse(arguments + ["--seeds", "1,2"])
        #expect(compare.options.dataset == "digits" && compare.options.iterations == 5)
        #expect(compare.options.output == "/tmp/x" && compare.options.threads == 1)
        #expect(try compare.parsedSeeds() == [1, 2])
    }

    @Test("fewer than one iteration or thread is rejected by both commands, naming the flag", arguments: [
        (["--iterations", "0"], "--iterations must be at least 1, got 0"),
        (["--iterations=-3"], "--iterations must be at least 1, got -3"),
        (["--threads", "0"], "--threads must be at least 1, got 0"),
    ])
    func validation(arguments: [String], message: String) {
        for command in [TrainCommand.self, CompareCommand.self] as [any ParsableCommand.Type] {
            #expect(CommandValidationTests.refusal(command, arguments) == message, "\(command)")
        }
    }

    @Test("train refuses a negative --checkpoint-every, naming the flag")
    func checkpointInterval() {
        #expect(CommandValidationTests.refusal(TrainCommand.self, ["--checkpoint-every=-1"]) == "--checkpoint-every must be ≥ 0")
    }

    @Test("help keeps each command's wording of --iterations and its default folder")
    func help() {
        let train = TrainCommand.helpMessage(columns: 200), compare = CompareCommand.helpMessage(columns: 200)
        #expect(train.contains("Training iterations. (default: 600)"))
        #expect(train.contains("Output folder. (default: out/train)"))
        #expect(compare.contains("Training iterations per run. (default: 2000)"))
        #expect(compare.contains("Output folder. (default: out/compare)"))
        for text in [train, compare] {
            #expect(text.contains("neon-trees, digits, or a path to VOC XML folder / COCO JSON / CSV. (default: neon-trees)"))
            #expect(text.contains("OpenBLAS threads. (default: 2)"))
        }
    }
}
