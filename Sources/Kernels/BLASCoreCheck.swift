// The BLAS self-check: which kernel set ("core") OpenBLAS picked, what the CPU can run, and, when
// OpenBLAS fell back to a core narrower than the CPU, the re-selection of the right one before
// the first GEMM.
//
// Why: Debian 12's OpenBLAS 0.3.21 (a DYNAMIC_ARCH build) picks its core from a table of CPU
// models; a model newer than the table (e.g. Intel Xeon family 6 model 207, AVX-512) falls back
// to "Prescott" (SSE3), which runs GEMM 3–5× slower. OpenBLAS 0.3.25+ falls back by CPU features
// instead. Setting OPENBLAS_CORETYPE and calling gotoblas_dynamic_quit then gotoblas_dynamic_init
// re-runs the selection in the running process (OpenBLAS driver/others/dynamic.c).
import CCPU
import CShims
#if canImport(Glibc)
import Glibc
#endif

/// The vector extensions the CPU has and the operating system has enabled (CPUID and XCR0).
///
/// Source: Intel SDM vol. 2A (CPUID leaves 1 and 7) and vol. 1 §13.3 (XCR0). Empty on CPUs
/// other than x86-64.
public struct CPUFeatures: OptionSet, Sendable, Hashable, CustomStringConvertible {
    /// The raw bits (QUARRY_CPU_* of the C shim).
    public let rawValue: UInt32
    /// Wraps raw bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// SSE3.
    public static let sse3 = CPUFeatures(rawValue: UInt32(QUARRY_CPU_SSE3))
    /// AVX with the YMM state enabled by the operating system.
    public static let avx = CPUFeatures(rawValue: UInt32(QUARRY_CPU_AVX))
    /// FMA3 (fused multiply-add).
    public static let fma = CPUFeatures(rawValue: UInt32(QUARRY_CPU_FMA))
    /// AVX2.
    public static let avx2 = CPUFeatures(rawValue: UInt32(QUARRY_CPU_AVX2))
    /// AVX-512 Foundation with the ZMM and opmask state enabled by the operating system.
    public static let avx512f = CPUFeatures(rawValue: UInt32(QUARRY_CPU_AVX512F))
    /// AVX-512 doubleword and quadword instructions.
    public static let avx512dq = CPUFeatures(rawValue: UInt32(QUARRY_CPU_AVX512DQ))
    /// AVX-512 byte and word instructions.
    public static let avx512bw = CPUFeatures(rawValue: UInt32(QUARRY_CPU_AVX512BW))
    /// AVX-512 vector-length extensions.
    public static let avx512vl = CPUFeatures(rawValue: UInt32(QUARRY_CPU_AVX512VL))

    /// What OpenBLAS's SkylakeX kernels need: AVX-512 F, DQ, BW and VL.
    public static let avx512Core: CPUFeatures = [.avx512f, .avx512dq, .avx512bw, .avx512vl]

    /// This machine's features (CPUID and XGETBV, read once).
    public static let current = CPUFeatures(rawValue: quarry_cpu_features())

    /// The widest vector class these features support.
    public var vectorClass: BLASVectorClass {
        if isSuperset(of: .avx512Core) { return .avx512 }
        if isSuperset(of: [.avx2, .fma]) { return .avx2 }
        if contains(.avx) { return .avx }
        return .sse
    }

    /// The feature names, e.g. "sse3 avx fma avx2 avx512f avx512dq avx512bw avx512vl".
    public var description: String {
        let names: [(CPUFeatures, String)] = [(.sse3, "sse3"), (.avx, "avx"), (.fma, "fma"), (.avx2, "avx2"),
                                              (.avx512f, "avx512f"), (.avx512dq, "avx512dq"),
                                              (.avx512bw, "avx512bw"), (.avx512vl, "avx512vl")]
        let present = names.filter { contains($0.0) }.map(\.1)
        return present.isEmpty ? "none" : present.joined(separator: " ")
    }
}

/// The vector width class of a CPU or of an OpenBLAS core, ordered from narrowest to widest.
public enum BLASVectorClass: Int, Comparable, Sendable, CustomStringConvertible {
    /// 128-bit SSE kernels (OpenBLAS Prescott, Core2, Penryn, Nehalem, Barcelona, Atom, …).
    case sse
    /// 256-bit AVX without FMA3 (OpenBLAS Sandybridge, Bulldozer, Piledriver, Steamroller).
    case avx
    /// 256-bit AVX2 with FMA3 (OpenBLAS Haswell, Zen, Excavator).
    case avx2
    /// 512-bit AVX-512 (OpenBLAS SkylakeX, Cooperlake, SapphireRapids).
    case avx512

