import Testing
@testable import Datasets

/// Whether two lists of numbers agree to 1e-9 (interpolated quantiles are not always exact in binary).
func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 } }

@Suite("Dataset statistics")
struct DatasetStatisticsTests {
    @Test("quantiles interpolate linearly between order statistics (NumPy's default)")
    func quantiles() {
        let q = Quantiles([5, 1, 4, 2, 3])
        #expect(close(q.values, [1, 1.2, 2, 3, 4, 4.8, 5]) && q.mean == 3 && q.median == 3)
        #expect(Quantiles([7]).values == [7, 7, 7, 7, 7, 7, 7])
        #expect(Quantiles([]).values.isEmpty && Quantiles([]).mean == nil)
    }

    @Test("counts, box quantiles and COCO size classes of three hand-made images")
    func handMade() {
        func sample(_ boxes: [BoundingBox], _ labels: [Int]) -> DetectionSample {
            DetectionSample(name: "s", image: RGBImage(width: 200, height: 200), target: DetectionTarget(boxes: boxes, labels: labels))
        }
        let samples = [
            sample([BoundingBox(x1: 0, y1: 0, x2: 10, y2: 20), BoundingBox(x1: 50, y1: 50, x2: 90, y2: 90)], [1, 2]),
            sample([], []),
            sample([BoundingBox(x1: 0, y1: 0, x2: 100, y2: 100)], [1]),
        ]
        let s = DatasetStatistics(samples: samples, classNames: ["a", "b"])
        #expect(s.imageCount == 3 && s.objectCount == 3 && s.emptyImageCount == 1)
        #expect(close(s.objectsPerImage.values, [0, 0.1, 0.5, 1, 1.5, 1.9, 2]))
        #expect(s.classCounts == [2, 1])
        #expect(close(s.widths.values, [10, 13, 25, 40, 70, 94, 100]) && s.heights.median == 40)
        #expect(close(s.aspectRatios.values, [1, 1, 1, 1, 1.5, 1.9, 2]))   // 2, 1, 1 (h/w)
        // Areas 200 (small), 1,600 (medium: 32² = 1,024 ≤ a < 9,216), 10,000 (large).
        #expect(s.smallCount == 1 && s.mediumCount == 1 && s.largeCount == 1)
    }
}
