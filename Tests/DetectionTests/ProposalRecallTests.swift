// Proposal recall by hand: greedy one-to-one matching (detectron2's proposal evaluation), the
// thresholds 0.50…0.95, images without proposals or boxes; and tiled proposals against the
// RPN's own.
import Detection
import TensorCore
import Testing

@Suite("Proposal recall")
struct ProposalRecallTests {
    static func boxes(_ rows: [[Float]]) -> Tensor { Tensor(shape: [rows.count, 4], scalars: rows.flatMap { $0 }) }

    // A = 10×10 at the origin, B = its top 10×8 (IoU(A, B) = 0.8).
    // P1 = A: IoU 1 with A, 0.8 with B.  P2 = the top 10×4: IoU 0.4 with A, 40/80 = 0.5 with B.
    static let groundTruth = boxes([[0, 0, 10, 10], [0, 0, 10, 8]])
    static let p1: [Float] = [0, 0, 10, 10], p2: [Float] = [0, 0, 10, 4]

    @Test("one proposal serves one box: B gets nothing although P1 covers it at 0.8")
    func oneToOne() {
        var recall = ProposalRecall()
        recall.add(proposals: Self.boxes([Self.p1]), groundTruth: Self.groundTruth)
        #expect(recall.overlaps == [1, 0])
        #expect(ProposalRecall.thresholds.allSatisfy { recall.recall(atIoU: $0) == 0.5 })
        #expect(recall.averageRecall == 0.5)
    }

    @Test("the best pair first: A takes P1 (IoU 1), B is left P2 (IoU 0.5); order of the proposals does not matter")
    func greedyByIoU() {
        for proposals in [[Self.p2, Self.p1], [Self.p1, Self.p2]] {
            var recall = ProposalRecall()
            recall.add(proposals: Self.boxes(proposals), groundTruth: Self.groundTruth)
            #expect(recall.overlaps == [1, 0.5])
            #expect(recall.recall(atIoU: 0.5) == 1)
            #expect(recall.recall(atIoU: 0.55) == 0.5)
            #expect(recall.recall(atIoU: 0.95) == 0.5)
            #expect(abs(recall.averageRecall - 0.55) < 1e-12, "(1 + 9 × 0.5) / 10")
        }
    }

    @Test("a box whose best proposal is taken falls back to its next best")
    func fallback() {
        // C = [0, 0, 10, 9]: IoU 0.9 with P1, 40/90 with P2; A takes P1 first (IoU 1), C gets P2.
        var recall = ProposalRecall()
        recall.add(proposals: Self.boxes([Self.p1, Self.p2]), groundTruth: Self.boxes([[0, 0, 10, 9], [0, 0, 10, 10]]))
        #expect(recall.overlaps == [Float(40) / 90, 1])
    }

    @Test("images without proposals count their boxes as missed; images without boxes add nothing")
    func emptyImages() {
        var recall = ProposalRecall()
        recall.add(proposals: Self.boxes([Self.p1, Self.p2]), groundTruth: Self.groundTruth)
        recall.add(proposals: Tensor(shape: [0, 4], scalars: []), groundTruth: Self.boxes([[5, 5, 9, 9]]))
        recall.add(proposals: Self.boxes([Self.p1]), groundTruth: Tensor(shape: [0, 4], scalars: []))
        #expect(recall.groundTruthCount == 3)
        #expect(recall.imageCount == 3 && recall.proposalCount == 3 && recall.proposalsPerImage == 1)
        #expect(recall.recall(atIoU: 0.5) == 2.0 / 3)
        #expect(recall.recall(atIoU: 0.7) == 1.0 / 3)
        #expect(ProposalRecall().recall(atIoU: 0.5) == 0)
    }
}

@Suite("Tiled proposals", .serialized)
struct TiledProposalTests {
    let golden = GoldenFixture.shared

    @Test("one tile: the RPN's proposals, cut to the limit")
    func oneTile() throws {
        let model = try golden.model()
        let own = model.proposals(images: golden.image)[0]
        try #require(own.shape[0] > 100)
        #expect(model.proposalsTiled(image: golden.image.reshaped(to: [3, 400, 400]), limits: [300, 100])
                == [own, own.slice(alongAxis: 0, 0..<100)])
    }

    @Test("a 400 × 700 image: the first tile's proposals, then the second tile's shifted 300 px right")
    func twoTiles() throws {
        let model = try golden.model()
        let image = golden.image.reshaped(to: [3, 400, 400])
        let wide = Tensor.concatenate([image, image.slice(alongAxis: 2, 0..<300)], alongAxis: 2)
        let second = wide.slice(alongAxis: 2, 300..<700).reshaped(to: [1, 3, 400, 400])
        let expected = Tensor.concatenate([model.proposals(images: golden.image)[0].slice(alongAxis: 0, 0..<50),
                                           Boxes.shifted(model.proposals(images: second)[0].slice(alongAxis: 0, 0..<50), dx: 300, dy: 0)],
                                          alongAxis: 0)
        #expect(model.proposalsTiled(image: wide, limits: [50]) == [expected])
    }
}
