import Datasets
import Detection
import TensorCore
import Testing

@Suite("Mined negatives: the hardest negatives of an image, in its un-flipped frame")
struct MinedNegativesTests {
    /// A 100 × 80 image flipped both ways: x → 100 − x, y → 80 − y.
    let flip = Flip(horizontal: true, vertical: true)

    @Test("at a proposal head: ranked by loss, capped, mirrored back, replays flagged, IoU from matching")
    func proposalHead() {
        // Flipped frame. Ground truth (50, 20, 70, 40); candidates:
        //   c0 (10, 10, 30, 30)  background, IoU 0,   loss 0.5
        //   c1 (50, 20, 70, 40)  foreground (the ground truth itself), never recorded
        //   c2 (0, 0, 20, 10)    background, IoU 0,   loss 2.0
        //   c3 (60, 20, 80, 40)  background: overlap 10 × 20 = 200, union 400 + 400 − 200 = 600,
        //                        IoU 1/3 < 0.5; loss 1.0, a separate-pass negative
        //   c4 (0, 60, 10, 80)   background, IoU 0, loss 1.5, the one extra candidate (E = 1)
        let boxes: [Float] = [10, 10, 30, 30, 50, 20, 70, 40, 0, 0, 20, 10, 60, 20, 80, 40, 0, 60, 10, 80]
        let candidates = MatchedCandidates(candidates: Tensor(shape: [5, 4], scalars: boxes),
                                           groundTruthBoxes: Tensor(shape: [1, 4], scalars: [50, 20, 70, 40]), groundTruthLabels: [1],
                                           matcher: Matcher(highThreshold: 0.5, lowThreshold: 0.5, allowsLowQualityMatches: false),
                                           coder: .roiHead)
        #expect(candidates.labels == [0, 1, 0, 0, 0])
        let result = SamplingResult(candidateCount: 5, positives: [1], negatives: [0, 2, 4], separatePassNegatives: [3])
        let image = SamplingImage(id: 7, width: 100, height: 80, flip: flip)
        let mined = MinedNegatives(result: result, candidates: candidates, losses: [0.5, 9, 2.0, 1.0, 1.5], image: image, head: .roi,
                                   extraCount: 1, step: 41, count: 3)
        // Ranked c2 (2.0), c4 (1.5), c3 (1.0) | c0 (0.5) cut by count 3; four chosen in all.
        // Un-flipped: c2 → (100 − 20, 80 − 10, 100 − 0, 80 − 0) = (80, 70, 100, 80);
        // c4 → (90, 0, 100, 20); c3 → (20, 40, 40, 60).
        #expect(mined.imageID == 7 && mined.head == "roi" && mined.step == 41 && mined.selectedCount == 4)
        #expect(mined.negatives.map(\.box) == [[80, 70, 100, 80], [90, 0, 100, 20], [20, 40, 40, 60]])
        #expect(mined.negatives.map(\.loss) == [2.0, 1.5, 1.0])
        #expect(mined.negatives.map(\.replayed) == [false, true, true])
        #expect(mined.negatives.map(\.anchorIndex) == [nil, nil, nil])
        #expect(mined.negatives[0].maxIoU == 0 && mined.negatives[1].maxIoU == 0)
        #expect(abs(mined.negatives[2].maxIoU - 1.0 / 3) < 1e-6)
    }

    @Test("at an anchor head: anchor indices mirrored through the grid, nil where the mirror is off it")
    func anchorHead() {
        // A 4 × 5 grid at stride 20, one anchor per location, corner-aligned: anchor (x, y) is
        // centred at (20x, 20y), 20 pixels square. Mirror columns x → 100/20 − x = 5 − x and rows
        // y → 80/20 − y = 4 − y. Anchor 7 = (x 2, y 1) → (3, 3) = 3·5 + 3 = 18; its box
        // (30, 10, 50, 30) → (50, 50, 70, 70), centred at (60, 60) = anchor (3, 3) indeed.
        // Anchor 0 = (0, 0) → column 5, off the grid: nil; box (−10, −10, 10, 10) → (90, 70, 110, 90).
        var boxes: [Float] = []
        for y in 0..<4 { for x in 0..<5 { boxes += [Float(20 * x - 10), Float(20 * y - 10), Float(20 * x + 10), Float(20 * y + 10)] } }
        let candidates = MatchedCandidates(candidates: Tensor(shape: [20, 4], scalars: boxes), groundTruthBoxes: Tensor(shape: [0, 4], scalars: []),
                                           groundTruthLabels: [],
                                           matcher: Matcher(highThreshold: 0.7, lowThreshold: 0.3, allowsLowQualityMatches: true), coder: .rpn)
        var losses = [Float](repeating: 0, count: 20)
        losses[7] = 2; losses[0] = 1
        let layout = AnchorLayout(featureHeight: 4, featureWidth: 5, anchorsPerLocation: 1, strideHeight: 20, strideWidth: 20)
        let image = SamplingImage(id: 0, width: 100, height: 80, flip: flip, anchorLayout: layout)
        let mined = MinedNegatives(result: SamplingResult(candidateCount: 20, positives: [], negatives: [0, 7]), candidates: candidates,
                                   losses: losses, image: image, head: .rpn, extraCount: 0, step: 0)
        #expect(mined.negatives.map(\.anchorIndex) == [18, nil])
        #expect(mined.negatives.map(\.box) == [[50, 50, 70, 70], [90, 70, 110, 90]])
        #expect(mined.negatives.map(\.replayed) == [false, false])
        // Unflipped, the same anchor keeps its index.
        let plain = MinedNegatives(result: SamplingResult(candidateCount: 20, positives: [], negatives: [0, 7]), candidates: candidates,
                                   losses: losses, image: SamplingImage(id: 0, width: 100, height: 80, anchorLayout: layout), head: .rpn,
                                   extraCount: 0, step: 0)
        #expect(plain.negatives.map(\.anchorIndex) == [7, 0] && plain.negatives[0].box == [30, 10, 50, 30])
    }

    @Test("nothing chosen: an empty record that still counts zero")
    func empty() {
        let candidates = MatchedCandidates(candidates: Tensor(shape: [0, 4], scalars: []), groundTruthBoxes: Tensor(shape: [0, 4], scalars: []),
                                           groundTruthLabels: [],
                                           matcher: Matcher(highThreshold: 0.5, lowThreshold: 0.5, allowsLowQualityMatches: false), coder: .roiHead)
        let mined = MinedNegatives(result: SamplingResult(candidateCount: 0, positives: [], negatives: []), candidates: candidates, losses: [],
                                   image: SamplingImage(id: 1, width: 10, height: 10), head: .roi, extraCount: 0, step: 3)
        #expect(mined.negatives.isEmpty && mined.selectedCount == 0)
    }
}
