// SplitMix64 against Vigna's reference outputs, and the bounded draw built on it.
import Randomness
import Testing

@Suite("SplitMix64 and uniformIndex")
struct SplitMix64Tests {
    @Test("matches the reference splitmix64.c sequence")
    func referenceSequence() {
        var zero = SplitMix64(seed: 0)
        #expect([zero.next(), zero.next(), zero.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var generator = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                                  4_593_380_528_125_082_431, 16_408_922_859_458_223_821]
        #expect((0..<5).map { _ in generator.next() } == expected)
    }

    @Test("uniformIndex stays in range, is reproducible and roughly uniform")
    func uniformIndex() {
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<10_000 {
            let i = a.uniformIndex(below: 10)
            #expect(i == b.uniformIndex(below: 10))
            counts[i] += 1
        }
        // 1,000 expected per bucket, standard deviation ≈ 30: 850...1150 is a five-sigma band.
        #expect(counts.allSatisfy { (850...1150).contains($0) }, "\(counts)")
        var c = SplitMix64(seed: 1)
        #expect((0..<100).allSatisfy { _ in c.uniformIndex(below: 1) == 0 })
    }
}
