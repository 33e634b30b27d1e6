// The RPN's pre-NMS top-N for anchors fitted to the data. Anchors that fit the boxes closely put
// many anchors at the RPN's foreground IoU on every object; the RPN learns to score them all
// high, and a pre-NMS top-N sized for the reference anchors then fills with the neighbours of a
// few objects: after NMS fewer proposals remain than the post-NMS count, and the other objects
// get none. Measured on digits-4x (docs/configuration.md): 22.5 anchors per digit at IoU ≥ 0.7
// with the fitted anchors against 1.1 with the reference ones; at 1,000 the fitted detector kept
// 75 proposals per image and covered 93.5% of the digits at IoU 0.5; at 4,000, or with every
// anchor, 300 and 99.8%. NMS takes the best survivors first, so a larger top-N changes the
// proposals only when a smaller one runs out: keeping every anchor costs time (the sort and the
// NMS over all of a tile's anchors), never proposals. The rule is Quarry's, from that
// measurement; no paper sets the top-N from the anchors.

extension DetectorConfiguration {
    /// The anchors of one T×T tile: ⌈T / 8⌉² locations × A shapes, saturating at `Int.max`.
    /// - Parameter tileSize: T ≥ 1, pixels.
    public func anchorCount(tileSize: Int) -> Int {
        let cells = (tileSize - 1) / Self.backboneStride + 1
        let (square, overflow) = cells.multipliedReportingOverflow(by: cells)
        let (count, overflowAgain) = square.multipliedReportingOverflow(by: anchorsPerLocation)
        return overflow || overflowAgain ? Int.max : count
    }

    /// Raises `trainingPreNMSTopN` and `inferencePreNMSTopN` to the anchors of their tiles
    /// (`anchorCount(tileSize:)`), so the RPN cuts nothing before NMS; a larger value is kept.
    public mutating func keepEveryAnchorBeforeNMS() {
        trainingPreNMSTopN = max(trainingPreNMSTopN, anchorCount(tileSize: trainingTileSize))
        inferencePreNMSTopN = max(inferencePreNMSTopN, anchorCount(tileSize: inferenceTileSize))
    }
}
