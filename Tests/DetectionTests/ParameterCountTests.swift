// TinyFasterRCNN's parameter count, which docs/distributed.md turns into the bytes a
// data-parallel step all-reduces. The expected numbers are counted from the layer definitions.
import Detection
import Randomness
import Testing

@Suite("TinyFasterRCNN's parameter count (the gradient a data-parallel step sums)")
struct ParameterCountTests {
    @Test("981,463 parameters with one class, 993,028 with ten: backbone 70,176 + RPN head 39,853 + box head")
    func count() {
        var generator = SplitMix64(seed: 0)
        // Backbone: 3×3 convolutions with bias, then GroupNorm (weight and bias per channel):
        // 3→16: 432 + 16 + 32; 16→32: 4,608 + 32 + 64; 32→32: 9,216 + 32 + 64;
        // 32→64: 18,432 + 64 + 128; 64→64: 36,864 + 64 + 128.
        let backbone = (432 + 16 + 32) + (4608 + 32 + 64) + (9216 + 32 + 64) + (18432 + 64 + 128) + (36864 + 64 + 128)
        // RPN head: 3×3 64→64, then 1×1 64→9 logits and 64→36 deltas, each with bias.
        let rpn = (36864 + 64) + (576 + 9) + (2304 + 36)
        // Box head: fc6 3,136→256, fc7 256→256, then L = K + 1 class scores and 4L deltas.
        func boxHead(classes k: Int) -> Int {
            let l = k + 1
            return (3136 * 256 + 256) + (256 * 256 + 256) + (256 * l + l) + (256 * 4 * l + 4 * l)
        }
        #expect(backbone == 70_176 && rpn == 39_853 && boxHead(classes: 1) == 871_434)
        for classes in [1, 10] {
            let model = TinyFasterRCNN(classCount: classes, using: &generator)
            let total = model.parameters.reduce(0) { $0 + $1.variable.value.count }
            #expect(total == backbone + rpn + boxHead(classes: classes))
        }
        #expect(backbone + rpn + boxHead(classes: 1) == 981_463)
        #expect(backbone + rpn + boxHead(classes: 10) == 993_028)
    }
}
