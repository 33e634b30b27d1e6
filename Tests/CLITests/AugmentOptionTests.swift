import ArgumentParser
import Foundation
import Testing
@testable import QuarryCLI
import Quarry

@Suite("--augment in quarry train and quarry compare")
struct AugmentOptionTests {
    @Test("without --augment the configuration's list (DESIGN.md's flips) is used; a list with parameters parses in both commands and wins")
    func parsing() throws {
        let plain = try TrainCommand.parse([])
        #expect(try plain.options.augmentationLists() == nil)
        #expect(try plain.options.configuration(seed: nil).augmentations == .reference)
        let text = "flip, scale-jitter(0.5-2.0), copy-paste(p=0.5)"
        let train = try TrainCommand.parse(["--augment", text])
        #expect(try #require(try train.options.augmentationLists()).map(\.list) == [try AugmentationList(parsing: text)])
        #expect(try train.options.configuration(seed: nil).augmentations == (try AugmentationList(parsing: text)))
        let compare = try CompareCommand.parse(["--augment", "flip; \(text)"])
        let lists = try #require(try compare.options.augmentationLists())
        #expect(lists.map(\.label) == ["flip", text])
        #expect(lists.map(\.list) == [.reference, try AugmentationList(parsing: text)])
    }

    @Test("errors name the unknown augmentation or parameter and list the valid ones", arguments: [
        (["--augment", "flip, sharpen"],
         "--augment: unknown augmentation 'sharpen'; valid names: flip, scale-jitter, crop, translate, rotate90, color, blur, noise, cutout, copy-paste, mosaic, repeat-factor"),
        (["--augment", "scale-jitter(q=1)"], "--augment: scale-jitter has no parameter 'q'; valid parameters: scale, p"),
        (["--augment", "flip; flip(p=0.5)"], "--augment: the list 'flip(p=0.5)' is given twice; each list runs once per strategy and seed"),
    ])
    func errors(arguments: [String], message: String) {
        for command in [TrainCommand.self, CompareCommand.self] as [any ParsableCommand.Type] {
            #expect(CommandValidationTests.refusal(command, arguments) == message, "\(command)")
        }
    }

    @Test("train takes one list; compare crosses each strategy with each list, named by the list")
    func axis() throws {
        #expect(CommandValidationTests.refusal(TrainCommand.self, ["--augment", "flip; blur"]) == "--augment: train takes one augmentation list; several lists separated by ';' are for compare")
        let lists = try #require(try CompareCommand.parse(["--augment", "flip;flip, mosaic"]).options.augmentationLists())
        let plan = ComparisonPlan(configurations: [(.fasterRCNN, .random), (.fasterRCNN, .ohem)], augmentations: lists,
                                  seeds: [0], iterations: 1, output: URL(fileURLWithPath: "/tmp"))
        #expect(plan.entries.map(\.name) == ["random @ flip", "random @ flip, mosaic", "ohem @ flip", "ohem @ flip, mosaic"])
        #expect(plan.entries.map(\.augmentations) == [lists[0].list, lists[1].list, lists[0].list, lists[1].list])
        #expect(StrategyComparison.detectionsFileName(plan.entries[1]) == "detections-random-flip-mosaic.png")
        let single = ComparisonPlan(configurations: [(.fasterRCNN, .random)], augmentations: [("blur", try AugmentationList(parsing: "blur"))],
                                    seeds: [0], iterations: 1, output: URL(fileURLWithPath: "/tmp"))
        #expect(single.entries.map(\.name) == ["random"] && single.entries[0].augmentations.description == "blur(sigma=0.1-2.0, p=0.5)")
    }
}
