// `quarry` copied out of the checkout, as `scripts/install.sh` lays it out (PREFIX/bin/quarry,
// PREFIX/share/quarry/Datasets), still finds its bundled datasets from any directory.
import Foundation
import Testing
import TestSupport

@Suite("quarry installed outside the checkout")
struct InstalledBinaryTests {
    @Test("a copied binary trains on digits from another directory, with the datasets installed beside it")
    func copiedBinary() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-installed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("prefix/bin"), share = root.appendingPathComponent("prefix/share/quarry/Datasets")
        let work = root.appendingPathComponent("work")
        for folder in [bin, share, work] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let binary = bin.appendingPathComponent("quarry")
        try FileManager.default.copyItem(at: try QuarryProcess.executable(), to: binary)
        var environment = ProcessInfo.processInfo.environment
        environment["QUARRY_DATASETS"] = nil
        let arguments = ["train", "--dataset", "digits", "--iterations", "1", "--output", work.appendingPathComponent("out").path]

        // Without the installed datasets: a typed error naming where it looked.
        let failedLog = work.appendingPathComponent("failed.log")
        let failed = try QuarryProcess(binary, arguments, log: failedLog, environment: environment, currentDirectory: work)
        #expect(failed.wait() != 0)
        let message = try String(contentsOf: failedLog, encoding: .utf8)
        #expect(message.contains("no bundled Datasets folder found") && message.contains(share.standardizedFileURL.path), "\(message)")

        try FileManager.default.copyItem(at: BundledData.folder.appendingPathComponent("digits"),
                                        to: share.appendingPathComponent("digits"))
        let log = work.appendingPathComponent("train.log")
        let child = try QuarryProcess(binary, arguments, log: log, environment: environment, currentDirectory: work)
        #expect(child.wait() == 0, "\(QuarryProcess.tail(of: log))")
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("out/checkpoint.safetensors").path))
    }
}