    /// Orders by width.
    public static func < (lhs: BLASVectorClass, rhs: BLASVectorClass) -> Bool { lhs.rawValue < rhs.rawValue }

    /// "SSE", "AVX", "AVX2" or "AVX-512".
    public var description: String {
        switch self {
        case .sse: "SSE"
        case .avx: "AVX"
        case .avx2: "AVX2"
        case .avx512: "AVX-512"
        }
    }

    /// The vector class of an OpenBLAS x86-64 core by the name `openblas_get_corename` returns
    /// (case-insensitive; OpenBLAS 0.3.21 driver/others/dynamic.c), or nil for a name this table
    /// does not know (another architecture's core, or "Unknown").
    public init?(openBLASCore name: String) {
        switch name.lowercased() {
        case "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn", "dunnington",
             "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "bobcat":
            self = .sse
        case "sandybridge", "bulldozer", "piledriver", "steamroller":
            self = .avx
        case "haswell", "zen", "excavator":
            self = .avx2
        case "skylakex", "cooperlake", "sapphirerapids":
            self = .avx512
        default:
            return nil
        }
    }

    /// The OpenBLAS core that runs this class's kernels on any CPU of the class: "SkylakeX" for
    /// AVX-512 (F/BW/DQ/VL), "Haswell" for AVX2 + FMA; nil for the narrower classes, for which
    /// Quarry chooses nothing.
    public var bestOpenBLASCore: String? {
        switch self {
        case .avx512: "SkylakeX"
        case .avx2: "Haswell"
        case .sse, .avx: nil
        }
    }
}

/// What the BLAS self-check found and did, once per process, before the first BLAS call.
public struct BLASStatus: Sendable, CustomStringConvertible {
    /// What the self-check did about the core.
    public enum Action: Sendable, Equatable {
        /// OpenBLAS's own choice already runs the CPU's widest vectors (or the core is unknown).
        case kept
        /// The core was narrower than the CPU; Quarry set OPENBLAS_CORETYPE to `core` and
        /// re-ran OpenBLAS's core selection in this process.
        case reselected(core: String)
        /// The core is narrower than the CPU but this OpenBLAS cannot re-select in process
        /// (no gotoblas_dynamic_quit/init): a process must be restarted with
        /// OPENBLAS_CORETYPE=`core` (the `quarry` command does so itself).
        case restartNeeded(core: String)
        /// The user set OPENBLAS_CORETYPE (to `value`); never overridden.
        case userSetting(String)
        /// QUARRY_BLAS_CHECK=off: the check was skipped.
        case disabled
    }

    /// OpenBLAS's version, e.g. "OpenBLAS 0.3.21" (the first two words of `openblas_get_config`).
    public let version: String
    /// OpenBLAS's whole build configuration string (`openblas_get_config`).
    public let configuration: String
    /// The CPU's brand string (CPUID), e.g. "Intel(R) Xeon(R) Processor"; empty where unknown.
    public let cpuModel: String
    /// The CPU's vector extensions.
    public let cpuFeatures: CPUFeatures
    /// The core OpenBLAS had selected before the check (`openblas_get_corename`).
    public let coreBefore: String
    /// The core OpenBLAS runs after the check.
    public let coreAfter: String
    /// What the check did.
    public let action: Action
    /// OpenBLAS's thread count when the status was read (`openblas_get_num_threads`).
    public let threads: Int

    /// One line for a log: what was found and what was done.
    public var description: String {
        let cpu = cpuModel.isEmpty ? "this CPU" : cpuModel
        let found = "\(version), core \(coreBefore), \(threads) thread\(threads == 1 ? "" : "s"), on \(cpu) (\(cpuFeatures.vectorClass))"
        switch action {
        case .kept:
            return "BLAS: \(found); core kept"
        case .reselected(let core):
            return "BLAS: \(found); OpenBLAS chose a core narrower than the CPU, switched to \(core) (now \(coreAfter))"
        case .restartNeeded(let core):
            return "BLAS: \(found); OpenBLAS chose a core narrower than the CPU and cannot switch in process: restart with OPENBLAS_CORETYPE=\(core)"
        case .userSetting(let value):
            return "BLAS: \(found); OPENBLAS_CORETYPE=\(value) set by the user, left as it is"
        case .disabled:
            return "BLAS: \(found); self-check off (QUARRY_BLAS_CHECK=off)"
        }
    }
}

