// The machine a benchmark ran on, as `quarry bench` prints it first and writes it under
// "machine": the CPU model, the BLAS library and core, and the thread count.
import Foundation
import Quarry

/// The CPU and BLAS configuration of a benchmark run.
struct MachineDescription: Equatable {
    /// /proc/cpuinfo's first "model name" (e.g. `Intel(R) Xeon(R) Processor`), or `unknown`.
    var cpuModel: String
    /// The CPU family and model numbers from /proc/cpuinfo, e.g. `family 6 model 207`, when known.
    var cpuFamilyModel: String?
    /// The BLAS core in use (e.g. `SkylakeX`), or `unknown` when the library does not say.
    var blasCore: String
    /// The threads BLAS runs with.
    var threads: Int
    /// Logical CPUs the process sees.
    var logicalCPUs: Int

    /// Describes this machine now (call after setting the thread count).
    static func current() -> MachineDescription {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let fields = cpuInfoFields(info)
        let familyModel = fields["cpu family"].flatMap { family in fields["model"].map { "family \(family) model \($0)" } }
        let core = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { "\($0) (OPENBLAS_CORETYPE)" } ?? "unknown"
        return MachineDescription(cpuModel: fields["model name"] ?? "unknown", cpuFamilyModel: familyModel, blasCore: core,
                                  threads: Kernels.blasThreadCount, logicalCPUs: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The `key: value` fields of the first processor in /proc/cpuinfo text.
    static func cpuInfoFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { if !fields.isEmpty { break } else { continue } }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = value }
        }
        return fields
    }

    /// The header lines `quarry bench` prints first.
    var lines: [String] {
        ["CPU: \(cpuModel)\(cpuFamilyModel.map { " (\($0))" } ?? ""), \(logicalCPUs) logical CPUs",
         "BLAS: OpenBLAS, core \(blasCore)",
         "threads: \(threads)"]
    }

    /// The "machine" object of the JSON output.
    var jsonObject: [String: Any] {
        var object: [String: Any] = ["cpu_model": cpuModel, "blas_core": blasCore, "threads": threads, "logical_cpus": logicalCPUs]
        if let cpuFamilyModel { object["cpu_family_model"] = cpuFamilyModel }
        return object
    }
}
