// The machine a benchmark ran on, as `quarry bench` prints it first and writes it under
// "machine": the CPU model, the BLAS library and core, and the thread count.
import Foundation
import Quarry

/// The CPU and BLAS configuration of a benchmark run.
struct MachineDescription: Equatable {
    /// /proc/cpuinfo's first "model name" (e.g. `Intel(R) Xeon(R) Processor`), else the CPUID
    /// brand string, else `unknown`.
    var cpuModel: String
    /// The CPU family and model numbers from /proc/cpuinfo, e.g. `family 6 model 207`, when known.
    var cpuFamilyModel: String?
    /// The CPU's widest vector class, e.g. `AVX-512` (`Kernels.blasStatus.cpuFeatures`).
    var vectorClass: String
    /// The BLAS library and version, e.g. `OpenBLAS 0.3.21`.
    var blasVersion: String
    /// The BLAS core in use, e.g. `SkylakeX`.
    var blasCore: String
    /// How that core was chosen: by OpenBLAS, by Quarry's self-check (naming OpenBLAS's own
    /// choice), or by the user's OPENBLAS_CORETYPE.
    var blasCoreChoice: String
    /// The threads BLAS runs with.
    var threads: Int
    /// Logical CPUs the process sees.
    var logicalCPUs: Int

    /// Describes this machine now, from /proc/cpuinfo and `Kernels.blasStatus` (call after
    /// setting the thread count).
    static func current() -> MachineDescription {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let fields = cpuInfoFields(info)
        let familyModel = fields["cpu family"].flatMap { family in fields["model"].map { "family \(family) model \($0)" } }
        let status = Kernels.blasStatus
        let model = fields["model name"] ?? (status.cpuModel.isEmpty ? "unknown" : status.cpuModel)
        return MachineDescription(cpuModel: model, cpuFamilyModel: familyModel, vectorClass: "\(status.cpuFeatures.vectorClass)",
                                  blasVersion: status.version, blasCore: Kernels.blasCoreName, blasCoreChoice: coreChoice(status),
                                  threads: status.threads, logicalCPUs: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// How the self-check left the core, in words.
    static func coreChoice(_ status: BLASStatus) -> String {
        switch status.action {
        case .kept: "OpenBLAS's choice"
        case .reselected(let core): "OpenBLAS chose \(status.coreBefore); Quarry's BLAS self-check switched to \(core)"
        case .restartNeeded(let core): "OpenBLAS chose it, narrower than the CPU; restart with OPENBLAS_CORETYPE=\(core)"
        case .userSetting(let value): "OPENBLAS_CORETYPE=\(value)"
        case .disabled: "OpenBLAS's choice, self-check off"
        }
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

    /// The header lines `quarry bench` prints first: CPU, BLAS core, threads.
    var lines: [String] {
        ["CPU: \(cpuModel)\(cpuFamilyModel.map { " (\($0))" } ?? ""), \(vectorClass), \(logicalCPUs) logical CPUs",
         "BLAS: \(blasVersion), core \(blasCore) (\(blasCoreChoice))",
         "threads: \(threads)"]
    }

    /// The "machine" object of the JSON output.
    var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "cpu_model": cpuModel, "vector_class": vectorClass, "blas_version": blasVersion, "blas_core": blasCore,
            "blas_core_choice": blasCoreChoice, "threads": threads, "logical_cpus": logicalCPUs,
        ]
        if let cpuFamilyModel { object["cpu_family_model"] = cpuFamilyModel }
        return object
    }
}
