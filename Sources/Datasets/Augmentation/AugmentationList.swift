// A run's augmentations, in the order applied: `flip, scale-jitter(0.5-2.0), copy-paste(p=0.5)`.
// N objects per sample; S training samples.
import Randomness

/// The augmentations of a training run, applied to each drawn sample in list order, every
/// random choice drawn from the data stream's generator.
///
/// The reference list, ``reference``, is DESIGN.md's: flips with probability 0.5, drawn exactly
/// as before lists existed, so a run with it trains bit for bit as before. A `repeat-factor`
/// item changes the epochs' sample lists instead (`RepeatFactorSampling`); its place in the list
/// does not matter. Written and read as text (`description` / `init(parsing:)`), which is also
/// its `Codable` form: a JSON string such as `"flip(p=0.5), blur(sigma=0.1-2.0, p=0.5)"`.
public struct AugmentationList: Sendable, Hashable, CustomStringConvertible {
    /// The items, in the order applied.
    public var items: [Augmentation]

    /// Creates a list.
    public init(_ items: [Augmentation]) {
        self.items = items
    }

    /// DESIGN.md's augmentation: `flip(p=0.5)`.
    public static let reference = AugmentationList([.flip(RandomFlip(probability: 0.5))])

    /// No augmentation at all (no draws either; unlike `flip(p=0)`, which draws and never flips).
    public static let none = AugmentationList([])

    /// Reads a comma-separated list; commas inside parentheses separate an item's arguments.
    /// `none` (alone) is the empty list. Names and parameters: `Augmentation.init(parsing:)`.
    /// - Throws: `AugmentationParseError` for an empty or malformed item, an unknown
    ///   augmentation or parameter (listing the valid ones), a bad value, or a name given twice.
    public init(parsing text: String) throws(AugmentationParseError) {
        if text.trimmingWhitespace() == "none" {
            self = .none
            return
        }
        var items: [Augmentation] = []
        var depth = 0, current = ""
        var pieces: [String] = []
        for character in text {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            default: break
            }
            if character == "," && depth == 0 {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        for piece in pieces {
            guard !piece.trimmingWhitespace().isEmpty else { throw .emptyItem(list: text) }
            let item = try Augmentation(parsing: piece)
            guard !items.contains(where: { $0.name == item.name }) else { throw .repeatedAugmentation(name: item.name) }
            items.append(item)
        }
        self.items = items
    }

    /// The items spelled out with every parameter, comma-separated (`none` for the empty list);
    /// `init(parsing:)` reads it back to an equal list.
    public var description: String {
        items.isEmpty ? "none" : items.map(\.description).joined(separator: ", ")
    }

    /// The per-sample transforms, in order.
    public var transforms: [any SampleTransform] { items.compactMap(\.transform) }

    /// The repeat-factor rule, if the list has one.
    public var repeatFactorSampling: RepeatFactorSampling? {
        for case .repeatFactor(let rule) in items { return rule }
        return nil
    }

    /// Whether every per-sample transform is a flip (repeat-factor items draw per epoch, not per
    /// sample), so that a draw needs no pixels to be replayed.
    public var isFlipsOnly: Bool {
        items.allSatisfy {
            switch $0 {
            case .flip, .repeatFactor: true
            default: false
            }
        }
    }

    /// The probability of the first `flip` item (0 when there is none). Setting it changes that
    /// item, or puts a flip first when there is none.
    public var flipProbability: Double {
        get {
            for case .flip(let flip) in items { return flip.probability }
            return 0
        }
        set {
            if let index = items.firstIndex(where: { if case .flip = $0 { true } else { false } }) {
                items[index] = .flip(RandomFlip(probability: newValue))
            } else {
                items.insert(.flip(RandomFlip(probability: newValue)), at: 0)
            }
        }
    }

    /// Applies the per-sample transforms to a sample, in order, drawing from `generator`.
    /// - Parameters:
    ///   - sample: the stored sample.
    ///   - sources: the training samples, for copy-paste and mosaic.
    /// - Returns: the augmented sample and its frame.
    public func apply(to sample: DetectionSample, sources: [DetectionSample], using generator: inout SplitMix64) -> AugmentedSample {
        var augmented = AugmentedSample(sample)
        for item in items {
            item.transform?.apply(to: &augmented, sources: sources, using: &generator)
        }
        return augmented
    }

    /// Takes the draws of `apply` for a sample without building pixels when the list holds only
    /// flips (two `unit()` per flip item); otherwise runs `apply` (the other transforms' draws
    /// depend on the sample's size and objects).
    /// - Returns: the frame the sample would have.
    public func skip(_ sample: DetectionSample, sources: [DetectionSample], using generator: inout SplitMix64) -> SampleFrame {
        guard isFlipsOnly else { return apply(to: sample, sources: sources, using: &generator).frame }
        var frame = SampleFrame.source(.none)
        for case .flip(let flip) in items {
            frame = frame.flipped(Flip.random(probability: flip.probability, using: &generator))
        }
        return frame
    }
}

// MARK: - Codable

extension AugmentationList: Codable {
    /// Reads the list from its text form (a JSON string).
    /// - Throws: `DecodingError.dataCorrupted` carrying the parse error's sentence.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try AugmentationList(parsing: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Writes the list's text form (`description`) as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
