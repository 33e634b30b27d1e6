// The inference flags of `quarry eval --checkpoint` and `quarry detect`: the RPN's top-N and the
// tiles, replacing the values the checkpoint's configuration records.
import ArgumentParser
import Foundation
import Quarry

/// `--pre-nms-top-n`, `--post-nms-top-n`, `--tile-size`, `--tile-stride` for a trained
/// detector (`InferenceSettings`), used with `@OptionGroup`. Without them the checkpoint's
/// recorded settings apply (DESIGN.md's for a checkpoint without a configuration).
struct InferenceOptions: ParsableArguments {
    @Option(name: .customLong("pre-nms-top-n"),
            help: "The RPN's anchors kept per tile before NMS (faster-rcnn; default: the checkpoint's, 1000 in DESIGN.md).")
    var preNMSTopN: Int?

    @Option(name: .customLong("post-nms-top-n"),
            help: "The RPN's proposals kept per tile after NMS (faster-rcnn; default: the checkpoint's, 300 in DESIGN.md).")
    var postNMSTopN: Int?

    @Option(name: .customLong("tile-size"), help: "Inference tile side in pixels (default: the checkpoint's, 400 in DESIGN.md).")
    var tileSize: Int?

    @Option(name: .customLong("tile-stride"), help: "Stride between inference tile origins in pixels (default: the checkpoint's, 300 in DESIGN.md).")
    var tileStride: Int?

    /// The settings the flags give.
    var settings: InferenceSettings {
        InferenceSettings(preNMSTopN: preNMSTopN, postNMSTopN: postNMSTopN, tileSize: tileSize, tileStride: tileStride)
    }

    /// The flags given, by name (to refuse them where no checkpoint is run).
    var given: [String] {
        Self.flags.compactMap { key, flag in
            switch key {
            case InferenceSettings.keys.preNMSTopN: preNMSTopN == nil ? nil : flag
            case InferenceSettings.keys.postNMSTopN: postNMSTopN == nil ? nil : flag
            case InferenceSettings.keys.tileSize: tileSize == nil ? nil : flag
            default: tileStride == nil ? nil : flag
            }
        }.sorted()
    }

    /// The flag of each `DetectorConfiguration` key the settings replace.
    static let flags = [InferenceSettings.keys.preNMSTopN: "--pre-nms-top-n", InferenceSettings.keys.postNMSTopN: "--post-nms-top-n",
                        InferenceSettings.keys.tileSize: "--tile-size", InferenceSettings.keys.tileStride: "--tile-stride"]

    /// The message for settings the checkpoint's configuration refuses: the flag when one was
    /// given for the key, else the detector's field (recorded in the checkpoint, DESIGN.md's when
    /// it records none) and the flag that changes it; other fields named in the reason are
    /// spelt as their flags when given.
    func message(path: String, error: ConfigurationError) -> String {
        var reason = error.reason
        for (key, flag) in Self.flags where given.contains(flag) && key != error.key {
            reason = reason.replacingOccurrences(of: "\(key) ", with: "\(flag) ")
        }
        let flag = Self.flags[error.key]
        if let flag, given.contains(flag) { return "\(flag): \(reason)" }
        return "\(path): model.\(error.key) (the checkpoint's, or DESIGN.md's when it records none): \(reason)"
            + (flag.map { " (give \($0) to change it)" } ?? "")
    }

    /// Loads a checkpoint with these settings (`TrainedDetector.load`).
    /// - Parameters:
    ///   - checkpoint: a checkpoint written by `quarry train` or kept by `quarry compare`.
    ///   - classCount: K to use instead of the checkpoint's metadata, or nil.
    ///   - model: the detector kind to use instead of the checkpoint's metadata, or nil.
    /// - Throws: `InferenceFlagError` naming the flag for settings the configuration refuses
    ///   (exit 1, as any other bad input); otherwise what `TrainedDetector.load` throws.
    func load(checkpoint: URL, classCount: Int? = nil, model: DetectorKind?) throws -> any Detector {
        do {
            return try TrainedDetector.load(checkpoint: checkpoint, classCount: classCount, model: model, inference: settings)
        } catch let .invalidInferenceSettings(path, error) {
            throw InferenceFlagError(description: message(path: path, error: error))
        }
    }
}

/// Inference flags that the checkpoint's configuration refuses, in words naming the flag.
struct InferenceFlagError: Error, CustomStringConvertible {
    /// E.g. "--post-nms-top-n: 2000 exceeds --pre-nms-top-n 1000: NMS cannot keep more proposals than it is given".
    var description: String
}
