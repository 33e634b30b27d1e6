import Testing
@testable import Detection

@Suite("InferenceSettings on a trained detector's configuration")
struct InferenceSettingsTests {
    @Test("given settings replace the four inference fields, nil keeps them, and nothing else changes")
    func replaces() throws {
        var recorded = DetectorConfiguration()
        recorded.anchorSizes = [63, 88, 118]
        recorded.inferencePreNMSTopN = 2000
        let all = try InferenceSettings(preNMSTopN: 36_864, postNMSTopN: 500, tileSize: 512, tileStride: 384)
            .applied(to: recorded, hasProposals: true)
        var expected = recorded
        expected.inferencePreNMSTopN = 36_864; expected.inferencePostNMSTopN = 500
        expected.inferenceTileSize = 512; expected.inferenceTileStride = 384
        #expect(all == expected)
        #expect(all.trainingPreNMSTopN == 2000 && all.trainingTileSize == 400, "training settings are the run's")
        #expect(try InferenceSettings().applied(to: recorded, hasProposals: true) == recorded)
        let tilesOnly = try InferenceSettings(tileSize: 320).applied(to: recorded, hasProposals: false)
        #expect(tilesOnly.inferenceTileSize == 320 && tilesOnly.inferencePreNMSTopN == 2000 && tilesOnly.inferenceTileStride == 300)
    }

    @Test("refused: a top-N without an RPN, a post-NMS top-N above the pre-NMS one, a tile under the backbone's stride, a count below 1, a tile stride above the tile")
    func refuses() throws {
        let recorded = DetectorConfiguration()   // pre-NMS 1,000, post-NMS 300
        let cases: [(InferenceSettings, Bool, String, String)] = [
            (InferenceSettings(preNMSTopN: 500), false, "inferencePreNMSTopN", "applies to the RPN of a two-stage detector (faster-rcnn); this detector makes no proposals"),
            (InferenceSettings(postNMSTopN: 50), false, "inferencePostNMSTopN", "applies to the RPN of a two-stage detector (faster-rcnn); this detector makes no proposals"),
            (InferenceSettings(postNMSTopN: 2000), true, "inferencePostNMSTopN", "2000 exceeds inferencePreNMSTopN 1000: NMS cannot keep more proposals than it is given"),
            (InferenceSettings(preNMSTopN: 200), true, "inferencePostNMSTopN", "300 exceeds inferencePreNMSTopN 200: NMS cannot keep more proposals than it is given"),
            (InferenceSettings(tileSize: 4), true, "inferenceTileSize", "must be at least the backbone's stride, 8 px, got 4"),
            (InferenceSettings(tileStride: 0), true, "inferenceTileStride", "must be at least 1, got 0"),
            (InferenceSettings(preNMSTopN: 0), true, "inferencePreNMSTopN", "must be at least 1, got 0"),
            (InferenceSettings(tileSize: 256), true, "inferenceTileStride",
             "300 exceeds inferenceTileSize 256: bands of the image between tiles would never be seen"),
            (InferenceSettings(tileStride: 401), false, "inferenceTileStride",
             "401 exceeds inferenceTileSize 400: bands of the image between tiles would never be seen"),
        ]
        // A stride equal to the tile (no overlap) leaves nothing unseen.
        #expect(try InferenceSettings(tileStride: 400).applied(to: recorded, hasProposals: true).inferenceTileStride == 400)
        for (settings, hasProposals, key, reason) in cases {
            #expect(throws: ConfigurationError(key: key, reason: reason)) {
                try settings.applied(to: recorded, hasProposals: hasProposals)
            }
        }
    }
}
