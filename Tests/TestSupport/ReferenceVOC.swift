// A naive port of the VOC devkit's AP (all-point interpolation, VOC 2010+) over COCO-format JSON,
// line for line as scripts/fixtures/make_coco_cases.py's `voc_eval`, so that a test can derive
// the VOC AP50 of any fixture's inputs instead of copying a number computed elsewhere.
import Foundation

/// The VOC devkit's average precision, computed on COCO JSON objects as the fixture generator does.
public enum ReferenceVOC {
    /// VOC AP per category id present in the ground truth (at least one non-crowd box), and their
    /// mean (nil when no category has one).
    ///
    /// Each detection, by descending score (stable), takes the ground truth of its image and
    /// category with the highest IoU (the first on ties); at IoU ≥ `threshold` it is a true
    /// positive if that ground truth is unmatched and not crowd, skipped if crowd, a false
    /// positive if already matched; below the threshold a false positive. Widths are x2 − x1.
    /// - Parameters:
    ///   - groundTruth: a COCO ground-truth object (`annotations`, `categories`).
    ///   - detections: a COCO result list.
    /// - Precondition: the JSON has the fields named, with numbers where COCO puts them.
    public static func averagePrecision(groundTruth: [String: Any], detections: [[String: Any]],
                                        threshold: Double = 0.5) -> (perCategory: [Int: Double], mean: Double?) {
        func number(_ value: Any?) -> Double { (value as! NSNumber).doubleValue }
        func corners(_ value: Any?) -> [Double] {
            let b = (value as! [Any]).map(number)
            return [b[0], b[1], b[0] + b[2], b[1] + b[3]]
        }
        let annotations = groundTruth["annotations"] as! [[String: Any]]
        let categories = (groundTruth["categories"] as! [[String: Any]]).map { Int(number($0["id"])) }.sorted()
        var result: [Int: Double] = [:]
        for category in categories {
            var truths: [Int: [(box: [Double], crowd: Bool)]] = [:]
            var positives = 0
            for a in annotations where Int(number(a["category_id"])) == category {
                let crowd = a["iscrowd"].map { number($0) != 0 } ?? false
                truths[Int(number(a["image_id"])), default: []].append((corners(a["bbox"]), crowd))
                if !crowd { positives += 1 }
            }
            if positives == 0 { continue }
            let mine = detections.filter { Int(number($0["category_id"])) == category }
            let order = mine.indices.sorted { (number(mine[$0]["score"]), $1) > (number(mine[$1]["score"]), $0) }
            var matched = truths.mapValues { [Bool](repeating: false, count: $0.count) }
            var tp: [Double] = [], fp: [Double] = []
            for i in order {
                let image = Int(number(mine[i]["image_id"])), b = corners(mine[i]["bbox"])
                var best = -Double.infinity, bestIndex = -1
                for (j, g) in (truths[image] ?? []).enumerated() {
                    let w = min(b[2], g.box[2]) - max(b[0], g.box[0]), h = min(b[3], g.box[3]) - max(b[1], g.box[1])
                    let intersection = max(w, 0) * max(h, 0)
                    let union = (b[2] - b[0]) * (b[3] - b[1]) + (g.box[2] - g.box[0]) * (g.box[3] - g.box[1]) - intersection
                    let iou = union > 0 ? intersection / union : 0
                    if iou > best { best = iou; bestIndex = j }
                }
                if bestIndex >= 0 && best >= threshold {
                    if truths[image]![bestIndex].crowd { continue }
                    if !matched[image]![bestIndex] {
                        matched[image]![bestIndex] = true
                        tp.append(1); fp.append(0)
                    } else {
                        tp.append(0); fp.append(1)
                    }
                } else {
                    tp.append(0); fp.append(1)
                }
            }
            // Cumulative counts, recall and precision, then the devkit's all-point area.
            var recall: [Double] = [], precision: [Double] = []
            var tpSum = 0.0, fpSum = 0.0
            for (t, f) in zip(tp, fp) {
                tpSum += t; fpSum += f
                recall.append(tpSum / Double(positives))
                precision.append(tpSum / max(tpSum + fpSum, Double.ulpOfOne))
            }
            let mrec = [0] + recall + [1], mpre = [0] + precision + [0]
            var envelope = mpre
            for i in stride(from: envelope.count - 1, to: 0, by: -1) { envelope[i - 1] = max(envelope[i - 1], envelope[i]) }
            var ap = 0.0
            for i in 0..<(mrec.count - 1) where mrec[i + 1] != mrec[i] { ap += (mrec[i + 1] - mrec[i]) * envelope[i + 1] }
            result[category] = ap
        }
        // Summed in category order, as numpy sums the generator's list.
        let mean = result.isEmpty ? nil : result.keys.sorted().map { result[$0]! }.reduce(0, +) / Double(result.count)
        return (result, mean)
    }
}
