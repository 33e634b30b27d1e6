import Foundation
import Testing
@testable import Evaluation

/// Files that are not JSON must be reported as such: only a real `NaN` / `Infinity` /
/// `-Infinity` token may be called a non-finite number (Python's `json.dump` writes them).
@Suite("Malformed JSON diagnosis")
struct MalformedJSONDiagnosisTests {
    /// Writes `bytes` to a fresh file and returns the error loading it as ground truth throws.
    func groundTruthError(_ bytes: [UInt8]) throws -> COCOFileError {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("gt.json")
        try Data(bytes).write(to: url)
        return try #require(throws: COCOFileError.self) { try COCOGroundTruth.load(contentsOf: url) }
    }

    @Test("a word starting with N or I outside strings is malformed JSON, not a non-finite number",
          arguments: [#"{"images": None}"#, #"{"images": Nope}"#, #"{"images": [Id]}"#, #"{"images": NaNa}"#])
    func wordsThatAreNotNumbers(text: String) throws {
        let error = try groundTruthError(Array(text.utf8))
        guard case .malformedJSON = error.kind else {
            Issue.record("expected malformedJSON, got \(error)")
            return
        }
        #expect(error.location == "")
    }

    @Test("binary garbage is malformed JSON")
    func garbage() throws {
        // Bytes that hold 'N' and 'I' outside any string, as random data does.
        let error = try groundTruthError([0x00, 0xFF, 0x4E, 0x0A, 0x49, 0x7B, 0x9C])
        guard case .malformedJSON = error.kind else {
            Issue.record("expected malformedJSON, got \(error)")
            return
        }
    }

    @Test("bare NaN, Infinity and -Infinity tokens are named with their line", arguments: ["NaN", "Infinity", "-Infinity"])
    func nonFiniteTokens(token: String) throws {
        let text = "{\"images\": [],\n \"annotations\": [], \"categories\": [{\"id\": \(token)}]}"
        let error = try groundTruthError(Array(text.utf8))
        #expect(error.kind == .nonFiniteNumber && error.location == "line 2")
    }
}
