// libFuzzer harness: COCO JSON, through both readers (the Datasets module's training reader and
// the Evaluation module's ground-truth and result-list readers), then both evaluators on what
// decodes, so that a file that passes the checks cannot trap the metrics either.
import Foundation
import Quarry

/// The file name errors report; nothing is read from it.
let cocoURL = URL(fileURLWithPath: "/nonexistent/fuzz/instances.json")

/// A fixed ground truth that fuzzed result lists are checked against.
let fixedGroundTruth = COCOGroundTruth(
    images: [.init(id: 1, width: 200, height: 200), .init(id: 2)],
    annotations: [.init(id: 1, imageID: 1, categoryID: 1, box: COCOBox(x: 10, y: 10, width: 50, height: 40))],
    categories: [.init(id: 1, name: "a"), .init(id: 2, name: "b")])

/// libFuzzer's entry point: reads `count` bytes at `start` as each kind of COCO file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCOCO(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Data(bytes: $0, count: count) } ?? Data()
    _ = try? COCOReader.parse(bytes, url: cocoURL)
    if let groundTruth = try? COCOGroundTruth.decode(bytes, file: cocoURL.path) {
        // The annotations as detections (scores from their ids, ties included): the evaluators
        // see every box, area and crowd flag the file holds.
        let detections = groundTruth.annotations.map {
            COCODetection(imageID: $0.imageID, categoryID: $0.categoryID, box: $0.box, score: Double($0.id % 7))
        }
        _ = COCOEvaluator().evaluate(groundTruth: groundTruth, detections: detections)
        _ = VOCEvaluator().evaluate(groundTruth: groundTruth, detections: detections)
    }
    if let detections = try? fixedGroundTruth.decodeDetections(bytes, file: cocoURL.path) {
        _ = COCOEvaluator().evaluate(groundTruth: fixedGroundTruth, detections: detections)
        _ = VOCEvaluator().evaluate(groundTruth: fixedGroundTruth, detections: detections)
    }
    return 0
}
