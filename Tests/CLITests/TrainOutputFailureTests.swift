// `quarry train` when its output cannot be written, on the real executable: a folder it may not
// create or write into, and a disk that fills while a checkpoint is written. Either way the run
// ends with exit status 1 and a message naming the file, and a checkpoint already in the folder
// survives byte for byte, with no temporary file left beside it.
//
// A full disk without privileges: the child runs with RLIMIT_FSIZE (`ulimit -f`) below the
// checkpoint's size and SIGXFSZ ignored, so write(2) fails part-way through the file with EFBIG,
// as it fails with ENOSPC on a full file system; the atomic writer handles both the same way.
import Foundation
import Quarry
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("quarry train: unwritable output and a full disk", .serialized,
       .enabled(if: FileManager.default.fileExists(atPath: "/bin/bash"), "needs bash for ulimit"))
struct TrainOutputFailureTests {
    /// `quarry train` on digits for two iterations, one checkpoint at the end.
    func arguments(output: URL) -> [String] {
        ["train", "--dataset", "digits", "--strategy", "random", "--iterations", "2", "--seed", "0",
         "--checkpoint-every", "2", "--threads", "1", "--output", output.path]
    }

    /// A fresh temporary folder; the caller removes it.
    func temporaryRoot() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-unwritable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    /// Runs `quarry` with `arguments` (through bash, so that `shellPrefix` can set limits) and
    /// returns its exit status and output.
    func run(_ arguments: [String], log: URL, shellPrefix: String = "") throws -> (status: Int32, output: String) {
        let quarry = try QuarryProcess.executable()
        let child = try QuarryProcess(URL(fileURLWithPath: "/bin/bash"),
                                      ["-c", shellPrefix + #"exec "$0" "$@""#, quarry.path] + arguments, log: log)
        let status = child.wait()
        return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    @Test("an output folder that cannot be created or written ends the run with exit 1, naming the file")
    func unwritableOutput() throws {
        let root = try temporaryRoot()
        defer {
            chmod(root.appendingPathComponent("read-only").path, 0o755)
            try? FileManager.default.removeItem(at: root)
        }
        let file = root.appendingPathComponent("a-file")
        try Data("not a folder".utf8).write(to: file)
        var outputs = [file.appendingPathComponent("out")]  // ENOTDIR, for every user
        if FileManager.default.fileExists(atPath: "/sys/kernel") {
            outputs.append(URL(fileURLWithPath: "/sys/quarry-test-output"))  // sysfs refuses mkdir, even to root
        }
        if getuid() != 0 {  // root writes into any folder whatever its mode
            let readOnly = root.appendingPathComponent("read-only")
            try FileManager.default.createDirectory(at: readOnly, withIntermediateDirectories: true)
            chmod(readOnly.path, 0o555)
            outputs.append(readOnly)
        }
        for (index, output) in outputs.enumerated() {
            let (status, message) = try run(arguments(output: output), log: root.appendingPathComponent("\(index).log"))
            #expect(status == 1, "\(output.path): \(message)")
            #expect(message.contains("\(output.path)/losses.csv: cannot write"), "\(message)")
            #expect(!message.contains("Fatal error"), "\(message)")
        }
    }

    @Test("a disk that fills during a checkpoint: exit 1 naming the checkpoint; the old one survives, no temporary file is left")
    func diskFullDuringCheckpoint() throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("run")
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors")
        let first = try run(arguments(output: folder), log: root.appendingPathComponent("first.log"))
        try #require(first.status == 0, "\(first.output)")
        let old = try Data(contentsOf: checkpoint)
        #expect(old.count > 4 << 20, "the checkpoint (weights and momentum) is larger than the 1 MiB the second run may write")

        // The same run again into the same folder, with files capped at 1 MiB: losses.csv fits,
        // the checkpoint does not.
        let second = try run(arguments(output: folder), log: root.appendingPathComponent("second.log"),
                             shellPrefix: "trap '' XFSZ; ulimit -f 1024; ")
        #expect(second.status == 1, "\(second.output)")
        #expect(second.output.contains("\(checkpoint.path): cannot write"), "\(second.output)")
        #expect(second.output.contains(String(cString: strerror(EFBIG))), "the system's reason is passed on: \(second.output)")
        #expect(!second.output.contains("Fatal error"), "\(second.output)")
        #expect(try Data(contentsOf: checkpoint) == old, "the previous checkpoint is intact")
        #expect(QuarryProcess.checkpointTemporaries(in: folder).isEmpty, "the partial temporary file was removed")
        #expect(try Checkpoint(contentsOf: checkpoint).metadata["quarry.iteration"] == "2")
    }
}
