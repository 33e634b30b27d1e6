// Option values that would crash, mislead or waste a run are refused before anything runs, with a
// message naming the option (found by trying the commands as a new user would).
import ArgumentParser
import Quarry
import Testing
@testable import QuarryCLI

@Suite("Option validation of compare and detect")
struct CommandValidationTests {
    /// The message `arguments` are refused with, or nil when they parse and validate.
    static func refusal(_ command: any ParsableCommand.Type, _ arguments: [String]) -> String? {
        do {
            _ = try command.parseAsRoot(arguments)
            return nil
        } catch {
            return command.message(for: error)
        }
    }

    @Test("compare refuses empty, blank-item and repeated strategies and seeds")
    func compareLists() {
        let cases: [([String], String)] = [
            (["--strategies", ""], "--strategies: give one or more comma-separated values without empty items, got ''"),
            (["--strategies", "random,,ohem"], "--strategies: give one or more comma-separated values without empty items, got 'random,,ohem'"),
            (["--seeds", ","], "--seeds: give one or more comma-separated values without empty items, got ','"),
            (["--seeds", "0,1,"], "--seeds: give one or more comma-separated values without empty items, got '0,1,'"),
            (["--strategies", "random, ohem,random"], "--strategies: 'random' is named twice; each strategy runs once per seed"),
            (["--seeds", "0,2,0"], "--seeds: 0 is named twice; the spread over seeds needs distinct seeds"),
            (["--seeds", "0,-1"], "--seeds: '-1' is not a non-negative integer"),
            (["--eval-every=-1"], "--eval-every must be 0 (only at the end) or a positive number of iterations, got -1"),
            (["--jobs", "0"], "--jobs must be at least 1, got 0"),
            (["--jobs", "3"], "--jobs 3 exceeds --threads 2: each run needs at least one OpenBLAS thread"),
            (["--jobs", "2", "--threads", "1"], "--jobs 2 exceeds --threads 1: each run needs at least one OpenBLAS thread"),
        ]
        for (arguments, message) in cases {
            #expect(Self.refusal(CompareCommand.self, arguments) == message, "\(arguments)")
        }
    }

    @Test("compare accepts distinct lists with spaces, in the given order")
    func compareAcceptsDistinct() throws {
        let command = try CompareCommand.parse(["--strategies", "focal, random", "--seeds", "2, 0,1"])
        #expect(try command.parsedStrategies() == [.focal, .random])
        #expect(try command.parsedSeeds() == [2, 0, 1])
    }

    @Test("compare's defaults are the sizes its verdicts are meant for; a later --seeds or --iterations wins")
    func compareDefaults() throws {
        let defaults = try CompareCommand.parse([])
        #expect(try defaults.parsedSeeds() == Array(0...7))
        #expect(defaults.options.iterations == ComparisonPlan.recommendedIterations && defaults.options.iterations == 2000)
        #expect(defaults.evaluationInterval == 200)
        // scripts/main.sh puts the quick start's short settings first and the user's arguments after.
        let quick = try CompareCommand.parse(["--seeds", "0", "--iterations", "600", "--eval-every", "100", "--seeds", "0,1,2", "--eval-every", "0"])
        #expect(try quick.parsedSeeds() == [0, 1, 2] && quick.options.iterations == 600 && quick.evaluationInterval == 0)
        #expect(try TrainCommand.parse([]).options.iterations == 600)
    }

    @Test("detect refuses a class count below 1, a score outside 0...1 or NaN, and a non-PNG output")
    func detectOptions() {
        let base = ["image.png", "--checkpoint", "model.safetensors"]
        let cases: [([String], String)] = [
            (["--classes", "0"], "--classes must be at least 1, got 0"),
            (["--min-score", "nan"], "--min-score must be a score in 0...1, got nan"),
            (["--min-score", "1.5"], "--min-score must be a score in 0...1, got 1.5"),
            (["--output", "out/boxes.jpg"], "--output must name a .png file (the image is written as PNG), got 'out/boxes.jpg'"),
        ]
        for (extra, message) in cases {
            #expect(Self.refusal(DetectCommand.self, base + extra) == message, "\(extra)")
        }
        #expect(Self.refusal(DetectCommand.self, base + ["--classes", "3", "--min-score", "0", "--output", "a/b.PNG"]) == nil)
    }
}
