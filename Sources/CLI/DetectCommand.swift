import ArgumentParser
import Foundation
import Quarry

/// `quarry detect`: runs a trained detector on one image (tiled when larger than its inference
/// tile, 400×400 unless the checkpoint or `--tile-size` says otherwise) and writes the image
/// with boxes drawn plus a COCO-style JSON of the detections; prints the inference settings used.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Detect objects in an image with a trained checkpoint; draw them and write COCO JSON.",
        discussion: """
            The detector is rebuilt from the checkpoint's recorded configuration (anchors, backbone \
            width, RoI size, inference tiles; docs/configuration.md) and class count; a checkpoint \
            whose parameters do not fit stops the command with a message naming the file and the \
            parameter. --pre-nms-top-n, --post-nms-top-n, --tile-size and --tile-stride replace the \
            recorded inference settings.
            """
    )

    @Argument(help: "A PNG or JPEG image.")
    var image: String

    @Option(help: "A checkpoint written by quarry train, or a model quarry compare keeps in runs/.")
    var checkpoint: String

    @Option(help: "The annotated image to write (PNG); the JSON goes beside it.")
    var output = "detections.png"

    @Option(name: .customLong("classes"),
            help: "Foreground class count; default: the checkpoint's quarry.class_count (give it for weights written elsewhere, e.g. PyTorch).")
    var classCount: Int?

    @Option(help: "The detector (\(DetectorKind.validNames)); default: the checkpoint's quarry.model (faster-rcnn when it has none, as checkpoints written before TinyRetinaNet).")
    var model: String?

    @Option(name: .customLong("min-score"), help: "Draw detections at or above this score.")
    var minimumScore: Double = 0.5

    @OptionGroup(title: "Inference (default: the checkpoint's)")
    var inference: InferenceOptions

    /// The detector named by `--model`, or nil to take the checkpoint's.
    /// - Throws: `ValidationError` naming the unknown model and listing the valid ones.
    func detectorKind() throws(ValidationError) -> DetectorKind? {
        guard let model else { return nil }
        do { return try DetectorKind(parsing: model) } catch { throw ValidationError("--model: \(error)") }
    }

    func validate() throws {
        _ = try detectorKind()
        if let classCount, classCount < 1 {
            throw ValidationError("--classes must be at least 1, got \(classCount)")
        }
        guard minimumScore.isFinite, (0...1).contains(minimumScore) else {
            throw ValidationError("--min-score must be a score in 0...1, got \(minimumScore)")
        }
        guard URL(fileURLWithPath: output).pathExtension.lowercased() == "png" else {
            throw ValidationError("--output must name a .png file (the image is written as PNG), got '\(output)'")
        }
    }

    func run() throws {
        // The output folder first, so that a bad path fails before the detector runs.
        let url = URL(fileURLWithPath: output)
        let folder = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw ValidationError("--output: cannot create the folder \(folder.path): \(error.localizedDescription)")
        }
        let picture = try RGBImage(contentsOf: URL(fileURLWithPath: image))
        let model = try inference.load(checkpoint: URL(fileURLWithPath: checkpoint), classCount: classCount, model: try detectorKind())
        let found = model.detectTiled(image: RGBImage.pixelTensor([picture]).reshaped(to: [3, picture.height, picture.width]))
        var drawn = picture
        var results: [COCODetection] = []
        let b = found.boxes.scalars
        for i in 0..<found.count {
            let box = BoundingBox(x1: b[4 * i], y1: b[4 * i + 1], x2: b[4 * i + 2], y2: b[4 * i + 3])
            results.append(COCODetection(imageID: 1, categoryID: found.labels[i],
                                         box: COCOBox(x1: Double(box.x1), y1: Double(box.y1), x2: Double(box.x2), y2: Double(box.y2)),
                                         score: Double(found.scores[i])))
            if Double(found.scores[i]) >= minimumScore { drawn.drawRectangle(box, color: .green, thickness: 2) }
        }
        try drawn.writePNG(to: url)
        let json = url.deletingPathExtension().appendingPathExtension("json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]   // the same bytes for the same detections
        try AtomicFile.write(try encoder.encode(results), to: json)
        let noun = found.count == 1 ? "detection" : "detections"
        print(EvaluationOutput.InferenceLine(model.configuration, makesProposals: model.kind.makesProposals).summary)
        print("\(found.count) \(noun) (\(results.filter { $0.score >= minimumScore }.count) at score ≥ \(minimumScore), drawn); wrote \(url.path) and \(json.path)")
    }
}
