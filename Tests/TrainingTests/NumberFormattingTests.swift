import Testing
@testable import Training

/// Report numbers are printed with a fixed number of decimals, whatever their magnitude: a
/// diverging run's loss (1e20) must not print as "1e+20.000".
@Suite("Report number formatting")
struct NumberFormattingTests {
    @Test("fixed decimals for ordinary, large, tiny and negative values", arguments: [
        (0.1354, 3, "0.135"), (2.0, 3, "2.000"), (1e20, 3, "100000000000000000000.000"),
        (1e16, 0, "10000000000000000"), (123_456.789, 1, "123456.8"), (-0.25, 2, "-0.25"),
        (1e-7, 3, "0.000"), (0.0005, 0, "0"),
    ])
    func fixedDecimals(value: Double, digits: Int, expected: String) {
        #expect(format(value, digits) == expected)
    }

    @Test("non-finite values are spelled out")
    func nonFinite() {
        #expect(format(.nan, 3) == "nan")
        #expect(format(.infinity, 3) == "inf")
        #expect(format(-.infinity, 3) == "-inf")
    }

    @Test("seed statistics use the same format")
    func statistics() {
        #expect(SeedStatistics([1e20, 1e20]).formatted(digits: 1) == "100000000000000000000.0 ± 0.0")
    }
}
