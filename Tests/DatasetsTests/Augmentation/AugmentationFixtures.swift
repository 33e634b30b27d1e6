@testable import Datasets

/// Small images and samples for the augmentation tests, with every pixel distinct.
enum AugmentationFixtures {
    /// A W × H image whose pixel (x, y) is (x, y, 10·x + y): each pixel says where it came from.
    static func coordinateImage(width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width { image[x, y] = RGBColor(red: UInt8(x), green: UInt8(y), blue: UInt8(10 * x + y)) }
        }
        return image
    }

    /// A sample of `coordinateImage` with the given boxes, labelled 1, 2, 3, … in order.
    static func sample(width: Int, height: Int, boxes: [BoundingBox]) -> DetectionSample {
        DetectionSample(name: "s", image: coordinateImage(width: width, height: height),
                        target: DetectionTarget(boxes: boxes, labels: Array(1...max(boxes.count, 1)).prefix(boxes.count).map { $0 }))
    }

    /// A box from its corners, in pixels.
    static func box(_ x1: Float, _ y1: Float, _ x2: Float, _ y2: Float) -> BoundingBox {
        BoundingBox(x1: x1, y1: y1, x2: x2, y2: y2)
    }
}
