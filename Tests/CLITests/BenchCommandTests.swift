// `quarry bench`: the real executable's JSON on a quick workload, the Quarry/reference ratio and
// its formatting on hand-made figures, and every way a --against file can be bad (a typed error
// naming the file and key, never a trap). No timing is asserted: speed belongs to benchmarks.
import ArgumentParser
import Foundation
import KernelContract
import Testing
@testable import QuarryCLI

@Suite("quarry bench")
struct BenchCommandTests {
    /// A fresh temporary folder.
    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Writes `text` to `name` in `folder` and returns its path.
    func write(_ text: String, named name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The unit of each contract id, as `quarry bench` checks references against.
    let units = BenchCommand.contractUnits

    // MARK: - The real executable

    @Test("--filter on quick workloads writes JSON with their keys, positive finite throughputs, ceilings and the machine")
    func jsonOutput() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("sub/bench.json"), log = folder.appendingPathComponent("log.txt")
        let child = try QuarryProcess(try QuarryProcess.executable(),
                                      ["bench", "--filter", "^K(3|5)$", "--seconds", "0", "--json", output.path], log: log)
        #expect(child.wait() == 0, "quarry bench failed: \(QuarryProcess.tail(of: log))")
        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        #expect(Set(json.keys) == ["K3", "K5", "ceilings", "machine"])
        for (id, unit) in [("K3", "elem/s"), ("K5", "anchors/s")] {
            let entry = try #require(json[id] as? [String: Any], "\(id) missing")
            let throughput = try #require(entry["throughput"] as? Double)
            #expect(throughput > 0 && throughput.isFinite, "\(id) throughput \(throughput)")
            #expect(entry["unit"] as? String == unit)
            let median = try #require(entry["median_s"] as? Double)
            #expect(median > 0 && median.isFinite)
            let fraction = try #require(entry["ceiling_fraction"] as? Double)
            #expect(fraction > 0 && fraction.isFinite)
            #expect(entry["ceiling"] as? String == "memory copy")
            #expect(try #require(entry["runs"] as? Int) >= 20)
            // The throughput is the work of one run over the median run time.
            let work = try #require(KernelContract.contractWorkloads.first { $0.id == id }).workPerRun
            #expect(abs(throughput * median / work - 1) < 1e-9)
        }
        let ceilings = try #require(json["ceilings"] as? [String: Any])
        for key in ["sgemm_gflops", "copy_gbps"] {
            let value = try #require(ceilings[key] as? Double, "ceilings.\(key)")
            #expect(value > 0 && value.isFinite)
        }
        let machine = try #require(json["machine"] as? [String: Any])
        #expect(machine["threads"] as? Int == 2)
        #expect(!(try #require(machine["cpu_model"] as? String)).isEmpty)
        #expect(!(try #require(machine["blas_core"] as? String)).isEmpty)
        // The printed header: CPU model first, then the BLAS core, then the thread count.
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { !$0.contains(" info quarry") }
        #expect(lines.count > 3 && lines[0].hasPrefix("CPU: ") && lines[1].hasPrefix("BLAS: ") && lines[2] == "threads: 2",
                "\(lines.prefix(3))")
    }

    @Test("a bad --against file ends the command with exit 1 and a message naming the file and key, before measuring")
    func badReferenceExit() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try write(#"{"K2": {"throughput": "fast", "unit": "rows/s"}}"#, named: "torch.json", in: folder)
        let log = folder.appendingPathComponent("log.txt")
        let child = try QuarryProcess(try QuarryProcess.executable(), ["bench", "--against", path], log: log)
        #expect(child.wait() == 1)
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("Error: \(path): K2.throughput: expected a number"), "\(text)")
        #expect(!text.contains("ceilings:"), "measured despite the bad file: \(text)")
    }

    // MARK: - Ratio and formatting

    @Test("--against: Quarry/reference ratio exactly, per id, and an id without a reference shows no ratio")
    func ratio() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try write("""
            {"K3": {"throughput": 32000, "unit": "elem/s", "median_s": 0.004},
             "K9a": {"throughput": 40, "unit": "GFLOP/s"},
             "machine": {"cpu_model": "x"}, "ceilings": {"sgemm_gflops": 1}}
            """, named: "torch.json", in: folder)
        let reference = try ReferenceResults.load(contentsOf: path, units: units)
        #expect(reference.entries == ["K3": ReferenceEntry(throughput: 32_000, unit: "elem/s"),
                                      "K9a": ReferenceEntry(throughput: 40, unit: "GFLOP/s")])
        let ceilings = MachineCeilings(sgemmGFLOPs: 200, copyGBs: 20)
        let k3 = try #require(KernelContract.contractWorkloads.first { $0.id == "K3" })
        let k9a = try #require(KernelContract.contractWorkloads.first { $0.id == "K9a" })
        let k5 = try #require(KernelContract.contractWorkloads.first { $0.id == "K5" })
        // K3: 8,000 elements per run, median of (0.25, 0.0625, 0.125) s = 0.125 s → 64,000 elem/s
        // (times that are exact in binary, so the ratio is exactly 2).
        let rowK3 = BenchmarkRow(WorkloadMeasurement(id: "K3", name: k3.name, unit: k3.unit, runSeconds: [0.25, 0.0625, 0.125],
                                                     workPerRun: 8_000),
                                 of: k3, ceilings: ceilings, reference: reference.entries["K3"])
        #expect(rowK3.throughput == 64_000)
        #expect(rowK3.ratio == 2)
        // 64,000 elem/s × 20 B/elem = 1.28e6 B/s of a 20 GB/s copy.
        #expect(rowK3.ceilingFraction == 64_000 * 20 / 20e9)
        // K9a: one run of its GFLOP in 0.5 s against 40 GFLOP/s; ceiling: the fraction of 200 GFLOP/s.
        let rowK9a = BenchmarkRow(WorkloadMeasurement(id: "K9a", name: k9a.name, unit: k9a.unit, runSeconds: [0.5],
                                                      workPerRun: k9a.workPerRun),
                                  of: k9a, ceilings: ceilings, reference: reference.entries["K9a"])
        #expect(rowK9a.ratio == k9a.workPerRun / 0.5 / 40)
        #expect(rowK9a.ceilingFraction == (k9a.workPerRun / 0.5) * 1e9 / 200e9)
        let rowK5 = BenchmarkRow(WorkloadMeasurement(id: "K5", name: k5.name, unit: k5.unit, runSeconds: [0.001], workPerRun: 120_000),
                                 of: k5, ceilings: ceilings, reference: reference.entries["K5"])
        #expect(rowK5.ratio == nil)

        let report = BenchmarkReport(machine: MachineDescription.current(), ceilings: ceilings, rows: [rowK3, rowK9a, rowK5],
                                     referenceFile: path)
        #expect(report.tableLine(rowK3).hasSuffix("3.20e4 elem/s" + String(repeating: " ", count: 7) + "2.00×"), "\(report.tableLine(rowK3))")
        #expect(report.tableLine(rowK5).hasSuffix("—" + String(repeating: " ", count: 19) + "—"), "\(report.tableLine(rowK5))")
        let json = try #require(JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
        let k3Entry = try #require(json["K3"] as? [String: Any])
        #expect(k3Entry["ratio"] as? Double == 2)
        #expect(k3Entry["reference_throughput"] as? Double == 32_000)
        #expect(k3Entry["throughput"] as? Double == 64_000)
        #expect(k3Entry["median_s"] as? Double == 0.125)
        #expect(k3Entry["bytes_per_unit"] as? Double == 20)
        #expect((json["K5"] as? [String: Any])?["ratio"] == nil)
        #expect((json["ceilings"] as? [String: Any])?["copy_gbps"] as? Double == 20)
        #expect(json["reference_file"] as? String == path)
    }

    @Test("numbers print with 3 significant digits, durations in µs/ms/s, ratios with ×")
    func formatting() {
        #expect(BenchmarkReport.significant(2_561_234_567) == "2.56e9")
        #expect(BenchmarkReport.significant(99_960) == "1.00e5")
        #expect(BenchmarkReport.significant(10_000) == "1.00e4")
        #expect(BenchmarkReport.significant(167.4) == "167")
        #expect(BenchmarkReport.significant(35.24) == "35.2")
        #expect(BenchmarkReport.significant(0.1234) == "0.123")
        #expect(BenchmarkReport.duration(46.94e-6) == "46.9 µs")
        #expect(BenchmarkReport.duration(0.00123) == "1.23 ms")
        #expect(BenchmarkReport.duration(1.02) == "1.02 s")
        #expect(BenchmarkReport.ratioText(17.06) == "17.1×")
        #expect(BenchmarkReport.ratioText(0.834) == "0.834×")
    }

    // MARK: - Bad reference files

    /// The error `ReferenceResults.load` throws for `text`, saved as a file.
    func loadError(_ text: String) throws -> (BenchmarkFileError, path: String) {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try write(text, named: "torch.json", in: folder)
        do {
            _ = try ReferenceResults.load(contentsOf: path, units: units)
        } catch {
            return (error, path)
        }
        Issue.record("no error for \(text)")
        return (BenchmarkFileError(file: path, location: "", kind: .noWorkloads), path)
    }

    @Test("a missing file is unreadable, naming it")
    func missingFile() {
        let path = "/nonexistent/quarry-bench/torch.json"
        #expect(throws: BenchmarkFileError(file: path, location: "", kind: .unreadable("no such file"))) {
            try ReferenceResults.load(contentsOf: path, units: units)
        }
    }

    @Test("malformed JSON names the file and the parser's reason; a bare NaN gets a hint",
          arguments: [(#"{"K1a": {"throughput": 3}"#, "Unexpected end of file"), (#"{"K2": {"throughput": NaN, "unit": "rows/s"}}"#, "NaN")])
    func malformed(text: String, reason: String) throws {
        let (error, path) = try loadError(text)
        #expect(error.file == path && error.location.isEmpty)
        guard case .malformedJSON(let message) = error.kind else { Issue.record("\(error)"); return }
        #expect(message.contains(reason), "\(message)")
        #expect(error.description.hasPrefix("\(path): not valid JSON ("))
    }

    @Test("wrong types and values name the key", arguments: [
        (#"{"K2": {"throughput": "fast", "unit": "rows/s"}}"#, "K2.throughput", BenchmarkFileError.Kind.invalidValue("expected a number")),
        (#"{"K2": {"throughput": true, "unit": "rows/s"}}"#, "K2.throughput", .invalidValue("expected a number")),
        (#"{"K2": {"throughput": 5, "unit": 7}}"#, "K2.unit", .invalidValue("expected a string")),
        (#"{"K2": {"throughput": null, "unit": "rows/s"}}"#, "K2.throughput", .invalidValue("expected a number, found null")),
        (#"{"K2": 5}"#, "K2", .invalidValue("expected an object")),
        ("[1, 2]", "", .invalidValue("expected an object")),
        (#"{"K2": {"unit": "rows/s"}}"#, "K2", .missingKey("throughput")),
        (#"{"K2": {"throughput": 5}}"#, "K2", .missingKey("unit")),
        (#"{"K2": {"throughput": -1, "unit": "rows/s"}}"#, "K2.throughput", .invalidValue("throughput must be a positive number, got -1.0")),
        (#"{"K2": {"throughput": 0, "unit": "rows/s"}}"#, "K2.throughput", .invalidValue("throughput must be a positive number, got 0.0")),
        (#"{"K9a": {"throughput": 4e10, "unit": "FLOP/s"}}"#, "K9a.unit", .unitMismatch(found: "FLOP/s", expected: "GFLOP/s")),
        (#"{"machine": {"cpu_model": "x"}, "K99": {"throughput": 1, "unit": "x"}}"#, "", .noWorkloads),
    ])
    func invalid(text: String, location: String, kind: BenchmarkFileError.Kind) throws {
        let (error, path) = try loadError(text)
        #expect(error == BenchmarkFileError(file: path, location: location, kind: kind))
        #expect(error.description.hasPrefix(location.isEmpty ? "\(path): " : "\(path): \(location): "))
    }

    // MARK: - Options

    @Test("--filter selects by id or name, in DESIGN.md's order; a pattern matching nothing or not a regex is refused")
    func filter() throws {
        #expect(try BenchCommand.workloads(matching: "K9").map(\.id) == ["K9a", "K9b"])
        #expect(try BenchCommand.workloads(matching: "NMS").map(\.id) == ["K4b", "K7a", "K7b"])
        #expect(try BenchCommand.workloads(matching: nil).map(\.id) == KernelContract.contractIDs)
        #expect(throws: ValidationError.self) { try BenchCommand.workloads(matching: "nothing-like-this") }
        #expect(throws: ValidationError.self) { try BenchCommand.workloads(matching: "((") }
        #expect(throws: (any Error).self) { try BenchCommand.parse(["--runs", "19"]) }
        #expect(throws: (any Error).self) { try BenchCommand.parse(["--threads", "0"]) }
        #expect(throws: (any Error).self) { try BenchCommand.parse(["--seconds", "-1"]) }
    }

    @Test("/proc/cpuinfo: the first processor's fields")
    func cpuInfo() {
        let text = "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 207\nmodel name\t: Intel(R) Xeon(R) Processor\n\n"
            + "processor\t: 1\nmodel name\t: Other\n"
        let fields = MachineDescription.cpuInfoFields(text)
        #expect(fields["model name"] == "Intel(R) Xeon(R) Processor")
        #expect(fields["cpu family"] == "6" && fields["model"] == "207")
    }
}
