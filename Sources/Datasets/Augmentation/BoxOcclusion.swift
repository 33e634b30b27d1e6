// N boxes; M occluding rectangles (cutout, pasted objects), all in pixels of one image.

extension DetectionTarget {
    /// The objects that stay visible when rectangles are painted over the image: a box is kept
    /// when at least `minimumVisibleFraction` of its area lies outside every rectangle, and kept
    /// unchanged (it still spans its object); the others are dropped with their labels.
    ///
    /// The covered area is the exact area of the union of the rectangles inside the box
    /// (coordinate compression over their edges), so overlapping rectangles are not counted
    /// twice. The reference threshold, 0.5, is DESIGN.md's half-visible-area rule for tiles.
    /// - Parameters:
    ///   - rectangles: `[M]` painted rectangles (x1, y1, x2, y2), pixels; none: nothing dropped.
    ///   - minimumVisibleFraction: in [0, 1]; 0.5 is the reference rule.
    public func occluded(by rectangles: [BoundingBox], minimumVisibleFraction: Float) -> DetectionTarget {
        guard !rectangles.isEmpty else { return self }
        var boxes: [BoundingBox] = [], labels: [Int] = [], difficult: [Bool] = []
        for index in 0..<count {
            let box = self.boxes[index]
            let covered = Self.unionArea(of: rectangles.compactMap { $0.intersection(box) })
            guard box.area - covered >= minimumVisibleFraction * box.area else { continue }
            boxes.append(box)
            labels.append(self.labels[index])
            difficult.append(isDifficult[index])
        }
        return DetectionTarget(boxes: boxes, labels: labels, isDifficult: difficult)
    }

    /// The area of the union of rectangles, in square pixels: the sum over the cells of the grid
    /// their edges make of the cells inside at least one rectangle (O(M³), M is small).
    static func unionArea(of rectangles: [BoundingBox]) -> Float {
        guard !rectangles.isEmpty else { return 0 }
        let xs = Array(Set(rectangles.flatMap { [$0.x1, $0.x2] })).sorted()
        let ys = Array(Set(rectangles.flatMap { [$0.y1, $0.y2] })).sorted()
        var area: Float = 0
        for i in 0..<(xs.count - 1) {
            let cx = (xs[i] + xs[i + 1]) / 2
            for j in 0..<(ys.count - 1) {
                let cy = (ys[j] + ys[j + 1]) / 2
                if rectangles.contains(where: { $0.x1 <= cx && cx <= $0.x2 && $0.y1 <= cy && cy <= $0.y2 }) {
                    area += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j])
                }
            }
        }
        return area
    }
}
