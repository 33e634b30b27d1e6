// What `quarry bench` prints and writes: one row per contract workload (throughput in the
// contract's unit, median run time, fraction of its ceiling, and the ratio to a reference
// implementation when --against is given), the measured ceilings and the machine.
import Foundation
import KernelContract
import Quarry

/// One measured contract workload, with its ceiling and, when given, the reference's figure.
struct BenchmarkRow: Equatable {
    /// The contract id, e.g. `K1a`.
    var id: String
    /// The workload's full name.
    var name: String
    /// The contract's unit, e.g. `elem/s`.
    var unit: String
    /// Work per second at the median run, in `unit`.
    var throughput: Double
    /// The median run time, seconds.
    var medianSeconds: Double
    /// The number of timed runs.
    var runs: Int
    /// The ceiling's name (`sgemm` or `memory copy`).
    var ceiling: String
    /// FLOPs (sgemm) or bytes (memory copy) per unit of work.
    var costPerUnit: Double
    /// How the cost per unit was counted.
    var costBasis: String
    /// throughput × cost per unit ÷ the ceiling.
    var ceilingFraction: Double
    /// The reference implementation's throughput in `unit`, when --against names one for this id.
    var referenceThroughput: Double?

    /// Quarry's throughput over the reference's (> 1: Quarry is faster), when there is a reference.
    var ratio: Double? { referenceThroughput.map { throughput / $0 } }

    /// Builds a row from a measurement of `workload`.
    init(_ measurement: WorkloadMeasurement, of workload: Workload, ceilings: MachineCeilings, reference: ReferenceEntry?) {
        id = workload.id
        name = workload.name
        unit = workload.unit
        throughput = measurement.throughput
        medianSeconds = measurement.medianSeconds
        runs = measurement.runSeconds.count
        ceiling = workload.ceiling.name
        switch workload.ceiling {
        case .sgemm(let flops, _): costPerUnit = flops
        case .memoryCopy(let bytes, _): costPerUnit = bytes
        }
        costBasis = workload.ceiling.basis
        ceilingFraction = workload.ceilingFraction(of: measurement.throughput, ceilings: ceilings)
        referenceThroughput = reference?.throughput
    }
}

/// The whole run: the machine, its ceilings and the rows, printable and encodable.
struct BenchmarkReport {
    /// The CPU, BLAS and threads the figures were measured with.
    var machine: MachineDescription
    /// The ceilings measured at the start of the run.
    var ceilings: MachineCeilings
    /// The measured rows, in DESIGN.md's order.
    var rows: [BenchmarkRow]
    /// The --against file, when given.
    var referenceFile: String?

    // MARK: - Text

    /// The column titles of the table (the last two only with a reference).
    var tableHeader: String {
        var line = pad("id", 5) + pad("workload", 50) + pad("throughput", 20) + pad("median", 11) + pad("ceiling", 13) + pad("of ceiling", 11)
        if referenceFile != nil { line += pad("reference", 20) + "Quarry/reference" }
        return line
    }

    /// One row of the table.
    func tableLine(_ row: BenchmarkRow) -> String {
        let name = row.name.hasPrefix(row.id + " ") ? String(row.name.dropFirst(row.id.count + 1)) : row.name
        let shown = name.count > 49 ? name.prefix(48) + "…" : name
        var line = pad(row.id, 5) + pad(String(shown), 50) + pad("\(Self.significant(row.throughput)) \(row.unit)", 20)
            + pad(Self.duration(row.medianSeconds), 11) + pad(row.ceiling, 13) + pad(String(format: "%.2f", row.ceilingFraction), 11)
        if referenceFile != nil {
            if let reference = row.referenceThroughput, let ratio = row.ratio {
                line += pad("\(Self.significant(reference)) \(row.unit)", 20) + Self.ratioText(ratio)
            } else {
                line += pad("—", 20) + "—"
            }
        }
        return line
    }

    /// The ceilings line: `sgemm 1024³ 190 GFLOP/s; memory copy 512 MiB 21.4 GB/s`.
    var ceilingsLine: String {
        "ceilings: sgemm 1024³ \(Self.significant(ceilings.sgemmGFLOPs)) GFLOP/s (through Kernels.sgemm); "
            + "memory copy \(KernelContract.copyBufferBytes >> 20) MiB \(Self.significant(ceilings.copyGBs)) GB/s (read + write)"
    }

    /// A number with 3 significant digits: `2.56e9` from 1e4 up, else `167`, `35.2`, `0.123`.
    static func significant(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if abs(value) >= 1e4 {
            let exponent = Int(log10(abs(value)).rounded(.down))
            var mantissa = value / pow(10, Double(exponent))
            var shown = exponent
            if abs((mantissa * 100).rounded() / 100) >= 10 { mantissa /= 10; shown += 1 }
            return String(format: "%.2fe%d", mantissa, shown)
        }
        if value == 0 { return "0" }
        let digits = max(0, 2 - Int(log10(abs(value)).rounded(.down)))
        return String(format: "%.\(digits)f", value)
    }

    /// A ratio: `17.1×`, `0.83×`.
    static func ratioText(_ ratio: Double) -> String { "\(significant(ratio))×" }

    /// Seconds as `46.9 µs`, `1.23 ms`, `1.02 s`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1e-3 { return "\(significant(seconds * 1e6)) µs" }
        if seconds < 1 { return "\(significant(seconds * 1e3)) ms" }
        return "\(significant(seconds)) s"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    // MARK: - JSON

    /// `{"K1a": {...}, …, "ceilings": {...}, "machine": {...}}` with sorted keys.
    func jsonData() throws -> Data {
        var object: [String: Any] = [:]
        for row in rows {
            var entry: [String: Any] = [
                "name": row.name, "throughput": row.throughput, "unit": row.unit, "median_s": row.medianSeconds,
                "runs": row.runs, "ceiling": row.ceiling, "ceiling_fraction": row.ceilingFraction,
                row.ceiling == "sgemm" ? "flops_per_unit" : "bytes_per_unit": row.costPerUnit, "cost_basis": row.costBasis,
            ]
            if let reference = row.referenceThroughput, let ratio = row.ratio {
                entry["reference_throughput"] = reference
                entry["ratio"] = ratio
            }
            object[row.id] = entry
        }
        object["ceilings"] = [
            "sgemm_gflops": ceilings.sgemmGFLOPs, "sgemm_shape": "1024x1024x1024",
            "copy_gbps": ceilings.copyGBs, "copy_bytes": KernelContract.copyBufferBytes,
        ] as [String: Any]
        object["machine"] = machine.jsonObject
        if let referenceFile { object["reference_file"] = referenceFile }
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    /// Writes the JSON form atomically (`AtomicFile`; a missing folder is created).
    /// - Throws: `BenchmarkFileError` with kind `.unwritable`, naming the file.
    func write(to path: String) throws(BenchmarkFileError) {
        do {
            try AtomicFile.write(try jsonData(), to: URL(fileURLWithPath: path), creatingFolder: true)
        } catch let error as AtomicWriteError {
            throw BenchmarkFileError(file: path, location: "", kind: .unwritable(error.reason))
        } catch {
            throw BenchmarkFileError(file: path, location: "", kind: .unwritable(String(describing: error)))
        }
    }
}
