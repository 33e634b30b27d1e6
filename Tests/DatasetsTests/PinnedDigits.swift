@testable import Datasets

// Canvas 0 of the train split, seed 0, as this implementation generated it on x86-64 Linux.
// The generator uses only +, ×, / and sqrt on IEEE-754 values (no libm), so these hold on any
// machine; a deliberate change to the generator must update them (and docs/data.md).
extension DigitsDetectionTests {
    static let pinnedHash: UInt64 = 1_260_519_566_358_090_404
    static let pinnedSamples = [805, 1064, 97, 1015, 118]
    static let pinnedBoxes = [
        BoundingBox(x1: 90, y1: 68, x2: 120, y2: 108), BoundingBox(x1: 43, y1: 7, x2: 56, y2: 25),
        BoundingBox(x1: 37, y1: 42, x2: 48, y2: 59), BoundingBox(x1: 86, y1: 26, x2: 115, y2: 64),
        BoundingBox(x1: 77, y1: 95, x2: 96, y2: 123),
    ]
}
