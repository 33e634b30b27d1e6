import Foundation

/// The UCI handwritten digits: 1,797 images of 8 × 8 pixels, intensities 0…16, labels 0–9.
///
/// Source: the test set of "Optical Recognition of Handwritten Digits" (UCI, CC BY 4.0) as
/// shipped by scikit-learn (`digits.csv.gz`); `Datasets/digits/digits.csv` is the gunzipped copy
/// (Foundation on Linux cannot gunzip). Each line holds 64 pixels row-major, then the label.
public struct DigitGlyphs: Sendable, Equatable {
    /// `[S, 64]` intensities 0…16, row-major 8 × 8, one array per sample.
    public let intensities: [[UInt8]]
    /// `[S]` digit values 0–9.
    public let digits: [Int]

    /// The number of samples S.
    public var count: Int { digits.count }

    /// Creates glyphs from intensities and labels.
    /// - Precondition: equal counts; 64 intensities in 0…16 each; digits in 0…9.
    public init(intensities: [[UInt8]], digits: [Int]) {
        precondition(intensities.count == digits.count,
                     "DigitGlyphs: \(intensities.count) images but \(digits.count) labels")
        precondition(intensities.allSatisfy { $0.count == 64 && $0.allSatisfy { $0 <= 16 } },
                     "DigitGlyphs: every image needs 64 intensities in 0...16")
        precondition(digits.allSatisfy { (0...9).contains($0) }, "DigitGlyphs: labels must be 0...9")
        self.intensities = intensities
        self.digits = digits
    }

    /// Reads a digits CSV file (65 integers per line, no header).
    /// - Throws: `AnnotationError` naming the file: `.unreadable`, or `.malformed` at a 1-based
    ///   line (wrong field count, a value that is not an integer in range).
    public static func load(from url: URL) throws(AnnotationError) -> DigitGlyphs {
        let file = url.path
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadable(file: file, reason: error.localizedDescription)
        }
        var intensities: [[UInt8]] = []
        var digits: [Int] = []
        // "\r\n" is a single Character in Swift, so split on each line-break form explicitly.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (offset, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let values = trimmed.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == 65 else {
                throw .malformed(file: file, at: .line(offset + 1), reason: "\(values.count) values, expected 65")
            }
            let numbers = values.compactMap { $0 }
            guard numbers.count == 65, numbers.prefix(64).allSatisfy({ (0...16).contains($0) }),
                  (0...9).contains(numbers[64]) else {
                throw .malformed(file: file, at: .line(offset + 1),
                                 reason: "expected 64 integers in 0...16 and a label in 0...9")
            }
            intensities.append(numbers.prefix(64).map { UInt8($0) })
            digits.append(numbers[64])
        }
        return DigitGlyphs(intensities: intensities, digits: digits)
    }

    /// Reads `digits/digits.csv` of a datasets folder (see `DatasetLocator`).
    /// - Throws: `AnnotationError` as `load(from:)`.
    public static func load(datasetsFolder: URL) throws(AnnotationError) -> DigitGlyphs {
        try load(from: datasetsFolder.appendingPathComponent("digits").appendingPathComponent("digits.csv"))
    }
}
