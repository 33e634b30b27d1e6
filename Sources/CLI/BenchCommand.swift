import ArgumentParser
import Foundation
import KernelContract
import Quarry

/// `quarry bench`: times the workloads of DESIGN.md's kernel benchmark contract (K1a–K11)
/// without the ordo-one benchmark plugin.
///
/// Prints the CPU model, the BLAS core and the thread count, measures the machine's ceilings
/// (sgemm 1024³ through `Kernels.sgemm`; the copy of a 512 MiB buffer), then one line per
/// workload: throughput at the median of ≥ 20 timed runs after warm-up, in the contract's unit,
/// and its fraction of its ceiling. `--against FILE` adds the reference's figure and the
/// Quarry/reference ratio; `--json FILE` writes everything atomically. A bad --against file is
/// refused before anything is measured, naming the file and the key (exit 1).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the kernel benchmark contract (DESIGN.md K1a–K11) and the machine's ceilings.",
        discussion: """
            Each workload runs its warm-up, then at least --runs timed runs (and more, up to its run \
            limit, until --seconds have been timed); the figure is work per run over the median run \
            time. GEMM-bound workloads (K9a, K9b, K11) are judged against the sgemm 1024³ rate, the \
            others against the memory copy bandwidth (bytes per unit in docs/benchmarks.md and in the \
            JSON's cost_basis).

            --against FILE reads JSON of the same shape ({"K1a": {"throughput": number, "unit": \
            string}, …}; scripts/bench/pytorch_bench.py writes one) and adds the ratio \
            Quarry/reference per workload.
            """
    )

    @Option(help: ArgumentHelp("Run only the workloads whose id or name matches this regular expression.", valueName: "regex"))
    var filter: String?

    @Option(name: .customLong("json"), help: ArgumentHelp("Write the results as JSON to this file.", valueName: "file"))
    var jsonOutput: String?

    @Option(help: ArgumentHelp("A reference JSON (e.g. from scripts/bench/pytorch_bench.py) to compare against.", valueName: "file"))
    var against: String?

    @Option(help: "OpenBLAS threads (DESIGN.md's contract: 2).")
    var threads = 2

    @Option(help: "The fewest timed runs per workload (at least 20).")
    var runs = Workload.minimumContractRuns

    @Option(help: "Keep timing each workload until this many seconds have been timed (within its run limit).")
    var seconds = 1.0

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        guard runs >= Workload.minimumContractRuns else {
            throw ValidationError("--runs must be at least \(Workload.minimumContractRuns) (the contract's median is over ≥ 20 runs), got \(runs)")
        }
        guard seconds >= 0, seconds.isFinite else { throw ValidationError("--seconds must be a finite number ≥ 0, got \(seconds)") }
        _ = try selectedWorkloads()
    }

    /// The contract workloads that `--filter` selects (all of them without a filter), in DESIGN.md's order.
    /// - Throws: `ValidationError` when the pattern is not a regular expression or matches no
    ///   workload, listing the ids.
    func selectedWorkloads() throws(ValidationError) -> [Workload] {
        try Self.workloads(matching: filter)
    }

    /// The contract workloads whose id or name matches `pattern` (all when nil).
    /// - Throws: `ValidationError` for an invalid pattern or one that matches nothing.
    static func workloads(matching pattern: String?) throws(ValidationError) -> [Workload] {
        let all = KernelContract.contractWorkloads
        guard let pattern else { return all }
        let regex: Regex<AnyRegexOutput>
        do { regex = try Regex(pattern) } catch {
            throw ValidationError("--filter \"\(pattern)\" is not a regular expression: \(error)")
        }
        let chosen = all.filter { $0.id.contains(regex) || $0.name.contains(regex) }
        guard !chosen.isEmpty else {
            throw ValidationError("--filter \"\(pattern)\" matches no workload; the ids are \(KernelContract.contractIDs.joined(separator: ", "))")
        }
        return chosen
    }

    /// The unit Quarry measures each contract id in.
    static var contractUnits: [String: String] {
        Dictionary(KernelContract.contractWorkloads.map { ($0.id, $0.unit) }, uniquingKeysWith: { first, _ in first })
    }

    func run() throws {
        let workloads = try selectedWorkloads()
        // Read the reference first: a bad file should fail before minutes of measuring.
        let reference = try against.map { path throws(BenchmarkFileError) in
            try ReferenceResults.load(contentsOf: path, units: Self.contractUnits)
        }
        Kernels.setBLASThreadCount(threads)
        let machine = MachineDescription.current()
        machine.lines.forEach { print($0) }
        let ceilings = MachineCeilings.measure(minimumSeconds: seconds)
        var report = BenchmarkReport(machine: machine, ceilings: ceilings, rows: [], referenceFile: reference?.file)
        print(report.ceilingsLine)
        print(report.tableHeader)
        for workload in workloads {
            let measurement = workload.measure(minimumRuns: runs, minimumSeconds: seconds)
            let row = BenchmarkRow(measurement, of: workload, ceilings: ceilings, reference: reference?.entries[workload.id])
            report.rows.append(row)
            print(report.tableLine(row))
            fflush(nil)  // one line per workload as it finishes, also when piped
        }
        if let jsonOutput {
            try report.write(to: jsonOutput)
            print("wrote \(jsonOutput)")
        }
    }
}
