import Testing
@testable import Evaluation

/// The printed summary lines follow pycocotools' format (`maxDets={:>3d}`) for any cap, including
/// caps beyond 32 bits that `%3d` would truncate.
@Suite("COCO summary lines")
struct SummaryLineTests {
    func line(cap: Int) -> String {
        COCOSummary.Metric(isAveragePrecision: false, iouThreshold: nil, areaLabel: "all", maxDetections: cap, value: 0.25).line
    }

    @Test("caps are right-aligned in three columns as pycocotools prints them")
    func smallCaps() {
        #expect(line(cap: 1) == " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.250")
        #expect(line(cap: 300).hasSuffix("maxDets=300 ] = 0.250"))
        #expect(line(cap: 12_345).hasSuffix("maxDets=12345 ] = 0.250"))
    }

    @Test("a cap beyond 2^32 prints in full, not truncated to 32 bits", arguments: [4_294_967_396, Int.max])
    func largeCaps(cap: Int) {
        #expect(line(cap: cap).hasSuffix("maxDets=\(cap) ] = 0.250"))
    }
}
