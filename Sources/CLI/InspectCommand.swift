import ArgumentParser
import Foundation
import Quarry

/// `quarry inspect`: what a dataset holds and how well the configured anchors can match its
/// boxes, beside anchors fitted to it; optionally writes the fitted configuration.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a dataset's boxes and check the anchors against them; fit anchors to the data.",
        discussion: """
            Prints the training split's statistics (images, objects per image, empty images, class \
            counts, box widths, heights and aspect ratios h/w as quantiles, COCO's small/medium/large \
            counts by box area) and the anchor coverage: the best-possible recall at IoU 0.5 and 0.7 \
            (the fraction of boxes some anchor of the image's grid overlaps that much) of the \
            configured anchors and of anchors fitted to the boxes by k-means under an IoU distance \
            (YOLOv2's dimension clusters; sizes and ratios fitted apart, docs/configuration.md). \
            When the fitted anchors put more anchors per box at IoU 0.7 than the configured ones, \
            the fitted RPN keeps every anchor of a tile before NMS (pre-NMS top-N, training and \
            inference). --write-config FILE writes the configuration with the fitted anchors and \
            top-N, for train --config.
            """
    )

    @Option(help: "neon-trees, digits, digits-4x, or a path to VOC XML folder / COCO JSON / CSV.")
    var dataset = "neon-trees"

    @OptionGroup var configurationOptions: ConfigurationOptions

    @Option(name: .customLong("sizes"), help: "Anchor sizes to fit (default: as many as configured).")
    var sizeCount: Int?

    @Option(name: .customLong("ratios"), help: "Aspect ratios to fit (default: as many as configured).")
    var ratioCount: Int?

    @Option(name: .customLong("write-config"), help: ArgumentHelp("Write the configuration with the fitted anchors (and pre-NMS top-N) to this JSON file.",
                                                                  valueName: "file"))
    var writeConfig: String?

    func validate() throws {
        for (flag, value) in [("--sizes", sizeCount), ("--ratios", ratioCount)] {
            if let value, value < 1 { throw ValidationError("\(flag) must be at least 1, got \(value)") }
        }
        do { _ = try configurationOptions.configuration(iterations: nil, defaultIterations: TrainingConfiguration.defaultIterations, seed: nil) } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        var configuration = try configurationOptions.configuration(iterations: nil, defaultIterations: TrainingConfiguration.defaultIterations,
                                                                   seed: nil)
        let data = try TrainingData.load(dataset, tiling: Tiling(tileSize: configuration.model.trainingTileSize,
                                                                 stride: configuration.model.trainingTileStride))
        configuration.model.classNames = data.classNames
        let statistics = DatasetStatistics(samples: data.train, classNames: data.classNames)
        print(Self.describe(statistics, dataset: dataset))
        let boxes = data.train.flatMap(\.target.boxes)
        var fitted = configuration.model
        fitted.anchorSizes = AnchorFitting.sizes(of: boxes, count: sizeCount ?? configuration.model.anchorSizes.count)
        fitted.aspectRatios = AnchorFitting.aspectRatios(of: boxes, count: ratioCount ?? configuration.model.aspectRatios.count)
        print("\nanchor coverage (best-possible recall: boxes some anchor of the stride-\(DetectorConfiguration.backboneStride) grid overlaps at IoU ≥ t)")
        let configuredCoverage = AnchorCoverage(samples: data.train, anchors: configuration.model.makeAnchorGenerator())
        print(Self.coverageLine("configured", configuration.model, coverage: configuredCoverage))
        if fitted.anchorSizes.isEmpty {
            print("fitted: no boxes to fit")
            return
        }
        let fittedCoverage = AnchorCoverage(samples: data.train, anchors: fitted.makeAnchorGenerator())
        print(Self.coverageLine("fitted", fitted, coverage: fittedCoverage))
        // More anchors per object fill the RPN's pre-NMS top-N with fewer objects (docs/configuration.md).
        if fittedCoverage.foregroundAnchorsPerBox > configuredCoverage.foregroundAnchorsPerBox {
            fitted.keepEveryAnchorBeforeNMS()
            let model = configuration.model
            if fitted.trainingPreNMSTopN != model.trainingPreNMSTopN || fitted.inferencePreNMSTopN != model.inferencePreNMSTopN {
                print("  fitted RPN pre-NMS top-N: training \(model.trainingPreNMSTopN) → \(fitted.trainingPreNMSTopN), "
                      + "inference \(model.inferencePreNMSTopN) → \(fitted.inferencePreNMSTopN) (every anchor of a tile: the fitted "
                      + "anchors put more anchors per box at IoU ≥ 0.7)")
            }
        }
        if let writeConfig {
            configuration.model = fitted
            let url = URL(fileURLWithPath: writeConfig)
            try AtomicFile.write(configuration.jsonData(), to: url, creatingFolder: true)
            print("\nwrote \(url.path): train with --config \(url.path)")
        }
    }

    /// One line of the coverage table: the anchors, their recall at IoU 0.5 and 0.7 and their
    /// anchors per box at IoU ≥ 0.7.
    static func coverageLine(_ label: String, _ model: DetectorConfiguration, coverage: AnchorCoverage) -> String {
        let anchors = "sizes \(model.anchorSizes.map(\.formatted).joined(separator: ",")), ratios \(model.aspectRatios.map(\.formatted).joined(separator: ","))"
        let name = label + String(repeating: " ", count: max(0, 11 - label.count))
        return "  " + name + anchors + String(format: ": IoU ≥ 0.5 %.1f%%, IoU ≥ 0.7 %.1f%%; %.1f anchors per box at IoU ≥ 0.7",
                                                 100 * coverage.recall(atIoU: 0.5), 100 * coverage.recall(atIoU: 0.7),
                                                 coverage.foregroundAnchorsPerBox)
    }

    /// The statistics as text: counts, then one line of quantiles per box measure.
    static func describe(_ s: DatasetStatistics, dataset: String) -> String {
        func number(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value) }
        func padded(_ text: String, _ width: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + fill : fill + text
        }
        func row(_ name: String, _ cells: [String]) -> String { padded(name, 14, left: true) + cells.map { padded($0, 8) }.joined() }
        func row(_ name: String, _ q: Quantiles) -> String {
            guard !q.values.isEmpty else { return padded(name, 14, left: true) + "(none)" }
            return row(name, q.values.map(number)) + "   mean " + number(q.mean ?? 0)
        }
        var lines = ["dataset \(dataset) (training split): \(s.imageCount) images, \(s.emptyImageCount) without objects, \(s.objectCount) objects"]
        lines.append("classes: " + zip(s.classNames, s.classCounts).map { "\($0) \($1)" }.joined(separator: ", "))
        lines.append(row("quantile", Quantiles.fractions.map { "\(Int(($0 * 100).rounded()))%" }))
        lines.append(row("objects/image", s.objectsPerImage))
        lines.append(row("width px", s.widths))
        lines.append(row("height px", s.heights))
        lines.append(row("ratio h/w", s.aspectRatios))
        lines.append("COCO sizes (box area): small < 32² \(s.smallCount), medium \(s.mediumCount), large ≥ 96² \(s.largeCount)")
        return lines.joined(separator: "\n")
    }
}
