// The pictures of the report's "What each strategy mines" section: a training tile as stored,
// its ground truth, and the negatives one strategy trained on there (issue 14, item 5).
import Datasets
import Detection
import Foundation

/// Draws a tile's recorded negatives (`MinedNegatives`) over its ground truth, the way
/// `detections-<strategy>.png` draws detections (`RGBImage.drawRectangle`).
public enum MinedNegativePictures {
    /// How many negatives a picture draws: the recorded ones, 20 at most, highest loss first.
    public static let drawnCount = MinedNegatives.recordedCount
    /// The colour of a buffer replay: magenta (255, 0, 255).
    public static let replayColor = RGBColor(red: 255, green: 0, blue: 255)

    /// The file name of one picture: `mined-<stem>-<head>-tile-<i>.png` (the entry's name spelt as
    /// `detections-<strategy>.png`'s, e.g. `mined-ohem-roi-tile-3.png`).
    public static func fileName(entryStem: String, head: String, tile: Int) -> String {
        "mined-\(entryStem)-\(head)-tile-\(tile).png"
    }

    /// Returns the tile with its ground truth (yellow, 1 pixel) and the record's first
    /// ``drawnCount`` negatives (red, 1 pixel; replays magenta), boxes in the tile's un-flipped frame.
    /// - Parameters:
    ///   - record: one tile's record at one head.
    ///   - sample: the tile (the training sample `record.imageID` names).
    public static func picture(of record: MinedNegatives, on sample: DetectionSample) -> RGBImage {
        var image = sample.image
        for box in sample.target.boxes { image.drawRectangle(box, color: .yellow, thickness: 1) }
        // Lowest loss first, so that the hardest stay on top where boxes overlap.
        for negative in record.negatives.prefix(drawnCount).reversed() {
            let b = negative.box
            image.drawRectangle(BoundingBox(x1: b[0], y1: b[1], x2: b[2], y2: b[3]),
                                color: negative.replayed ? replayColor : .red, thickness: 1)
        }
        return image
    }
}
