import Datasets
import Detection
import Kernels
import Randomness
import TensorCore
import Testing

@Suite("Flip mirroring")
struct FlipMirroringTests {
    @Test("boxes: hand-computed mirror images on a 400 × 300 image")
    func boxes() {
        let box = SIMD4<Float>(10, 20, 50, 80)
        #expect(Flip.horizontalOnly.mirrored(box, width: 400, height: 300) == SIMD4(350, 20, 390, 80))
        #expect(Flip.verticalOnly.mirrored(box, width: 400, height: 300) == SIMD4(10, 220, 50, 280))
        #expect(Flip.both.mirrored(box, width: 400, height: 300) == SIMD4(350, 220, 390, 280))
        #expect(Flip.none.mirrored(box, width: 400, height: 300) == box)
    }

    @Test("boxes round-trip bit-exactly through Double for arbitrary Float coordinates", arguments: [Flip.horizontalOnly, .verticalOnly, .both])
    func boxRoundTrip(flip: Flip) {
        var g = SplitMix64(seed: 3)
        for _ in 0..<1_000 {
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: g.next() >> 41) | 0x3F80_0000) * 150 - 149  // [1, 151)
            let box = SIMD4<Float>(x, x / 3, x + 0.123_456_7, x / 3 + 9.87)
            let once = flip.mirrored(SIMD4<Double>(box), width: 400, height: 300)
            let twice = flip.mirrored(once, width: 400, height: 300)
            #expect(SIMD4<Float>(twice) == box)
        }
        var flat: [Float] = [1, 2, 3, 4, 100.5, 0.25, 399, 299.75]
        let original = flat
        flip.mirror(&flat, width: 400, height: 300)
        #expect(flat != original)
        flip.mirror(&flat, width: 400, height: 300)
        #expect(flat == original)
    }

    /// torchvision-style anchors for a layout: base anchors round(±(w, h)/2) for sizes (16, 32)
    /// × ratios (0.5, 1, 2), shifted by (x·s, y·s) (plus s/2 when cell-centred).
    func anchorBoxes(_ layout: AnchorLayout) -> [SIMD4<Float>] {
        var base: [SIMD4<Float>] = []
        for ratio in [Float(0.5), 1, 2] {
            for size in [Float(16), 32] {
                let h = ratio.squareRoot(), w = 1 / h
                base.append(SIMD4(-w * size, -h * size, w * size, h * size) / 2)
            }
        }
        base = base.map { ($0).rounded(.toNearestOrEven) }
        let offset: Float = layout.alignment == .cellCentred ? 0.5 : 0
        var out: [SIMD4<Float>] = []
        for y in 0..<layout.featureHeight {
            for x in 0..<layout.featureWidth {
                let cx = (Float(x) + offset) * Float(layout.strideWidth), cy = (Float(y) + offset) * Float(layout.strideHeight)
                for b in base { out.append(b + SIMD4(cx, cy, cx, cy)) }
            }
        }
        return out
    }

    @Test("anchor indices: the mirrored index's box is the mirrored box, and mirroring twice is the identity",
          arguments: [AnchorLayout.Alignment.cornerAligned, .cellCentred])
    func anchorIndices(alignment: AnchorLayout.Alignment) {
        let layout = AnchorLayout(featureHeight: 5, featureWidth: 7, anchorsPerLocation: 6, strideHeight: 8, strideWidth: 8, alignment: alignment)
        let boxes = anchorBoxes(layout)
        for flip in [Flip.horizontalOnly, .verticalOnly, .both] {
            var missing = 0
            for i in 0..<layout.anchorCount {
                guard let j = flip.mirroredAnchorIndex(i, layout: layout, width: 56, height: 40) else { missing += 1; continue }
                #expect(boxes[j] == flip.mirrored(boxes[i], width: 56, height: 40))
                #expect(flip.mirroredAnchorIndex(j, layout: layout, width: 56, height: 40) == i)
            }
            // Corner-aligned: column 0 / row 0 have no mirror image on the grid; cell-centred: a bijection.
            let expectedMissing: Int
            switch (alignment, flip) {
            case (.cellCentred, _): expectedMissing = 0
            case (.cornerAligned, .horizontalOnly): expectedMissing = 5 * 6
            case (.cornerAligned, .verticalOnly): expectedMissing = 7 * 6
            default: expectedMissing = (5 + 7 - 1) * 6
            }
            #expect(missing == expectedMissing)
        }
    }

    @Test("hand-computed indices on DESIGN.md's 50 × 50 × 9 grid of a 400-pixel tile")
    func designGrid() {
        let layout = AnchorLayout(featureHeight: 50, featureWidth: 50, anchorsPerLocation: 9, strideHeight: 8, strideWidth: 8)
        let index = (3 * 50 + 10) * 9 + 4  // y 3, x 10, a 4
        #expect(Flip.horizontalOnly.mirroredAnchorIndex(index, layout: layout, width: 400, height: 400) == (3 * 50 + 40) * 9 + 4)
        #expect(Flip.verticalOnly.mirroredAnchorIndex(index, layout: layout, width: 400, height: 400) == (47 * 50 + 10) * 9 + 4)
        #expect(Flip.horizontalOnly.mirroredAnchorIndex(4, layout: layout, width: 400, height: 400) == nil)
        #expect(Flip.none.mirroredAnchorIndex(index, layout: layout, width: 400, height: 400) == index)
        let centred = AnchorLayout(featureHeight: 50, featureWidth: 50, anchorsPerLocation: 9, strideHeight: 8, strideWidth: 8, alignment: .cellCentred)
        #expect(Flip.horizontalOnly.mirroredAnchorIndex(index, layout: centred, width: 400, height: 400) == (3 * 50 + 39) * 9 + 4)
        // A tile width that is not a multiple of the stride has no exact mirror.
        #expect(Flip.horizontalOnly.mirroredAnchorIndex(index, layout: layout, width: 401, height: 400) == nil)
    }
}
