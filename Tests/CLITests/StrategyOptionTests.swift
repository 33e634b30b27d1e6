import ArgumentParser
import Quarry
import Testing
@testable import QuarryCLI

@Suite("Strategy names on the command line")
struct StrategyOptionTests {
    @Test("train --strategy and compare --strategies accept hard-negative-buffer-separate")
    func separatePassName() throws {
        #expect(try TrainCommand.parse(["--strategy", "hard-negative-buffer-separate"]).strategyKind() == .hardNegativeBufferSeparate)
        let compare = try CompareCommand.parse(["--strategies", "hard-negative-buffer, hard-negative-buffer-separate"])
        #expect(try compare.parsedConfigurations().map(\.strategy) == [.hardNegativeBuffer, .hardNegativeBufferSeparate])
    }

    @Test("an unknown strategy is rejected by both commands, naming the flag and listing the valid names")
    func unknownName() {
        let valid = "random, ohem, ssd, focal, hard-negative-buffer, hard-negative-buffer-separate, iou-balanced, hard-negative-bootstrap"
        let cases: [(any ParsableCommand.Type, [String], String)] = [
            (TrainCommand.self, ["--strategy", "hard-negative-buffer-separated"],
             "--strategy: unknown strategy 'hard-negative-buffer-separated'; valid names: \(valid)"),
            (CompareCommand.self, ["--strategies", "random,hard-negative-buffer:separate"],
             "--strategies: unknown strategy 'hard-negative-buffer:separate'; valid names: \(valid)"),
        ]
        for (command, arguments, message) in cases {
            #expect(CommandValidationTests.refusal(command, arguments) == message, "\(command)")
        }
    }
}
