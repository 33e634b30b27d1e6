// The RPN's pre-NMS top-N for anchors fitted to the data. Anchors that fit the boxes closely put
// many anchors at the RPN's foreground IoU on every object; the RPN learns to score them all
// high, and a pre-NMS top-N sized for the reference anchors then fills with the neighbours of a
// few objects: after NMS fewer proposals remain than the post-NMS count, and the others' objects
// get none. Measured on digits-4x (docs/configuration.md): 22.5 anchors per digit at IoU ≥ 0.7
// with the fitted anchors against 1.1 with the reference ones; at 1,000 the fitted detector kept
// 75 proposals per image and covered 93.5% of the digits at IoU 0.5, at 4,000 300 and 99.8%.
// The scaling rule is Quarry's, from that measurement; no paper sets the top-N from the anchors.
import Foundation

extension AnchorFitting {
    /// The factor by which to scale the RPN's pre-NMS top-N when the anchors change from
    /// `configured` to `fitted`: the ratio of their anchors per box at the RPN's foreground IoU
    /// (`AnchorCoverage.foregroundAnchorsPerBox`), at least 1 (fitting never lowers it); infinite
    /// when only the fitted anchors reach a box at that IoU.
    public static func preNMSScale(configured: AnchorCoverage, fitted: AnchorCoverage) -> Double {
        let before = configured.foregroundAnchorsPerBox, after = fitted.foregroundAnchorsPerBox
        guard after > before else { return 1 }
        return before > 0 ? after / before : .infinity
    }
}

extension DetectorConfiguration {
    /// The anchors of one T×T tile: ⌈T / 8⌉² locations × A shapes.
    /// - Parameter tileSize: T, pixels.
    public func anchorCount(tileSize: Int) -> Int {
        let cells = (tileSize + Self.backboneStride - 1) / Self.backboneStride
        return cells * cells * anchorsPerLocation
    }

    /// Scales `trainingPreNMSTopN` and `inferencePreNMSTopN` by `factor` (rounded up), each at
    /// most the anchors of its tile (`anchorCount(tileSize:)`, where the top-N stops cutting)
    /// and at least its post-NMS count.
    /// - Parameter factor: ≥ 1, or infinite (every anchor of the tile).
    public mutating func scalePreNMSTopN(by factor: Double) {
        func scaled(_ count: Int, post: Int, tileSize: Int) -> Int {
            let cap = anchorCount(tileSize: tileSize)
            let value = Double(count) * factor
            return max(post, value >= Double(cap) ? cap : Int(value.rounded(.up)))
        }
        trainingPreNMSTopN = scaled(trainingPreNMSTopN, post: trainingPostNMSTopN, tileSize: trainingTileSize)
        inferencePreNMSTopN = scaled(inferencePreNMSTopN, post: inferencePostNMSTopN, tileSize: inferenceTileSize)
    }
}
