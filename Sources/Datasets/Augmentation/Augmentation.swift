// One item of an augmentation list: which transform, with which parameters, and its spelling
// on the command line (`scale-jitter(scale=0.5-2.0, p=1.0)`).
import Randomness

/// One augmentation with its parameters: a per-sample transform, or repeat-factor sampling
/// (which changes how often samples are drawn, not the samples).
///
/// docs/augmentation.md describes each: its draws, box rule, parameters and source.
public enum Augmentation: Sendable, Hashable, CustomStringConvertible {
    /// Horizontal and vertical flips (`flip`, parameter `p`).
    case flip(RandomFlip)
    /// Resize by a random factor, then crop or pad back (`scale-jitter`: `scale`, `p`).
    case scaleJitter(ScaleJitter)
    /// A random window resized back (`crop`: `scale`, `p`).
    case crop(RandomCrop)
    /// A whole-pixel shift (`translate`: `fraction`, `p`).
    case translation(Translation)
    /// Quarter turns (`rotate90`: `p`).
    case quarterTurn(QuarterTurn)
    /// Brightness, contrast, saturation and hue (`color`: `brightness`, `contrast`,
    /// `saturation`, `hue`, `p`).
    case color(ColorJitter)
    /// Gaussian blur (`blur`: `sigma`, `p`).
    case blur(GaussianBlur)
    /// Additive Gaussian noise (`noise`: `sigma`, `p`).
    case noise(GaussianNoise)
    /// Erased rectangles (`cutout`: `size`, `count`, `visible`, `p`).
    case cutout(Cutout)
    /// Objects pasted from another training sample (`copy-paste`: `p`, `objects`).
    case copyPaste(CopyPaste)
    /// Four samples in one tile (`mosaic`: `p`).
    case mosaic(Mosaic)
    /// Repeat-factor sampling of samples (`repeat-factor`: `t`, `objects`).
    case repeatFactor(RepeatFactorSampling)

    /// Every augmentation's name, in the order of the list in the docs.
    public static let names = [RandomFlip.name, ScaleJitter.name, RandomCrop.name, Translation.name, QuarterTurn.name,
                               ColorJitter.name, GaussianBlur.name, GaussianNoise.name, Cutout.name, CopyPaste.name,
                               Mosaic.name, RepeatFactorSampling.name]

    /// The names, comma-separated, for help texts and errors.
    public static var validNames: String { names.joined(separator: ", ") }

    /// The item's name (`scale-jitter`).
    public var name: String {
        switch self {
        case .flip: RandomFlip.name
        case .scaleJitter: ScaleJitter.name
        case .crop: RandomCrop.name
        case .translation: Translation.name
        case .quarterTurn: QuarterTurn.name
        case .color: ColorJitter.name
        case .blur: GaussianBlur.name
        case .noise: GaussianNoise.name
        case .cutout: Cutout.name
        case .copyPaste: CopyPaste.name
        case .mosaic: Mosaic.name
        case .repeatFactor: RepeatFactorSampling.name
        }
    }

    /// The per-sample transform, or nil for repeat-factor sampling.
    public var transform: (any SampleTransform)? {
        switch self {
        case .flip(let t): t
        case .scaleJitter(let t): t
        case .crop(let t): t
        case .translation(let t): t
        case .quarterTurn(let t): t
        case .color(let t): t
        case .blur(let t): t
        case .noise(let t): t
        case .cutout(let t): t
        case .copyPaste(let t): t
        case .mosaic(let t): t
        case .repeatFactor: nil
        }
    }

    /// The item with every parameter spelled out, as `init(parsing:)` reads it back:
    /// `scale-jitter(scale=0.5-2.0, p=1.0)`.
    public var description: String {
        func range(_ r: ClosedRange<Double>) -> String { "\(r.lowerBound)-\(r.upperBound)" }
        let arguments: String = switch self {
        case .flip(let t): "p=\(t.probability)"
        case .scaleJitter(let t): "scale=\(range(t.scales)), p=\(t.probability)"
        case .crop(let t): "scale=\(range(t.scales)), p=\(t.probability)"
        case .translation(let t): "fraction=\(t.fraction), p=\(t.probability)"
        case .quarterTurn(let t): "p=\(t.probability)"
        case .color(let t):
            "brightness=\(t.brightness), contrast=\(t.contrast), saturation=\(t.saturation), hue=\(t.hue), p=\(t.probability)"
        case .blur(let t): "sigma=\(range(t.sigmas)), p=\(t.probability)"
        case .noise(let t): "sigma=\(range(t.sigmas)), p=\(t.probability)"
        case .cutout(let t): "size=\(range(t.sizes)), count=\(t.count), visible=\(Double(t.minimumVisibleFraction)), p=\(t.probability)"
        case .copyPaste(let t): "p=\(t.probability), objects=\(t.objectFraction)"
        case .mosaic(let t): "p=\(t.probability)"
        case .repeatFactor(let t): "t=\(t.classThreshold), objects=\(t.objectThreshold)"
        }
        return "\(name)(\(arguments))"
    }

