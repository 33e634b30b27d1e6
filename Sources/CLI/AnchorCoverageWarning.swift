// `train` and `compare` warn before training when the configured anchors cannot match most of
// the training boxes: the RPN then learns from the matcher's low-quality matches alone.
import Quarry

/// The warning of a run whose anchors cover under 90% of the training boxes at IoU 0.5.
enum AnchorCoverageWarning {
    /// The coverage (best-possible recall at IoU 0.5) below which the warning is printed.
    static let threshold = 0.9

    /// The warning for `model`'s anchors on `samples`, or nil when they cover at least 90% of
    /// the boxes at IoU 0.5.
    /// - Parameters:
    ///   - model: the run's detector settings (anchor sizes and ratios).
    ///   - samples: the training samples.
    ///   - dataset: the dataset's name as given, for the suggested command.
    static func message(for model: DetectorConfiguration, samples: [DetectionSample], dataset: String) -> String? {
        let recall = AnchorCoverage(samples: samples, anchors: model.makeAnchorGenerator()).recall(atIoU: 0.5)
        guard recall < threshold else { return nil }
        return String(format: "warning: the anchors (sizes %@, ratios %@) reach IoU 0.5 with only %.1f%% of the training boxes; `quarry inspect --dataset %@ --write-config FILE` fits anchors to the data",
                      model.anchorSizes.map { "\($0.formatted)" }.joined(separator: ","),
                      model.aspectRatios.map { "\($0.formatted)" }.joined(separator: ","), 100 * recall, dataset)
    }
}

extension Float {
    /// The number without a trailing `.0` (`16`, `0.5`), as a user writes it in a flag.
    var formatted: String { self == rounded() && abs(self) < 1e9 ? String(Int(self)) : "\(self)" }
}
