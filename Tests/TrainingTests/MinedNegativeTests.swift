import Foundation
import Testing
import Datasets
import Detection
import TensorCore
@testable import Training

@Suite("What each strategy mines: recording, binning, report")
struct MinedNegativeTests {
    /// Two fabricated RoI-head records (tiles 0 and 1) and one RPN record.
    static let records: [MinedNegatives] = [
        MinedNegatives(imageID: 0, head: "rpn", step: 9, selectedCount: 200,
                       negatives: [MinedNegative(box: [0, 0, 8, 8], anchorIndex: 3, loss: 1, maxIoU: 0.25)]),
        MinedNegatives(imageID: 0, head: "roi", step: 9, selectedCount: 30, negatives: [
            MinedNegative(box: [0, 0, 10, 10], loss: 4, maxIoU: 0.05),
            MinedNegative(box: [0, 0, 10, 10], loss: 3, maxIoU: 0.2),
            MinedNegative(box: [0, 0, 10, 10], loss: 2, maxIoU: 0.35, replayed: true),
            MinedNegative(box: [0, 0, 10, 10], loss: 1, maxIoU: 0.0)]),
        MinedNegatives(imageID: 1, head: "roi", step: 8, selectedCount: 25, negatives: [
            MinedNegative(box: [0, 0, 10, 10], loss: 1, maxIoU: 0.45),
            MinedNegative(box: [0, 0, 10, 10], loss: 1, maxIoU: 0.09)]),
    ]

    @Test("IoU bins: [0, 0.1), [0.1, 0.3), [0.3, 0.5), [0.5, 1], edges in the upper bin")
    func bins() {
        #expect([0, 0.0999, 0.1, 0.2999, 0.3, 0.4999, 0.5, 1].map { MinedNegativeSummary.bin(of: $0) } == [0, 0, 1, 1, 2, 2, 3, 3])
    }

    @Test("a summary counts bins, scores ≥ 0.5, object-like background, replays and the mean loss by hand")
    func summary() {
        // RoI negatives' IoUs: 0.05, 0.2, 0.35, 0.0 | 0.45, 0.09 → bins < 0.1: 3 (0.05, 0.0, 0.09),
        // 0.1–0.3: 1, 0.3–0.5: 2, ≥ 0.5: 0. Scores 0.9, 0.1, 0.6, nil | 0.2, 0.5 → 5 scored;
        // ≥ 0.5: 0.9 (IoU 0.05), 0.6 (IoU 0.35), 0.5 (IoU 0.09) = 3, of which IoU < 0.1: 2.
        // Mean loss (4 + 3 + 2 + 1 + 1 + 1) / 6 = 2; chosen 30 + 25 = 55; one replay.
        let m = MinedNegativeSummary(strategy: "ohem", head: "roi", records: Self.records, scores: [[0.9, 0.1, 0.6, nil], [0.2, 0.5]],
                                     reference: "random", pictures: ["mined-ohem-roi-tile-0.png"])
        #expect(m.tiles == 2 && m.negatives == 6 && m.selected == 55)
        #expect(m.iouBins == [3, 1, 2, 0])
        #expect(m.scored == 5 && m.objectLike == 3 && m.objectLikeBackground == 2)
        #expect(m.replayed == 1 && m.meanLoss == 2 && m.reference == "random")
        let unscored = MinedNegativeSummary(strategy: "ohem", head: "rpn", records: Self.records, scores: nil, reference: "random")
        #expect(unscored.tiles == 1 && unscored.iouBins == [0, 1, 0, 0] && unscored.scored == 0 && unscored.reference == nil)
    }

