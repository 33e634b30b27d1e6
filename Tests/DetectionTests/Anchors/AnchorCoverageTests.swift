import Testing
import Datasets
@testable import Detection

@Suite("Anchor coverage and anchor fitting")
struct AnchorCoverageTests {
    @Test("best anchor IoU on the grid, hand-computed: one 32-px square anchor at stride 8 on a 64×64 image")
    func handComputed() {
        let boxes = [
            BoundingBox(x1: 0, y1: 0, x2: 32, y2: 32),     // an anchor exactly (centre (16, 16) is a grid point): IoU 1
            BoundingBox(x1: 4, y1: 4, x2: 36, y2: 36),     // centre 20, between grid points 16 and 24: 28² / (2·32² − 28²) = 784/1264
            BoundingBox(x1: 8, y1: 8, x2: 24, y2: 24),     // 16² inside 32²: 256/1024
            BoundingBox(x1: 56, y1: 56, x2: 64, y2: 64),   // centre 60 → cell 7 (56) and 8, clamped to 7: 8² / 32² = 64/1024
        ]
        let sample = DetectionSample(name: "s", image: RGBImage(width: 64, height: 64),
                                     target: DetectionTarget(boxes: boxes, labels: [1, 1, 1, 1]))
        let coverage = AnchorCoverage(samples: [sample], anchors: AnchorGenerator(sizes: [32], aspectRatios: [1], stride: 8))
        #expect(coverage.bestIoUs == [1, Float(784) / 1264, 0.25, 0.0625])
        #expect(coverage.recall(atIoU: 0.5) == 0.5 && coverage.recall(atIoU: 0.7) == 0.25)
        #expect(AnchorCoverage(samples: [], anchors: AnchorGenerator(sizes: [32], aspectRatios: [1], stride: 8)).recall(atIoU: 0.5) == 1)
        // Only the first box reaches 0.7: with its own anchor; one step of 8 px leaves 24·32 / (2·32² − 24·32) = 0.6.
        #expect(coverage.foregroundCounts == [1, 0, 0, 0] && coverage.foregroundAnchorsPerBox == 0.25)
    }

    @Test("anchors at IoU ≥ 0.7 per box, hand-computed: a 64-px anchor on a 64-px box at stride 8")
    func foregroundCount() {
        // Its own anchor (IoU 1); one step of 8 px in x or y: 56·64 / (2·64² − 56·64) = 3584/4608 = 0.78 (4 anchors);
        // a step in both, 56² / (2·64² − 56²) = 0.62, or 16 px in one, 48·64 / (2·64² − 48·64) = 0.6: not counted.
        let sample = DetectionSample(name: "s", image: RGBImage(width: 128, height: 128),
                                     target: DetectionTarget(boxes: [BoundingBox(x1: 0, y1: 0, x2: 64, y2: 64),
                                                                     BoundingBox(x1: 32, y1: 32, x2: 96, y2: 96)], labels: [1, 1]))
        let coverage = AnchorCoverage(samples: [sample], anchors: AnchorGenerator(sizes: [64], aspectRatios: [1], stride: 8))
        // The corner box's centre (32, 32) has all four neighbours on the grid, as does (64, 64).
        #expect(coverage.foregroundCounts == [5, 5])
        #expect(coverage.foregroundAnchorsPerBox == 5)
    }

