import Foundation
import Testing
import Randomness
@testable import Datasets

@Suite("Augmentation lists: parsing, text form, application")
struct AugmentationListTests {
    @Test("the issue's example reads as three items with their parameters")
    func example() throws {
        let list = try AugmentationList(parsing: "flip, scale-jitter(0.5-2.0), copy-paste(p=0.5)")
        #expect(list.items == [.flip(RandomFlip(probability: 0.5)), .scaleJitter(ScaleJitter(scales: 0.5...2.0, probability: 1)),
                               .copyPaste(CopyPaste(objectFraction: 0.5, probability: 0.5))])
        #expect(list.description == "flip(p=0.5), scale-jitter(scale=0.5-2.0, p=1.0), copy-paste(p=0.5, objects=0.5)")
    }

    @Test("every augmentation with every parameter: the text form reads back to an equal list")
    func roundTrip() throws {
        let text = """
            flip(0.3), scale-jitter(scale=0.8-1.25, p=0.5), crop(0.6-0.9, p=0.4), translate(fraction=0.2, p=0.3), \
            rotate90(p=0.25), color(brightness=0.3, contrast=0.1, saturation=0.5, hue=0.05, p=0.8), blur(sigma=0.5-1.5), \
            noise(3-6, p=0.2), cutout(0.1-0.2, count=2, visible=0.6, p=0.7), copy-paste(p=0.9, objects=0.3), mosaic(0.1), \
            repeat-factor(t=0.01, objects=1)
            """
        let list = try AugmentationList(parsing: text)
        #expect(list.items.map(\.name) == Augmentation.names)
        #expect(try AugmentationList(parsing: list.description) == list)
        #expect(list.repeatFactorSampling == RepeatFactorSampling(classThreshold: 0.01, objectThreshold: 1))
        #expect(list.transforms.count == 11)
        let data = try JSONEncoder().encode(list)
        #expect(try JSONDecoder().decode(AugmentationList.self, from: data) == list)
        #expect(String(decoding: try JSONEncoder().encode(AugmentationList.reference), as: UTF8.self) == "\"flip(p=0.5)\"")
    }

    @Test("defaults: `flip` is the reference list; `none` is empty; single numbers are one-point ranges")
    func defaults() throws {
        #expect(try AugmentationList(parsing: "flip") == .reference)
        #expect(try AugmentationList(parsing: " none ") == .none && AugmentationList.none.description == "none")
        #expect(try AugmentationList(parsing: "blur(1)").items == [.blur(GaussianBlur(sigmas: 1...1, probability: 0.5))])
        #expect(try AugmentationList(parsing: "cutout").items == [.cutout(Cutout())])
    }

    @Test("errors name the unknown augmentation or parameter and list the valid ones")
    func errors() {
        #expect(throws: AugmentationParseError.unknownAugmentation(name: "sharpen")) { try AugmentationList(parsing: "flip, sharpen") }
        #expect(AugmentationParseError.unknownAugmentation(name: "sharpen").description
                == "unknown augmentation 'sharpen'; valid names: flip, scale-jitter, crop, translate, rotate90, color, blur, noise, cutout, copy-paste, mosaic, repeat-factor")
        let unknown = AugmentationParseError.unknownParameter(augmentation: "scale-jitter", parameter: "q", valid: ["scale", "p"])
        #expect(throws: unknown) { try AugmentationList(parsing: "scale-jitter(q=2)") }
        #expect(unknown.description == "scale-jitter has no parameter 'q'; valid parameters: scale, p")
        #expect(throws: AugmentationParseError.invalidValue(augmentation: "flip", parameter: "p", value: "1.5", expected: "a number in [0.0, 1.0]")) {
            try AugmentationList(parsing: "flip(p=1.5)")
        }
        #expect(throws: AugmentationParseError.self) { try AugmentationList(parsing: "scale-jitter(2.0-0.5)") }
        #expect(throws: AugmentationParseError.self) { try AugmentationList(parsing: "scale-jitter(0-2)") }
        #expect(throws: AugmentationParseError.self) { try AugmentationList(parsing: "cutout(count=0)") }
        #expect(throws: AugmentationParseError.ambiguousParameter(augmentation: "color", parameter: "0.2")) {
            try AugmentationList(parsing: "color(0.2)")
        }
        #expect(throws: AugmentationParseError.ambiguousParameter(augmentation: "flip", parameter: "p")) {
            try AugmentationList(parsing: "flip(0.5, p=0.2)")
        }
        #expect(throws: AugmentationParseError.repeatedAugmentation(name: "flip")) { try AugmentationList(parsing: "flip, blur, flip(0.1)") }
        #expect(throws: AugmentationParseError.emptyItem(list: "flip,,blur")) { try AugmentationList(parsing: "flip,,blur") }
        #expect(throws: AugmentationParseError.emptyItem(list: "")) { try AugmentationList(parsing: "") }
        #expect(throws: AugmentationParseError.malformedItem(item: "blur(1")) { try AugmentationList(parsing: "blur(1") }
        #expect(throws: AugmentationParseError.malformedItem(item: "blur(1)x")) { try AugmentationList(parsing: "blur(1)x") }
    }

    @Test("flipProbability reads and sets the first flip item, adding one first when there is none")
    func flipProbability() throws {
        var list = try AugmentationList(parsing: "blur, flip(0.2)")
        #expect(list.flipProbability == 0.2)
        list.flipProbability = 0
        #expect(list.description.hasSuffix("flip(p=0.0)"))
        var none = AugmentationList.none
        none.flipProbability = 0.5
        #expect(none == .reference)
        #expect(list.isFlipsOnly == false && AugmentationList.reference.isFlipsOnly)
    }

    @Test("skip takes exactly the draws of apply and returns the same frame")
    func skip() throws {
        let sample = AugmentationFixtures.sample(width: 8, height: 6, boxes: [AugmentationFixtures.box(1, 1, 4, 4)])
        #expect(try AugmentationList(parsing: "flip, repeat-factor").isFlipsOnly)
        for text in ["flip", "flip(0.3)", "repeat-factor(objects=1), flip", "rotate90(1), flip", "scale-jitter(0.5-1.5), blur(p=1), flip"] {
            let list = try AugmentationList(parsing: text)
            for seed: UInt64 in 0..<6 {
                var a = SplitMix64(seed: seed), b = SplitMix64(seed: seed)
                let applied = list.apply(to: sample, sources: [sample], using: &a)
                let frame = list.skip(sample, sources: [sample], using: &b)
                #expect(a == b && frame == applied.frame, "\(text), seed \(seed)")
            }
        }
    }
}
