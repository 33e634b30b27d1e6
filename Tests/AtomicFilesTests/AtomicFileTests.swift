import AtomicFiles
import Foundation
import Testing

/// A fresh, empty folder under the system's temporary directory.
private func makeFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-atomic-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The names in `folder`, sorted.
private func listing(_ folder: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
}

@Suite("AtomicFile: temporary file, fsync, rename")
struct AtomicFileTests {
    @Test("writes replace the file (bytes, Data, text) and leave no temporary behind")
    func replace() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("report.md")
        try AtomicFile.write([0, 1, 2, 255] as [UInt8], to: url)
        #expect(try Data(contentsOf: url) == Data([0, 1, 2, 255]))
        try AtomicFile.write(Data("first".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "first")
        try AtomicFile.write("second, é", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second, é")
        try AtomicFile.write("", to: url)
        #expect(try Data(contentsOf: url).isEmpty)
        #expect(try listing(folder) == ["report.md"])
    }

    @Test("creatingFolder makes missing parents; without it a missing folder is an error naming the file")
    func missingFolder() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let nested = folder.appendingPathComponent("a/b/out.json")
        let error = try #require(throws: AtomicWriteError.self) { try AtomicFile.write("{}", to: nested) }
        #expect(error.path == nested.path)
        #expect(error.reason.hasPrefix("cannot create temporary file"))
        #expect(error.reason.hasSuffix("No such file or directory"))
        #expect(try listing(folder).isEmpty)

        try AtomicFile.write("{}", to: nested, creatingFolder: true)
        #expect(try String(contentsOf: nested, encoding: .utf8) == "{}")
    }

    @Test("a failed rename removes the temporary file and leaves the destination as it was")
    func failedRename() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A non-empty folder cannot be replaced by a file: rename fails after the write and fsync.
        let destination = folder.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: false)
        try Data("kept".utf8).write(to: destination.appendingPathComponent("inside"))
        let error = try #require(throws: AtomicWriteError.self) { try AtomicFile.write("new", to: destination) }
        #expect(error.path == destination.path)
        #expect(error.reason.hasPrefix("cannot rename \(folder.path)/.taken.tmp-"))
        #expect(try listing(folder) == ["taken"])
        #expect(try String(contentsOf: destination.appendingPathComponent("inside"), encoding: .utf8) == "kept")
    }

    @Test("the temporary name is hidden and starts with the destination's name")
    func temporaryName() {
        #expect(AtomicFile.temporaryNamePrefix(for: "checkpoint.safetensors") == ".checkpoint.safetensors.tmp-")
    }

    @Test("the error's message names the file, also through localizedDescription")
    func message() {
        let error = AtomicWriteError(path: "/x/y.png", reason: "cannot sync /x/.y.png.tmp-1-2: No space left on device")
        #expect(error.description == "/x/y.png: cannot sync /x/.y.png.tmp-1-2: No space left on device")
        #expect(error.localizedDescription == error.description)
    }
}
