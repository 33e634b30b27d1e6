import Testing
@testable import Evaluation

@Suite("COCOBox overlap (pycocotools bbIou)")
struct COCOBoxTests {
    let detection = COCOBox(x: 0, y: 0, width: 10, height: 10)

    @Test("regular IoU: intersection over union")
    func regular() {
        // Intersection 5·10 = 50, union 100 + 100 − 50 = 150.
        let object = COCOBox(x: 5, y: 0, width: 10, height: 10)
        #expect(detection.overlap(withGroundTruth: object, isCrowd: false) == 50.0 / 150.0)
    }

    @Test("crowd IoU: intersection over the detection's area")
    func crowd() {
        // Intersection 50 over detection area 100; a detection inside a crowd region scores 1.
        let object = COCOBox(x: 5, y: 0, width: 10, height: 10)
        #expect(detection.overlap(withGroundTruth: object, isCrowd: true) == 0.5)
        let region = COCOBox(x: -10, y: -10, width: 100, height: 100)
        #expect(detection.overlap(withGroundTruth: region, isCrowd: true) == 1)
    }

    @Test("touching or disjoint boxes score 0; corners convert to x, y, w, h")
    func disjoint() {
        #expect(detection.overlap(withGroundTruth: COCOBox(x: 10, y: 0, width: 5, height: 5), isCrowd: false) == 0)
        #expect(detection.overlap(withGroundTruth: COCOBox(x: 0, y: 20, width: 5, height: 5), isCrowd: true) == 0)
        #expect(COCOBox(x1: 1, y1: 2, x2: 4, y2: 8) == COCOBox(x: 1, y: 2, width: 3, height: 6))
        #expect(COCOBox(x: 1, y: 2, width: 3, height: 6).area == 18)
    }
}
