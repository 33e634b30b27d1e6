// Anchor sizes and aspect ratios fitted to a dataset's boxes by k-means with an IoU distance, as
// YOLOv2 fits its priors: clusters are compared by how well they overlap a box, not by pixel
// distance, so large boxes do not dominate.
// Legend: M boxes (w, h) in pixels, S sizes, R aspect ratios (h/w).
import Datasets
import Foundation

/// Anchor sizes and aspect ratios fitted to ground-truth boxes.
///
/// Quarry's anchors are a product grid (every size with every ratio), so the two factors are
/// fitted apart, each by one-dimensional k-means under the IoU of concentric boxes that differ
/// only in that factor: sizes (the square root of the area) under the IoU of concentric squares
/// (min/max)², ratios under the IoU of concentric equal-area boxes q/(2 − q), q = √(min/max).
/// Each step assigns every box to the cluster it overlaps most, then moves each centre to its
/// members' mean (YOLOv2; an empty cluster keeps its centre). Start: the (i + ½)/k quantiles of
/// the sorted values, so the fit is deterministic. Duplicates are merged; sizes are rounded to
/// whole pixels, ratios to 2 decimals.
/// Reference: Redmon and Farhadi, "YOLO9000: Better, Faster, Stronger", arXiv:1612.08242, §2
/// ("Dimension Clusters": d = 1 − IoU); YOLOv5's autoanchor (`kmean_anchors`).
public enum AnchorFitting {
    /// Fits `count` anchor sizes (√(w·h), pixels) to the boxes.
    /// - Parameters:
    ///   - boxes: the ground-truth boxes; those of zero area are skipped.
    ///   - count: S ≥ 1.
    /// - Returns: at most S distinct sizes, ascending; empty without boxes.
    public static func sizes(of boxes: [BoundingBox], count: Int) -> [Float] {
        let values = boxes.filter { $0.area > 0 }.map { Double($0.area).squareRoot() }
        let centres = kMeans(values, count: count) { a, b in let r = min(a, b) / max(a, b); return r * r }
        return Array(Set(centres.map { Float($0.rounded()) })).filter { $0 > 0 }.sorted()
    }

    /// Fits `count` aspect ratios (h/w) to the boxes.
    /// - Parameters:
    ///   - boxes: the ground-truth boxes; those of zero area are skipped.
    ///   - count: R ≥ 1.
    /// - Returns: at most R distinct ratios, ascending; empty without boxes.
    public static func aspectRatios(of boxes: [BoundingBox], count: Int) -> [Float] {
        let values = boxes.filter { $0.area > 0 }.map { Double($0.height / $0.width) }
        let centres = kMeans(values, count: count) { a, b in let q = (min(a, b) / max(a, b)).squareRoot(); return q / (2 - q) }
        return Array(Set(centres.map { Float(($0 * 100).rounded() / 100) })).filter { $0 > 0 }.sorted()
    }

    /// One-dimensional k-means under a similarity (higher is closer), from quantile starts.
    /// - Parameters:
    ///   - values: the sample.
    ///   - count: k ≥ 1.
    ///   - similarity: e.g. an IoU in [0, 1].
    /// - Returns: k centres (fewer when there are fewer values), ascending; empty for no values.
    /// - Precondition: `count ≥ 1`.
    static func kMeans(_ values: [Double], count: Int, similarity: (Double, Double) -> Double) -> [Double] {
        precondition(count >= 1, "AnchorFitting: need at least one cluster, got \(count)")
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return [] }
        let k = min(count, sorted.count)
        var centres = (0..<k).map { sorted[min(sorted.count - 1, Int((Double($0) + 0.5) / Double(k) * Double(sorted.count)))] }
        var assignment = [Int](repeating: -1, count: sorted.count)
        for _ in 0..<300 {
            var changed = false
            for (i, value) in sorted.enumerated() {
                var best = 0
                for c in 1..<k where similarity(value, centres[c]) > similarity(value, centres[best]) { best = c }
                if assignment[i] != best { assignment[i] = best; changed = true }
            }
            if !changed { break }
            var sums = [Double](repeating: 0, count: k), counts = [Int](repeating: 0, count: k)
            for (i, value) in sorted.enumerated() { sums[assignment[i]] += value; counts[assignment[i]] += 1 }
            for c in 0..<k where counts[c] > 0 { centres[c] = sums[c] / Double(counts[c]) }
        }
        return centres.sorted()
    }
}
