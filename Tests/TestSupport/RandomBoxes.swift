import Kernels
import Randomness

// Legend: N boxes [N, 4] (x1, y1, x2, y2) in pixels.

/// Random boxes from a fixed seed: [N, 4] (x1, y1, x2, y2) with corners in [0, imageSize) and
/// sides in [minimumSide, maximumSide), so that failures reproduce.
public func randomBoxes(
    _ count: Int, seed: UInt64, imageSize: Float = 100, minimumSide: Float = 1, maximumSide: Float = 40
) -> [Float] {
    var generator = SplitMix64(seed: seed)
    var boxes: [Float] = []
    boxes.reserveCapacity(4 * count)
    for _ in 0..<count {
        let x = Float.random(in: 0..<imageSize, using: &generator)
        let y = Float.random(in: 0..<imageSize, using: &generator)
        let w = Float.random(in: minimumSide..<maximumSide, using: &generator)
        let h = Float.random(in: minimumSide..<maximumSide, using: &generator)
        boxes += [x, y, x + w, y + h]
    }
    return boxes
}

/// Random boxes gathered around a few centres (as NMS meets them: many near-duplicates), [N, 4].
public func clusteredBoxes(_ count: Int, clusters: Int, seed: UInt64, imageSize: Float = 200) -> [Float] {
    var generator = SplitMix64(seed: seed)
    let centres = (0..<max(clusters, 1)).map { _ in
        (Float.random(in: 0..<imageSize, using: &generator), Float.random(in: 0..<imageSize, using: &generator),
         Float.random(in: 8..<40, using: &generator), Float.random(in: 8..<40, using: &generator))
    }
    var boxes: [Float] = []
    boxes.reserveCapacity(4 * count)
    for _ in 0..<count {
        let (cx, cy, w, h) = centres[Int.random(in: 0..<centres.count, using: &generator)]
        let jx = Float.random(in: -0.15...0.15, using: &generator) * w
        let jy = Float.random(in: -0.15...0.15, using: &generator) * h
        let sw = w * Float.random(in: 0.8...1.2, using: &generator), sh = h * Float.random(in: 0.8...1.2, using: &generator)
        boxes += [cx + jx - sw / 2, cy + jy - sh / 2, cx + jx + sw / 2, cy + jy + sh / 2]
    }
    return boxes
}
