// Synthetic multi-class detection canvases made from real handwritten digits.
// C×C canvas (C = 128), s×s pasted digit (s in 16...40), pixels.

import Randomness

/// Generates the handwritten-digit detection set of DESIGN.md: 128 × 128 RGB canvases holding
/// 3–8 UCI digits upscaled to 16–40 px, with noise and stroke-like clutter as distractors.
///
/// Class `d + 1` is digit `d` (class names "0"…"9"; 0 stays background). Train canvases draw
/// digits from samples 0–1199, test canvases from 1200–1796. Canvas `i` of a split depends only
/// on `(seed, split, i)` (its own `SplitMix64` stream), so any subset can be regenerated.
///
/// One canvas, in draw order: (1) background: a grey level `b ~ U[0, 48)`, then every sample of
/// every pixel (row-major, R, G, B) is `b + U[0, 32)`; (2) clutter: `U{2…6}` strokes, each a
/// straight segment (6–24 px) or a circular arc (radius 3–10 px, sweep 90°–270°), 0.6–1.4 px
/// pen radius, colour and opacity like ink, so they look like pieces of digits but are not
/// boxed; (3) digits: a target count `U{3…8}`; each attempt draws a size `s`, an origin and a
/// sample, renders the 8 × 8 glyph bilinearly (half-pixel centres) to s × s with alpha =
/// intensity / 16, and takes as box the pixels with alpha ≥ 0.25; the attempt is accepted when
/// the box's IoU with every accepted box is < 0.1 (at most 100 attempts per wanted digit). Each
/// accepted digit gets an ink colour with channels in [170, 256) and is alpha-blended on top.
public struct DigitsDetection: Sendable {
    /// The generator's parameters (the defaults are the reference ones).
    public struct Configuration: Sendable, Equatable {
        /// The canvas side C, in pixels.
        public var canvasSize = 128
        /// How many digits a canvas holds.
        public var digitCount = 3...8
        /// The side of a pasted digit, in pixels.
        public var digitSize = 16...40
        /// Two digits' boxes overlap with IoU strictly below this.
        public var maximumIoU: Float = 0.1
        /// How many clutter strokes a canvas holds.
        public var clutterStrokes = 2...6

        /// The reference configuration.
        public init() {}

        /// The reference at 4× scale: 512×512 canvases, digits 64–160 px (the `digits-4x`
        /// dataset; issue 13: objects far from the reference anchors' 16–64 px).
        public static let fourTimesScale: Configuration = {
            var configuration = Configuration()
            configuration.canvasSize = 512
            configuration.digitSize = 64...160
            return configuration
        }()
    }

    /// The class names: label `d + 1` is digit `d`.
    public static let classNames = (0...9).map(String.init)
    /// The glyph samples train canvases draw from.
    public static let trainingSamples = 0..<1200
    /// The glyph samples test canvases draw from.
    public static let testSamples = 1200..<1797

    /// The UCI glyphs.
    public let glyphs: DigitGlyphs
    /// The parameters.
    public let configuration: Configuration

    /// Creates a generator.
    /// - Precondition: `glyphs` holds all 1,797 UCI samples; the largest digit fits the canvas.
    public init(glyphs: DigitGlyphs, configuration: Configuration = Configuration()) {
        precondition(glyphs.count >= Self.testSamples.upperBound,
                     "DigitsDetection: needs \(Self.testSamples.upperBound) glyphs, got \(glyphs.count)")
        precondition(configuration.digitSize.lowerBound >= 1
                     && configuration.digitSize.upperBound <= configuration.canvasSize,
                     "DigitsDetection: digit sizes \(configuration.digitSize) must fit the \(configuration.canvasSize) px canvas")
        self.glyphs = glyphs
        self.configuration = configuration
    }

    /// A pasted digit.
    public struct Placement: Sendable, Equatable {
        /// The UCI sample index.
        public var sampleIndex: Int
        /// The digit value 0–9 (its label is `digit + 1`).
        public var digit: Int
        /// The pasted square, s × s pixels.
        public var region: PixelRegion
        /// The ground-truth box: the pixels of the square with alpha ≥ 0.25.
        public var box: BoundingBox
    }

    /// One generated canvas and how it was made.
    public struct Canvas: Sendable, Equatable {
        /// The image and its boxes/labels, named `digits-<split>-<index>`.
        public var sample: DetectionSample
        /// The digits, in paste order (the same order as the sample's boxes).
        public var placements: [Placement]
    }