    @Test("the report section: its table rows, the RPN note and the links, for a fabricated result")
    func reportText() {
        var report = ComparisonReport(dataset: "neon-trees", iterations: 600, strategies: [])
        var roi = MinedNegativeSummary(strategy: "ohem", head: "roi", records: Self.records, scores: [[0.9, 0.1, 0.6, nil], [0.2, 0.5]],
                                       reference: "random", pictures: ["mined-ohem-roi-tile-0.png"])
        roi.groundTruthScored = 12
        roi.groundTruthObjectLike = 9
        report.minedNegatives = [roi, roi, MinedNegativeSummary(strategy: "ohem", head: "rpn", records: Self.records, scores: [[nil]], reference: "random")]
        let text = report.markdown()
        // Shares: 3/6 = 50%, 1/6 = 16.7% → 17%, 2/6 = 33%; 3/5 = 60%, 2/5 = 40%.
        #expect(text.contains("| ohem | roi | 2 | 6 (of 55) | 3 (50%) | 1 (17%) | 2 (33%) | 3 (60%) | 2 (40%) | 1 | 2.000 | [mined-ohem-roi-tile-0.png](mined-ohem-roi-tile-0.png) |"))
        // No anchor could be scored: the score columns say "—".
        #expect(text.contains("| ohem | rpn | 1 | 1 (of 200) | 0 (0%) | 1 (100%) | 0 (0%) | — | — | 0 | 1.000 | — |"))
        #expect(text.contains("## What each strategy mines"))
        #expect(text.contains("At the RPN, background is IoU < 0.3, so its 0.3–0.5 bin is empty by construction."))
        #expect(text.contains("the final `random` model of the same seed"))
        // The scale sentence, once per head and reference although two rows carry it.
        let scale = "For scale, at the roi head the `random` model scores 9 of the 12 ground-truth boxes of the recorded tiles ≥ 0.5"
        #expect(text.components(separatedBy: scale).count == 2)
        // Without records the section is left out.
        #expect(!ComparisonReport(dataset: "d", iterations: 1, strategies: []).markdown().contains("What each strategy mines"))
    }

    @Test("the comparison's window: the last two epochs, the first eight tiles")
    func window() {
        // 65 tiles at batch 2: ⌈65/2⌉ = 33 steps per epoch, 600 − 66 = 534.
        let neon = MinedNegativeRecording(sampleCount: 65, iterations: 600, batchSize: 2)
        #expect(neon.firstIteration == 534 && neon.tiles == Set(0..<8))
        #expect(neon.records(tile: 7, at: 534) && !neon.records(tile: 8, at: 599) && !neon.records(tile: 0, at: 533))
        // A run shorter than two epochs records throughout; fewer tiles than eight: all of them.
        let short = MinedNegativeRecording(sampleCount: 6, iterations: 3, batchSize: 2)
        #expect(short.firstIteration == 0 && short.tiles == Set(0..<6))
    }

    @Test("latest keeps each tile's last visit per head, by tile then head order")
    func latest() {
        func record(_ tile: Int, _ head: String, _ step: Int) -> MinedNegatives {
            MinedNegatives(imageID: tile, head: head, step: step, selectedCount: step, negatives: [])
        }
        let kept = MinedNegativeRecording.latest([record(1, "rpn", 3), record(1, "roi", 3), record(0, "rpn", 4), record(0, "roi", 4),
                                                  record(1, "rpn", 5), record(1, "roi", 5)])
        #expect(kept.map { "\($0.imageID) \($0.head) \($0.step)" } == ["0 rpn 4", "0 roi 4", "1 rpn 5", "1 roi 5"])
    }