extension Kernels {
    /// The OpenBLAS core to select, or nil to keep the running one.
    ///
    /// A core is selected only when the running core's vector class is known and narrower than
    /// the CPU's, the user has not set OPENBLAS_CORETYPE, and the CPU supports the chosen core:
    /// AVX-512 F/BW/DQ/VL → "SkylakeX", AVX2 + FMA → "Haswell". Mirrors OpenBLAS 0.3.25's
    /// fall-back by CPU features (driver/others/dynamic.c) for builds that fall back to Prescott.
    /// - Parameters:
    ///   - runningCore: `openblas_get_corename()`.
    ///   - features: the CPU's usable vector extensions.
    ///   - userCoreType: the OPENBLAS_CORETYPE environment variable, if set.
    public static func blasCoreToSelect(runningCore: String, features: CPUFeatures, userCoreType: String?) -> String? {
        if let userCoreType, !userCoreType.isEmpty { return nil }
        guard let running = BLASVectorClass(openBLASCore: runningCore) else { return nil }
        let cpu = features.vectorClass
        guard running < cpu, let core = cpu.bestOpenBLASCore else { return nil }
        return core
    }

    /// The self-check's result (run once, at first use of BLAS), with the current thread count.
    public static var blasStatus: BLASStatus {
        let check = blasCoreCheck
        return BLASStatus(version: check.version, configuration: check.configuration, cpuModel: check.cpuModel,
                          cpuFeatures: check.cpuFeatures, coreBefore: check.coreBefore, coreAfter: check.coreAfter,
                          action: check.action, threads: Int(openblas_get_num_threads()))
    }

    /// The core OpenBLAS runs now (`openblas_get_corename`), e.g. "SkylakeX".
    public static var blasCoreName: String { String(cString: openblas_get_corename()) }

    /// Runs once per process before the first BLAS call (every BLAS entry point of Kernels
    /// touches it).
    ///
    /// QUARRY_BLAS_CHECK=off skips it; QUARRY_BLAS_CHECK=restart never switches in process
    /// (the status then asks for a restart, as on an OpenBLAS without gotoblas_dynamic_init),
    /// which is how the `quarry` command's restart path is tested.
    static let blasCoreCheck: BLASStatus = {
        let mode = ProcessEnvironment.value("QUARRY_BLAS_CHECK")?.lowercased()
        return runBLASCoreCheck(userCoreType: ProcessEnvironment.value("OPENBLAS_CORETYPE"),
                                enabled: mode != "off", inProcess: mode != "restart")
    }()

    /// The self-check itself, callable again by tests: reads the running core and the CPU's
    /// features and, when `blasCoreToSelect` names a core, sets OPENBLAS_CORETYPE to it,
    /// re-runs OpenBLAS's core selection (when `inProcess`), and restores the environment
    /// variable as it was.
    /// - Precondition: no BLAS call is in flight on another thread.
    static func runBLASCoreCheck(userCoreType: String?, enabled: Bool, inProcess: Bool = true) -> BLASStatus {
        let configuration = String(cString: openblas_get_config())
        let version = configuration.split(separator: " ").prefix(2).joined(separator: " ")
        let before = blasCoreName
        let features = CPUFeatures.current
        var action = BLASStatus.Action.kept
        if !enabled {
            action = .disabled
        } else if let userCoreType, !userCoreType.isEmpty {
            action = .userSetting(userCoreType)
        } else if let core = blasCoreToSelect(runningCore: before, features: features, userCoreType: nil) {
            action = inProcess && selectBLASCore(core) ? .reselected(core: core) : .restartNeeded(core: core)
        }
        return BLASStatus(version: version, configuration: configuration, cpuModel: cpuBrand(),
                          cpuFeatures: features, coreBefore: before, coreAfter: blasCoreName, action: action,
                          threads: Int(openblas_get_num_threads()))
    }

    /// Re-runs OpenBLAS's core selection with OPENBLAS_CORETYPE=`core`, then restores the
    /// variable. Returns false where this OpenBLAS cannot re-select in process.
    static func selectBLASCore(_ core: String) -> Bool {
        guard quarry_openblas_can_reselect() != 0 else { return false }
        let previous = ProcessEnvironment.value("OPENBLAS_CORETYPE")
        setenv("OPENBLAS_CORETYPE", core, 1)
        defer {
            if let previous { setenv("OPENBLAS_CORETYPE", previous, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        }
        return quarry_openblas_reselect_core() == 0
    }

    /// The CPU's brand string (CPUID), or "" where there is none.
    static func cpuBrand() -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = quarry_cpu_brand(&buffer, buffer.count)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Reads environment variables without Foundation (Kernels imports only the C library).
enum ProcessEnvironment {
    /// The variable's value, or nil when unset.
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