    /// Generates canvas `index` of a split.
    /// - Precondition: `index ≥ 0`.
    public func canvas(_ index: Int, split: DatasetSplit, seed: UInt64) -> Canvas {
        precondition(index >= 0, "DigitsDetection.canvas: negative index \(index)")
        var generator = SplitMix64(seed: seed, stream: split == .train ? 1 : 2, UInt64(index))
        var painter = CanvasPainter(side: configuration.canvasSize)
        painter.paintBackground(using: &generator)
        for _ in 0..<generator.int(in: configuration.clutterStrokes) {
            painter.paintStroke(using: &generator)
        }
        let placements = placeDigits(split: split, using: &generator)
        for placement in placements {
            let ink = (0..<3).map { _ in Float(generator.double(in: 170..<256)) }
            painter.paint(alpha: alphaPatch(placement.sampleIndex, size: placement.region.width),
                          at: placement.region, ink: ink)
        }
        let target = DetectionTarget(boxes: placements.map(\.box), labels: placements.map { $0.digit + 1 })
        let name = "digits-\(split.rawValue)-\(index)"
        return Canvas(sample: DetectionSample(name: name, image: painter.image(), target: target), placements: placements)
    }

    /// Generates canvases `0..<count` of a split as a dataset with the ten digit classes.
    /// - Precondition: `count ≥ 0`.
    public func dataset(_ split: DatasetSplit, count: Int, seed: UInt64) -> DetectionDataset {
        precondition(count >= 0, "DigitsDetection.dataset: negative count \(count)")
        return DetectionDataset(classNames: Self.classNames,
                                samples: (0..<count).map { canvas($0, split: split, seed: seed).sample })
    }

    // MARK: - Placement

    private func placeDigits(split: DatasetSplit, using generator: inout SplitMix64) -> [Placement] {
        let pool = split == .train ? Self.trainingSamples : Self.testSamples
        let wanted = generator.int(in: configuration.digitCount)
        var placements: [Placement] = []
        var attempts = 0
        while placements.count < wanted && attempts < 100 * wanted {
            attempts += 1
            let size = generator.int(in: configuration.digitSize)
            let x = generator.int(in: 0...(configuration.canvasSize - size))
            let y = generator.int(in: 0...(configuration.canvasSize - size))
            let sampleIndex = pool.lowerBound + generator.int(below: pool.count)
            guard let inkBox = inkBounds(alphaPatch(sampleIndex, size: size), size: size) else { continue }
            let box = inkBox.offsetBy(dx: Float(x), dy: Float(y))
            guard placements.allSatisfy({ $0.box.iou(with: box) < configuration.maximumIoU }) else { continue }
            placements.append(Placement(sampleIndex: sampleIndex, digit: glyphs.digits[sampleIndex],
                                        region: PixelRegion(x: x, y: y, width: size, height: size), box: box))
        }
        return placements
    }

    /// The glyph upscaled to `size × size` alpha values in [0, 1], bilinear with half-pixel centres.
    func alphaPatch(_ sampleIndex: Int, size: Int) -> [Float] {
        let glyph = glyphs.intensities[sampleIndex]
        let scale = 8 / Float(size)
        func axis(_ p: Int) -> (Int, Int, Float) {
            let v = min(max((Float(p) + 0.5) * scale - 0.5, 0), 7)
            let low = Int(v)
            return (low, min(low + 1, 7), v - Float(low))
        }
        var patch = [Float](repeating: 0, count: size * size)
        for py in 0..<size {
            let (y0, y1, fy) = axis(py)
            for px in 0..<size {
                let (x0, x1, fx) = axis(px)
                let top = Float(glyph[y0 * 8 + x0]) * (1 - fx) + Float(glyph[y0 * 8 + x1]) * fx
                let bottom = Float(glyph[y1 * 8 + x0]) * (1 - fx) + Float(glyph[y1 * 8 + x1]) * fx
                patch[py * size + px] = (top * (1 - fy) + bottom * fy) / 16
            }
        }
        return patch
    }

    /// The box (patch pixels) of the alpha ≥ 0.25 pixels, or `nil` if there are none.
    private func inkBounds(_ patch: [Float], size: Int) -> BoundingBox? {
        var (minX, minY, maxX, maxY) = (size, size, -1, -1)
        for py in 0..<size {
            for px in 0..<size where patch[py * size + px] >= 0.25 {
                minX = min(minX, px); maxX = max(maxX, px)
                minY = min(minY, py); maxY = max(maxY, py)
            }
        }
        guard maxX >= 0 else { return nil }
        return BoundingBox(x1: Float(minX), y1: Float(minY), x2: Float(maxX + 1), y2: Float(maxY + 1))
    }
}