    /// Reads one item: a name, optionally followed by arguments in parentheses, each `key=value`
    /// or, for the first, a bare value of the augmentation's main parameter
    /// (`scale-jitter(0.5-2.0)`, `copy-paste(p=0.5)`, `cutout(0.1-0.2, count=2)`). Ranges are
    /// written `low-high`; a single number x means x–x.
    /// - Throws: `AugmentationParseError` naming an unknown augmentation (listing the valid
    ///   names), an unknown parameter (listing the augmentation's), or a bad value (saying what
    ///   is expected).
    public init(parsing item: String) throws(AugmentationParseError) {
        let text = item.trimmingWhitespace()
        let name: String, inside: String
        if let open = text.firstIndex(of: "(") {
            guard text.last == ")", text.filter({ $0 == "(" }).count == 1, text.filter({ $0 == ")" }).count == 1 else {
                throw .malformedItem(item: text)
            }
            name = String(text[..<open]).trimmingWhitespace()
            inside = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        } else {
            guard !text.contains(")") else { throw .malformedItem(item: text) }
            name = text
            inside = ""
        }
        func arguments(_ parameters: [String], primary: String?) throws(AugmentationParseError) -> AugmentationArguments {
            try AugmentationArguments(inside, augmentation: name, parameters: parameters, primary: primary)
        }
        let unit: ClosedRange<Double> = 0...1
        switch name {
        case RandomFlip.name:
            var a = try arguments(["p"], primary: "p")
            self = .flip(RandomFlip(probability: try a.number("p", default: 0.5, in: unit)))
            try a.finish()
        case ScaleJitter.name:
            var a = try arguments(["scale", "p"], primary: "scale")
            self = .scaleJitter(ScaleJitter(scales: try a.range("scale", default: 0.5...2.0, in: 0...16, positive: true),
                                            probability: try a.number("p", default: 1, in: unit)))
            try a.finish()
        case RandomCrop.name:
            var a = try arguments(["scale", "p"], primary: "scale")
            self = .crop(RandomCrop(scales: try a.range("scale", default: 0.5...1.0, in: unit, positive: true),
                                    probability: try a.number("p", default: 0.5, in: unit)))
            try a.finish()
        case Translation.name:
            var a = try arguments(["fraction", "p"], primary: "fraction")
            self = .translation(Translation(fraction: try a.number("fraction", default: 0.1, in: unit),
                                            probability: try a.number("p", default: 0.5, in: unit)))
            try a.finish()
        case QuarterTurn.name:
            var a = try arguments(["p"], primary: "p")
            self = .quarterTurn(QuarterTurn(probability: try a.number("p", default: 0.5, in: unit)))
            try a.finish()
        case ColorJitter.name:
            var a = try arguments(["brightness", "contrast", "saturation", "hue", "p"], primary: nil)
            self = .color(ColorJitter(brightness: try a.number("brightness", default: 0.2, in: unit),
                                      contrast: try a.number("contrast", default: 0.2, in: unit),
                                      saturation: try a.number("saturation", default: 0.2, in: unit),
                                      hue: try a.number("hue", default: 0.02, in: 0...0.5),
                                      probability: try a.number("p", default: 0.5, in: unit)))
            try a.finish()
        case GaussianBlur.name:
            var a = try arguments(["sigma", "p"], primary: "sigma")
            self = .blur(GaussianBlur(sigmas: try a.range("sigma", default: 0.1...2.0, in: 0...20, positive: true),
                                      probability: try a.number("p", default: 0.5, in: unit)))
            try a.finish()
        case GaussianNoise.name:
            var a = try arguments(["sigma", "p"], primary: "sigma")
            self = .noise(GaussianNoise(sigmas: try a.range("sigma", default: 2...8, in: 0...255),
                                        probability: try a.number("p", default: 0.5, in: unit)))
            try a.finish()
        case Cutout.name:
            var a = try arguments(["size", "count", "visible", "p"], primary: "size")
            self = .cutout(Cutout(count: try a.integer("count", default: 1, in: 1...64),
                                  sizes: try a.range("size", default: 0.1...0.3, in: unit, positive: true),
                                  minimumVisibleFraction: Float(try a.number("visible", default: 0.5, in: unit)),
                                  probability: try a.number("p", default: 0.5, in: unit)))
            try a.finish()
        case CopyPaste.name:
            var a = try arguments(["p", "objects"], primary: "p")
            self = .copyPaste(CopyPaste(objectFraction: try a.number("objects", default: 0.5, in: unit),
                                        probability: try a.number("p", default: 0.5, in: unit)))
            try a.finish()
        case Mosaic.name:
            var a = try arguments(["p"], primary: "p")
            self = .mosaic(Mosaic(probability: try a.number("p", default: 0.5, in: unit)))
            try a.finish()
        case RepeatFactorSampling.name:
            var a = try arguments(["t", "objects"], primary: "t")
            self = .repeatFactor(RepeatFactorSampling(classThreshold: try a.number("t", default: 0.001, in: unit),
                                                      objectThreshold: try a.number("objects", default: 0, in: 0...1000)))
            try a.finish()
        default:
            throw .unknownAugmentation(name: name)
        }
    }
}
