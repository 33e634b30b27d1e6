import ArgumentParser
import Foundation
import Quarry

/// `quarry eval`: COCO bounding-box metrics (pycocotools semantics) and VOC AP50, of a COCO
/// result file or of a trained checkpoint run on a dataset's test split.
///
/// Prints the 12 numbers with pycocotools' labels, COCO AP at maxDets 300, then the VOC AP at
/// IoU 0.5; with `--json` also writes `{"stats": [12 numbers], "ap50_voc": x, "max_dets": [1,
/// 10, N], "coco_ap_maxdets300": y}` atomically. With `--proposal-recall` (a two-stage
/// checkpoint) it adds one line per proposals-per-tile limit and `"proposal_recall": [...]`
/// (`EvaluationOutput.ProposalRecallLine`). For a checkpoint it ends with the inference settings
/// used and writes them as `"inference"` (`EvaluationOutput.InferenceLine`). Bad input (a file,
/// a checkpoint that does not fit, `--proposal-recall` on a single-stage checkpoint, inference
/// flags it refuses) ends the command with a message naming the
/// file and the JSON location, metadata key or parameter, exit 1.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate detections or a trained checkpoint: COCO bbox AP/AR (pycocotools semantics) and VOC AP50.",
        discussion: """
            Give one of two sources.

            --ground-truth FILE --detections FILE: ground truth is a COCO instances file (images, \
            annotations with bbox [x, y, w, h], area and iscrowd, categories); detections are a \
            COCO result list of {image_id, category_id, bbox, score}.

            --checkpoint FILE --dataset neon-trees|digits|PATH: a checkpoint written by quarry \
            train (or a model quarry compare keeps in runs/) is run (tiled, as in training's final evaluation) on the dataset's test split; \
            the detector (faster-rcnn or retinanet, --model to name it for weights without Quarry \
            metadata) and the class count come from the checkpoint's metadata, and the class count \
            must match the dataset's. Its recorded inference settings apply unless --pre-nms-top-n, \
            --post-nms-top-n, --tile-size or --tile-stride replace them; the settings used are printed \
            and written.

            Use --max-dets 300 when images hold more than 100 objects: the caps become 1, 10 and \
            300. COCO AP at maxDets 300 is printed (and written) whatever the caps.
            """
    )

    @Option(name: .customLong("ground-truth"), help: ArgumentHelp("COCO ground-truth JSON file.", valueName: "file"))
    var groundTruthPath: String?

    @Option(name: .customLong("detections"), help: ArgumentHelp("COCO detection-result JSON file.", valueName: "file"))
    var detectionsPath: String?

    @Option(name: .customLong("checkpoint"), help: ArgumentHelp("A checkpoint written by quarry train, or a model quarry compare keeps in runs/.", valueName: "file"))
    var checkpointPath: String?

    @Option(help: ArgumentHelp("With --checkpoint: neon-trees, digits, or a path to VOC XML folder / COCO JSON / CSV.",
                               valueName: "name"))
    var dataset: String?

    @Option(help: ArgumentHelp("With --checkpoint: the detector (\(DetectorKind.validNames)); default: the checkpoint's quarry.model.",
                               valueName: "name"))
    var model: String?

    @Option(name: .customLong("json"), help: ArgumentHelp("Write the numbers as JSON to this file.", valueName: "file"))
    var jsonOutput: String?

    @Option(name: .customLong("max-dets"), help: "The largest detection cap per image and category (caps 1, 10, N).")
    var maxDetections: Int = 100

    @Option(help: "OpenBLAS threads (with --checkpoint).")
    var threads = 2

    @OptionGroup(title: "Inference (with --checkpoint; default: the checkpoint's)")
    var inference: InferenceOptions

    @Flag(name: .customLong("proposal-recall"),
          help: "With --checkpoint of a two-stage detector: also the recall of its RPN proposals (the first 100 and all per tile; only all when --post-nms-top-n is at most 100).")
    var proposalRecall = false

    /// The proposals per tile at which `--proposal-recall` reports: 100 and every proposal the
    /// RPN gives a tile (its inference post-NMS count, 300 by default).
    static func proposalLimits(_ model: DetectorConfiguration) -> [Int] {
        model.inferencePostNMSTopN > 100 ? [100, model.inferencePostNMSTopN] : [model.inferencePostNMSTopN]
    }

    /// Where the detections to score come from.
    enum Source: Equatable {
        /// A COCO result file, scored against a COCO ground-truth file.
        case resultFile(groundTruth: String, detections: String)
        /// A trained checkpoint, run on a dataset's test split.
        case checkpoint(String, dataset: String)
    }

    /// The detector named by `--model`, or nil to take the checkpoint's.
    /// - Throws: `ValidationError` naming the unknown model, or `--model` without `--checkpoint`.
    func detectorKind() throws(ValidationError) -> DetectorKind? {
        guard let model else { return nil }
        guard checkpointPath != nil else {
            throw ValidationError("--model names the detector of --checkpoint; give --checkpoint FILE --dataset NAME with it")
        }
        do { return try DetectorKind(parsing: model) } catch { throw ValidationError("--model: \(error)") }
    }

    func validate() throws {
        _ = try source()
        _ = try detectorKind()
        guard maxDetections >= 10 else {
            throw ValidationError("--max-dets must be at least 10 (the caps are 1, 10 and N), got \(maxDetections).")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if checkpointPath == nil, let flag = inference.given.first {
            throw ValidationError("\(flag) sets how a trained detector runs; give --checkpoint FILE --dataset NAME with it")
        }
        if proposalRecall, checkpointPath == nil {
            throw ValidationError("--proposal-recall measures a trained detector's proposals; give --checkpoint FILE --dataset NAME with it")
        }
    }

    /// The source the options name.
    /// - Throws: `ValidationError` when the options mix the two sources, give neither, or give
    ///   one half of a pair, saying which options to give.
    func source() throws(ValidationError) -> Source {
        let files = [("--ground-truth", groundTruthPath), ("--detections", detectionsPath)]
        let model = [("--checkpoint", checkpointPath), ("--dataset", dataset)]
        let given = (files + model).filter { $0.1 != nil }.map(\.0)
        let usage = "Give --ground-truth FILE --detections FILE to score a COCO result file, or "
            + "--checkpoint FILE --dataset neon-trees|digits|PATH to run a model trained by quarry train on the dataset's test split."
        if files.contains(where: { $0.1 != nil }) && model.contains(where: { $0.1 != nil }) {
            throw ValidationError("\(given.joined(separator: ", ")) mix the two sources of detections. \(usage)")
        }
        switch (groundTruthPath, detectionsPath, checkpointPath, dataset) {
        case let (groundTruth?, detections?, nil, nil): return .resultFile(groundTruth: groundTruth, detections: detections)
        case let (nil, nil, checkpoint?, dataset?): return .checkpoint(checkpoint, dataset: dataset)
        case (nil, nil, nil, nil): throw ValidationError("Nothing to evaluate. \(usage)")
        default:
            let missing = (files.contains { $0.1 != nil } ? files : model).filter { $0.1 == nil }.map(\.0)
            throw ValidationError("\(given.joined(separator: ", ")) needs \(missing.joined(separator: ", ")). \(usage)")
        }
    }

    /// The COCO caps: 1, 10 and `--max-dets`.
    var caps: [Int] { [1, 10, maxDetections] }

    func run() throws {
        let result = try evaluate()
        print(result.text)
        if let jsonOutput {
            try result.write(to: URL(fileURLWithPath: jsonOutput))
        }
    }

    /// Loads the source's ground truth and detections and scores them.
    /// - Throws: `COCOFileError` for a bad file; `TrainingError` for a checkpoint that cannot be
    ///   read or does not fit (naming the file and the key or parameter); `LocatorError` or
    ///   `AnnotationError` for a dataset that cannot be loaded.
    func evaluate() throws -> EvaluationOutput {
        let inputs = try loadInputs()
        var output = EvaluationOutput(groundTruth: inputs.groundTruth, detections: inputs.detections, maxDetections: caps)
        output.proposalRecall = inputs.proposalRecall
        output.inference = inputs.inference
        return output
    }

    /// The ground truth and the detections to evaluate, from the source the options name, and
    /// with `--proposal-recall` the proposals' recall at each of `proposalLimits`; for a
    /// checkpoint, the inference settings it ran with.
    /// - Throws: as `evaluate()`; `TrainingError.incompatibleCheckpoint` naming `quarry.model`
    ///   when `--proposal-recall` names a checkpoint of a single-stage detector.
    func loadInputs() throws -> (groundTruth: COCOGroundTruth, detections: [COCODetection],
                                 proposalRecall: [EvaluationOutput.ProposalRecallLine], inference: EvaluationOutput.InferenceLine?) {
        switch try source() {
        case let .resultFile(groundTruthPath, detectionsPath):
            let groundTruth = try COCOGroundTruth.load(contentsOf: URL(fileURLWithPath: groundTruthPath))
            return (groundTruth, try groundTruth.loadDetections(contentsOf: URL(fileURLWithPath: detectionsPath)), [], nil)
        case let .checkpoint(path, dataset):
            Kernels.setBLASThreadCount(threads)
            // The checkpoint first: a bad file fails before a dataset is loaded.
            let model = try inference.load(checkpoint: URL(fileURLWithPath: path), model: try detectorKind())
            let twoStage = model as? any ProposalDetector
            if proposalRecall, twoStage == nil {
                throw TrainingError.incompatibleCheckpoint(
                    path: path, field: "quarry.model", expected: "a two-stage detector (faster-rcnn): --proposal-recall measures its proposals",
                    found: "\(model.kind.rawValue), which makes no proposals")
            }
            let data = try TrainingData.load(dataset)
            guard model.classCount == data.classCount else {
                throw TrainingError.incompatibleCheckpoint(
                    path: path, field: "quarry.class_count",
                    expected: "\(data.classCount), the class count of dataset \(dataset)", found: String(model.classCount))
            }
            // A checkpoint that records its classes must have been trained on these ones.
            let names = model.configuration.classNames
            guard names.isEmpty || names == data.classNames else {
                throw TrainingError.incompatibleCheckpoint(
                    path: path, field: "\(TrainingConfiguration.checkpointMetadataKey) model.classNames",
                    expected: "\(data.classNames.joined(separator: ",")), the classes of dataset \(dataset)",
                    found: names.joined(separator: ","))
            }
            var recalls: [EvaluationOutput.ProposalRecallLine] = []
            if proposalRecall, let twoStage {
                let limits = Self.proposalLimits(model.configuration)
                recalls = zip(limits, twoStage.proposalRecalls(on: data.test, limits: limits)).map { .init(perTile: $0, recall: $1) }
            }
            let found = model.detections(on: data.test, classCount: data.classCount)
            return (found.groundTruth, found.results, recalls, EvaluationOutput.InferenceLine(model.configuration, makesProposals: model.kind.makesProposals))
        }
    }
}