    @Test("the nearest-grid-point search and the foreground count equal an exhaustive search over every anchor of the grid")
    func matchesExhaustiveSearch() {
        let generator = AnchorGenerator(sizes: [16, 32, 64], aspectRatios: [0.5, 1, 2], stride: 8)
        var boxes: [BoundingBox] = []
        for i in 0..<40 {
            let x = Float((i * 37) % 90), y = Float((i * 53) % 90), w = Float(5 + (i * 11) % 60), h = Float(5 + (i * 29) % 70)
            boxes.append(BoundingBox(x1: x, y1: y, x2: min(x + w, 100), y2: min(y + h, 100)))
        }
        let sample = DetectionSample(name: "s", image: RGBImage(width: 100, height: 100),
                                     target: DetectionTarget(boxes: boxes, labels: boxes.map { _ in 1 }))
        let coverage = AnchorCoverage(samples: [sample], anchors: generator)
        let anchors = generator.anchors(featureHeight: 13, featureWidth: 13).scalars   // ⌈100/8⌉ = 13
        for (box, (best, foreground)) in zip(boxes, zip(coverage.bestIoUs, coverage.foregroundCounts)) {
            var top: Float = 0, count = 0
            for k in 0..<(anchors.count / 4) {
                let iw = min(box.x2, anchors[4 * k + 2]) - max(box.x1, anchors[4 * k])
                let ih = min(box.y2, anchors[4 * k + 3]) - max(box.y1, anchors[4 * k + 1])
                guard iw > 0, ih > 0 else { continue }
                let area = (anchors[4 * k + 2] - anchors[4 * k]) * (anchors[4 * k + 3] - anchors[4 * k + 1])
                top = max(top, iw * ih / (box.area + area - iw * ih))
                if iw * ih / (box.area + area - iw * ih) >= AnchorCoverage.foregroundIoU { count += 1 }
            }
            #expect(abs(top - best) < 1e-6, "\(box): exhaustive \(top), nearest \(best)")
            #expect(count == foreground, "\(box): exhaustive \(count) anchors at IoU ≥ 0.7, windowed \(foreground)")
        }
    }

    @Test("k-means under IoU: clusters of hand-made sizes and ratios")
    func fitting() {
        func squares(_ sides: [Float]) -> [BoundingBox] { sides.map { BoundingBox(x1: 0, y1: 0, x2: $0, y2: $0) } }
        #expect(AnchorFitting.sizes(of: squares([10, 10, 10, 100, 100, 100]), count: 2) == [10, 100])
        // Three clusters asked, two groups: the empty cluster keeps its start and merges away.
        #expect(AnchorFitting.sizes(of: squares([10, 10, 10, 100, 100, 100]), count: 3) == [10, 100])
        // Starts 12 and 100 (the 25% and 75% quantiles); 10, 12, 14 join 12: mean 12.
        #expect(AnchorFitting.sizes(of: squares([10, 12, 14, 100]), count: 2) == [12, 100])
        let ratios = [BoundingBox(x1: 0, y1: 0, x2: 20, y2: 10), BoundingBox(x1: 0, y1: 0, x2: 10, y2: 20),
                      BoundingBox(x1: 0, y1: 0, x2: 40, y2: 20), BoundingBox(x1: 0, y1: 0, x2: 0, y2: 20)]
        #expect(AnchorFitting.aspectRatios(of: ratios, count: 2) == [0.5, 2])   // the zero-width box is skipped
        #expect(AnchorFitting.sizes(of: [], count: 3).isEmpty)
    }
}

@Suite("The RPN's pre-NMS top-N for fitted anchors")
struct PreNMSFittingTests {
    @Test("every anchor of a tile: 64² × 9 on 512 px, 50² × 9 on 400 px; never lowered; saturating for absurd tiles")
    func everyAnchor() {
        var model = DetectorConfiguration()   // 400-px tiles, 3 × 3 anchors
        #expect(model.anchorCount(tileSize: 512) == 64 * 64 * 9 && model.anchorCount(tileSize: 401) == 51 * 51 * 9)
        model.keepEveryAnchorBeforeNMS()
        #expect(model.trainingPreNMSTopN == 22_500 && model.inferencePreNMSTopN == 22_500)
        var small = DetectorConfiguration()
        small.trainingTileSize = 64   // 8² × 9 = 576 anchors, under the 2,000 already configured
        small.keepEveryAnchorBeforeNMS()
        #expect(small.trainingPreNMSTopN == 2_000 && small.inferencePreNMSTopN == 22_500)
        #expect(DetectorConfiguration().anchorCount(tileSize: 10_000_000_000) == Int.max)
    }
}
