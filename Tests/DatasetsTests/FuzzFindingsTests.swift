import Foundation
import Testing
import TestSupport
@testable import Datasets

/// Every input that crashed a fuzz target (`scripts/fuzz.sh`) is kept in
/// `Tests/Fixtures/fuzz/<target>/` under libFuzzer's artifact name and replayed here, so a fixed
/// crash cannot come back. A VOC finding must now end in a typed `AnnotationError.malformed`
/// naming the file, never a trap.
@Suite("Fuzzing findings replayed")
struct FuzzFindingsTests {
    /// The kept inputs of one target, sorted by name.
    private func findings(of target: String) throws -> [URL] {
        let folder = Fixtures.url("fuzz/\(target)")
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test("each input that crashed FuzzVOC is a malformed-file error naming the file")
    func vocFindings() throws {
        let inputs = try findings(of: "FuzzVOC")
        // The crashes so far: a processing instruction without data (`<?xmg?>`), a second XML
        // declaration after bytes that are not UTF-8, and `<?` without a target before `<?x?>`.
        #expect(inputs.count >= 3)
        for url in inputs {
            let bytes = try Data(contentsOf: url)
            let error = try #require(throws: AnnotationError.self, "\(url.lastPathComponent)") {
                try PascalVOCReader.parse(bytes, url: url)
            }
            guard case let .malformed(file, _, reason) = error else {
                Issue.record("\(url.lastPathComponent): expected .malformed, got \(error)")
                continue
            }
            #expect(file == url.path)
            #expect(!reason.isEmpty)
        }
    }

    @Test("each input that made FuzzPNG fail is a corrupt-PNG error naming the file")
    func pngFindings() throws {
        let inputs = try findings(of: "FuzzPNG")
        // An out-of-memory: 101 bytes whose zTXt chunk declares 2 GB, which libpng allocated
        // before reading (now capped by png_set_chunk_malloc_max).
        #expect(inputs.count >= 1)
        for url in inputs {
            let bytes = try [UInt8](Data(contentsOf: url))
            let error = try #require(throws: ImageCodecError.self, "\(url.lastPathComponent)") {
                try RGBImage(decoding: bytes, name: url.path)
            }
            guard case let .corrupt(file, format, reason) = error else {
                Issue.record("\(url.lastPathComponent): expected .corrupt, got \(error)")
                continue
            }
            #expect(file == url.path && format == .png)
            #expect(reason.contains("truncated"), "\(reason)")
        }
    }
}