    /// IoU of two (x1, y1, x2, y2) boxes.
    static func iou(_ a: [Float], _ b: BoundingBox) -> Float {
        let w = max(0, min(a[2], b.x2) - max(a[0], b.x1)), h = max(0, min(a[3], b.y2) - max(a[1], b.y1))
        let inter = w * h
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter)
    }

    @Test("the trainer records only in the window, and every box is in the tile's un-flipped frame (flipped both ways every draw)")
    func trainerRecordsUnflipped() throws {
        let samples = try digitsSamples(count: 4)
        var configuration = TrainingConfiguration(iterations: 6, seed: 5)
        configuration.augmentations = AugmentationList([.flip(RandomFlip(probability: 1))])
        var trainer = Trainer(samples: samples, classCount: 10, strategy: .random, configuration: configuration)
        // 4 tiles at batch 2: 2 steps per epoch, so the window starts at 6 − 4 = 2.
        trainer.minedNegativeRecording = MinedNegativeRecording(sampleCount: 4, iterations: 6, batchSize: 2)
        var records: [MinedNegatives] = []
        var positiveOverlaps = 0
        while !trainer.isFinished {
            let step = try trainer.step()
            #expect(step.minedNegatives.isEmpty == (step.iteration < 2))
            // Two images, two heads each.
            if step.iteration >= 2 { #expect(step.minedNegatives.map(\.head) == ["rpn", "rpn", "roi", "roi"]) }
            records += step.minedNegatives
        }
        for record in records {
            #expect(record.negatives.count == min(record.selectedCount, MinedNegatives.recordedCount))
            #expect(zip(record.negatives, record.negatives.dropFirst()).allSatisfy { $0.loss >= $1.loss })
            // The matcher's IoU was computed in the flipped frame; against the stored (un-flipped)
            // ground truth the recorded box must give the same value — only if it was mirrored back.
            let truth = samples[record.imageID].target.boxes
            for negative in record.negatives {
                let recomputed = truth.map { Self.iou(negative.box, $0) }.max() ?? 0
                #expect(abs(recomputed - negative.maxIoU) < 1e-5, "tile \(record.imageID) \(record.head): \(negative.box)")
                if negative.maxIoU > 0.05 { positiveOverlaps += 1 }
                #expect(negative.maxIoU < (record.head == "rpn" ? 0.3 : 0.5))
            }
        }
        // Not vacuous: many negatives overlap some ground truth.
        #expect(positiveOverlaps >= 10)
        #expect(MinedNegativeRecording.latest(records).count == 8)
    }

    @Test("every strategy records: at most 20 negatives per tile and head, by loss, all background; focal's pool is every background anchor; only the buffer replays",
          arguments: StrategyKind.allCases)
    func everyStrategy(_ kind: StrategyKind) throws {
        let samples = try digitsSamples(count: 4)
        // 8 iterations over 4 tiles: the buffer has met every tile before the last visits.
        var trainer = Trainer(samples: samples, classCount: 10, strategy: kind, configuration: TrainingConfiguration(iterations: 8, seed: 3))
        trainer.minedNegativeRecording = MinedNegativeRecording(tiles: Set(0..<4), firstIteration: 0)
        var records: [MinedNegatives] = []
        while !trainer.isFinished { records += try trainer.step().minedNegatives }
        #expect(records.count == 8 * 2 * 2)
        for record in records {
            #expect(record.negatives.count == min(record.selectedCount, 20))
            #expect(zip(record.negatives, record.negatives.dropFirst()).allSatisfy { $0.loss >= $1.loss })
            #expect(record.negatives.allSatisfy { $0.maxIoU < (record.head == "rpn" ? 0.3 : 0.5) })
            // focal trains every background anchor: far more than any budget (256 per image).
            if kind == .focal && record.head == "rpn" { #expect(record.selectedCount > 1000) }
        }
        let replays = records.flatMap(\.negatives).count(where: \.replayed)
        let buffer = kind == .hardNegativeBuffer || kind == .hardNegativeBufferSeparate
        #expect(buffer ? replays > 0 : replays == 0, "\(kind): \(replays) replays")
    }

    @Test("the reference scores: the RPN's is the sigmoid of the anchor's objectness logit; a RoI box scores the same alone or with others")
    func scores() throws {
        let samples = try digitsSamples(count: 2)
        let trainer = Trainer(samples: samples, classCount: 10, configuration: TrainingConfiguration(iterations: 1, seed: 2))
        let model = try #require(trainer.model as? TinyFasterRCNN)
        let image = RGBImage.pixelTensor([samples[0].image])
        let negatives = [MinedNegative(box: [0, 0, 16, 16], anchorIndex: 5, loss: 0, maxIoU: 0),
                         MinedNegative(box: [10, 20, 60, 50], anchorIndex: 77, loss: 0, maxIoU: 0),
                         MinedNegative(box: [0, 0, 1, 1], anchorIndex: nil, loss: 0, maxIoU: 0)]
        let rpn = model.foregroundProbabilities(image: image, head: .rpn, negatives: negatives)
        let logits = model.rpn(model.features(image)).objectness.value.scalars
        #expect(rpn.count == 3 && rpn[2] == nil)
        for (k, index) in [5, 77].enumerated() {
            let expected = 1 / (1 + exp(-logits[index]))
            #expect(abs((rpn[k] ?? -1) - expected) < 1e-6)
        }
        let together = model.foregroundProbabilities(image: image, head: .roi, negatives: negatives)
        let alone = model.foregroundProbabilities(image: image, head: .roi, negatives: [negatives[1]])
        #expect(together.allSatisfy { $0.map { (0...1).contains($0) } == true })
        #expect(abs((together[1] ?? -1) - (alone[0] ?? -2)) < 1e-6)
    }
}
