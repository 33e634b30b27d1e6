import Detection
import Kernels
import Randomness
import TensorCore
import Testing

/// The empty matrix of STYLE.md, for every strategy at both heads: no candidates, no positives
/// (background only), all ignored, fewer positives than requested.
@Suite("Sampling strategies on empty and degenerate inputs")
struct EmptyInputTests {
    static let cases: [(StrategyKind, DetectionHead)] = StrategyKind.allCases.flatMap { kind in [DetectionHead.rpn, .roi, .retinaNet].map { (kind, $0) } }

    func sample(_ kind: StrategyKind, _ head: DetectionHead, _ labels: [Int32]) -> SamplingResult {
        var strategy = kind.makeStrategy(for: head)
        let n = labels.count
        var boxes: [Float] = []
        for i in 0..<n {
            let x = Float(i % 40) * 10, y = Float(i / 40) * 10
            boxes += [x, y, x + 8, y + 8]
        }
        let maxIoU: [Float] = labels.map { $0 > 0 ? 0.8 : 0.1 }
        let losses: [Float] = (0..<n).map { Float($0 % 7) }
        let probabilities: [Float] = (0..<n).map { Float($0 % 10) / 10 }
        let input = SamplingInput(image: SamplingImage(id: 0, width: 400, height: 400), labels: labels, boxes: boxTensor(boxes),
                                  maxIoU: maxIoU, losses: losses, foregroundProbabilities: probabilities)
        var g = SplitMix64(seed: 0)
        let result = strategy.sample(input, using: &g)
        expectValidSelection(result, labels: labels)
        return result
    }

    @Test("no candidates: nothing selected, normaliser 1", arguments: cases)
    func noCandidates(kind: StrategyKind, head: DetectionHead) {
        let result = sample(kind, head, [])
        #expect(result.selectedCount == 0 && result.normalizer == 1 && result.candidateWeights().isEmpty)
        #expect(result.statistics.candidates == 0)
    }

    @Test("all ignored: nothing selected", arguments: cases)
    func allIgnored(kind: StrategyKind, head: DetectionHead) {
        let result = sample(kind, head, [Int32](repeating: -1, count: 300))
        #expect(result.selectedCount == 0)
    }

    @Test("background only (an image without ground truth): negatives only, as many as the strategy takes", arguments: cases)
    func backgroundOnly(kind: StrategyKind, head: DetectionHead) {
        let result = sample(kind, head, [Int32](repeating: 0, count: 2_000))
        #expect(result.positives.isEmpty)
        let expected = switch kind {
        case .ssd: 16
        case .focal: 2_000
        default: head.defaultBatchSize
        }
        #expect(result.negatives.count == expected)
    }

    @Test("fewer positives than requested: every positive is taken", arguments: cases)
    func fewPositives(kind: StrategyKind, head: DetectionHead) {
        var labels = [Int32](repeating: 0, count: 1_000)
        for i in [3, 500, 999] { labels[i] = 1 }
        labels[4] = -1
        let result = sample(kind, head, labels)
        if kind == .ohem {
            // OHEM has no positive quota: positives enter only if their loss ranks in the budget.
            #expect(result.selectedCount == head.defaultBatchSize)
        } else {
            #expect(result.positives == [3, 500, 999])
            let negatives = switch kind {
            case .ssd: 9
            case .focal: 996
            default: head.defaultBatchSize - 3
            }
            #expect(result.negatives.count == negatives)
        }
    }

    @Test("no negatives: positives only")
    func noNegatives() {
        for kind in StrategyKind.allCases {
            let result = sample(kind, .roi, [Int32](repeating: 1, count: 50))
            #expect(result.negatives.isEmpty)
            // Quota strategies take Int(128 · 0.25) = 32; the others every positive (OHEM: 50 < 128).
            let quota = [.random, .hardNegativeBuffer, .hardNegativeBufferSeparate, .hardNegativeBootstrap, .iouBalanced].contains(kind)
            #expect(result.positives.count == (quota ? 32 : 50), "\(kind)")
        }
    }
}
