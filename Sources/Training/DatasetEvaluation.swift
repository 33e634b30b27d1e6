// Evaluates a detector on whole images: tiled detection (the configuration's inference tiles,
// 400×400 with stride 300 in DESIGN.md, merged by class-aware NMS 0.5), then VOC AP50 and the COCO numbers at maxDets 100 and 300.
import Datasets
import Detection
import Evaluation
import Foundation
import TensorCore

/// A detector's output on a dataset in COCO form, with the ground truth it is scored against.
public struct DatasetDetections: Sendable {
    /// The detections of every image, in dataset order.
    public var perImage: [Detections]
    /// The samples' boxes as COCO ground truth: image ids are dataset positions + 1,
    /// annotation ids start at 1, area = w·h, categories 1...K.
    public var groundTruth: COCOGroundTruth
    /// Every detection as a COCO result (pixel boxes, scores in [0, 1]), image by image.
    public var results: [COCODetection]
}

/// What evaluating a detector on a dataset measured.
public struct DatasetEvaluation: Sendable {
    /// The detections of every image, in dataset order.
    public var detections: [Detections]
    /// VOC mean AP at IoU 0.5 (all-point interpolation) — the comparison's primary metric.
    public var ap50: Double
    /// The 12 COCO numbers at maxDets (1, 10, 100).
    public var coco: [Double]
    /// The 12 COCO numbers at maxDets (1, 10, 300) (test images hold up to 279 objects).
    public var coco300: [Double]
    /// The precision–recall curve at IoU 0.5 of class 1 (the NEON `Tree` class), or of the
    /// first class with ground truth.
    public var curve: PrecisionRecallCurve?
    /// The VOC result behind `ap50`, with the per-detection matching records that
    /// `VOCResampling` recomputes AP from for a bootstrap over test images.
    public var voc: VOCEvaluation
    /// [I] the test images' ids in `voc` (dataset positions + 1), every image included.
    public var imageIDs: [Int]

    /// COCO AP@[.5:.95] at maxDets 100.
    public var cocoAP: Double { coco[0] }
    /// COCO AP at IoU 0.75, maxDets 100.
    public var ap75: Double { coco[2] }
    /// COCO AR at maxDets 100.
    public var ar100: Double { coco[8] }
    /// COCO AP@[.5:.95] at maxDets 300.
    public var cocoAP300: Double { coco300[0] }
}

extension Detector {
    /// Detects objects in every sample (tiled when larger than the configuration's inference
    /// tile, 400×400 with stride 300 in DESIGN.md "The reference detector") and pairs the results with the samples' boxes in COCO form.
    /// - Parameter classCount: K; the ground truth lists categories 1...K.
    public func detections(on samples: [DetectionSample], classCount: Int) -> DatasetDetections {
        var detections: [Detections] = []
        var images: [COCOGroundTruth.Image] = []
        var annotations: [COCOGroundTruth.Annotation] = []
        var results: [COCODetection] = []
        for (index, sample) in samples.enumerated() {
            let imageID = index + 1
            let found = detectTiled(image: RGBImage.pixelTensor([sample.image]).reshaped(to: [3, sample.image.height, sample.image.width]))
            detections.append(found)
            images.append(.init(id: imageID, width: sample.image.width, height: sample.image.height, fileName: sample.name))
            for (box, label) in zip(sample.target.boxes, sample.target.labels) {
                annotations.append(.init(id: annotations.count + 1, imageID: imageID, categoryID: label,
                                         box: COCOBox(x1: Double(box.x1), y1: Double(box.y1), x2: Double(box.x2), y2: Double(box.y2))))
            }
            let b = found.boxes.scalars
            for i in 0..<found.count {
                results.append(COCODetection(imageID: imageID, categoryID: found.labels[i],
                                             box: COCOBox(x1: Double(b[4 * i]), y1: Double(b[4 * i + 1]),
                                                          x2: Double(b[4 * i + 2]), y2: Double(b[4 * i + 3])),
                                             score: Double(found.scores[i])))
            }
        }
        let groundTruth = COCOGroundTruth(images: images, annotations: annotations,
                                          categories: (1...classCount).map { .init(id: $0) })
        return DatasetDetections(perImage: detections, groundTruth: groundTruth, results: results)
    }

    /// Detects objects in every sample (see `detections(on:classCount:)`) and evaluates them
    /// against the samples' boxes with VOC AP50 and COCO metrics at maxDets 100 and 300.
    /// - Parameter classCount: K; the ground truth lists categories 1...K.
    public func evaluate(on samples: [DetectionSample], classCount: Int) -> DatasetEvaluation {
        let found = detections(on: samples, classCount: classCount)
        let standard = EvaluationReport(groundTruth: found.groundTruth, detections: found.results)
        let extended = COCOEvaluator(parameters: COCOEvaluationParameters(maxDetections: [1, 10, 300]))
            .evaluate(groundTruth: found.groundTruth, detections: found.results).summary.stats
        // EvaluationReport always runs the VOC evaluator; the fallback only guards the optional.
        let voc = standard.voc ?? VOCEvaluator().evaluate(groundTruth: found.groundTruth, detections: found.results)
        let curve = voc.classes.first { $0.groundTruthCount > 0 }?.curve
        return DatasetEvaluation(detections: found.perImage, ap50: standard.vocAP50 ?? 0, coco: standard.stats,
                                 coco300: extended, curve: curve, voc: voc, imageIDs: found.groundTruth.images.map(\.id))
    }

    /// Detects objects in every sample and computes VOC AP50 only — the learning curve's
    /// evaluation during training, without the COCO numbers' cost. Its mean AP equals
    /// `evaluate(on:classCount:).ap50` for the same weights.
    /// - Parameter classCount: K; the ground truth lists categories 1...K.
    /// - Returns: the VOC result (with matching records) and [I] the images' ids in it.
    public func evaluateVOC(on samples: [DetectionSample], classCount: Int) -> (voc: VOCEvaluation, imageIDs: [Int]) {
        let found = detections(on: samples, classCount: classCount)
        return (VOCEvaluator().evaluate(groundTruth: found.groundTruth, detections: found.results),
                found.groundTruth.images.map(\.id))
    }
}
