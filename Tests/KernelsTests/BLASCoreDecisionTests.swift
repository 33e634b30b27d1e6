// The BLAS self-check's decision (Kernels.blasCoreToSelect) on a table of (OpenBLAS core, CPU
// features, OPENBLAS_CORETYPE) cases, and the CPU feature reading against /proc/cpuinfo.
import Foundation
import Kernels
import Testing

@Suite("BLAS core decision")
struct BLASCoreDecisionTests {
    static let sse: CPUFeatures = [.sse3]
    static let avxOnly: CPUFeatures = [.sse3, .avx]
    static let avx2: CPUFeatures = [.sse3, .avx, .fma, .avx2]
    static let avx512: CPUFeatures = avx2.union(.avx512Core)
    /// Knights Landing style: AVX-512F without BW/DQ/VL, which SkylakeX's kernels need.
    static let avx512FOnly: CPUFeatures = avx2.union(.avx512f)

    struct Case: CustomTestStringConvertible, Sendable {
        let core: String, features: CPUFeatures, user: String?, expected: String?
        var testDescription: String { "\(core) on [\(features)] user=\(user ?? "-") → \(expected ?? "keep")" }
    }

    static let cases: [Case] = [
        // The misdetected Xeon (family 6 model 207) that OpenBLAS 0.3.21 runs on Prescott.
        Case(core: "Prescott", features: avx512, user: nil, expected: "SkylakeX"),
        Case(core: "PRESCOTT", features: avx512, user: nil, expected: "SkylakeX"),
        // An AVX2 CPU newer than the table.
        Case(core: "Prescott", features: avx2, user: nil, expected: "Haswell"),
        Case(core: "Sandybridge", features: avx2, user: nil, expected: "Haswell"),
        // Zen 4: OpenBLAS 0.3.21 runs Haswell (256-bit) on a CPU with AVX-512.
        Case(core: "Haswell", features: avx512, user: nil, expected: "SkylakeX"),
        // Already at the CPU's width: keep.
        Case(core: "SkylakeX", features: avx512, user: nil, expected: nil),
        Case(core: "Cooperlake", features: avx512, user: nil, expected: nil),
        Case(core: "Haswell", features: avx2, user: nil, expected: nil),
        Case(core: "Zen", features: avx2, user: nil, expected: nil),
        // Never a core the CPU cannot run: AVX-512F alone is not enough for SkylakeX.
        Case(core: "Prescott", features: avx512FOnly, user: nil, expected: "Haswell"),
        // AVX2 without FMA, AVX only, SSE only: no core Quarry would choose.
        Case(core: "Prescott", features: [.sse3, .avx, .avx2], user: nil, expected: nil),
        Case(core: "Prescott", features: avxOnly, user: nil, expected: nil),
        Case(core: "Prescott", features: sse, user: nil, expected: nil),
        // The user's own setting is never overridden; an empty variable counts as unset.
        Case(core: "Prescott", features: avx512, user: "Prescott", expected: nil),
        Case(core: "Prescott", features: avx512, user: "Haswell", expected: nil),
        Case(core: "Prescott", features: avx512, user: "", expected: "SkylakeX"),
        // Cores this table does not know (another architecture, "Unknown"): keep.
        Case(core: "Unknown", features: avx512, user: nil, expected: nil),
        Case(core: "ARMV8", features: [], user: nil, expected: nil),
    ]

    @Test("which core the self-check selects", arguments: cases)
    func decision(_ c: Case) {
        #expect(Kernels.blasCoreToSelect(runningCore: c.core, features: c.features, userCoreType: c.user) == c.expected)
    }

    @Test("vector classes of cores and of feature sets")
    func vectorClasses() {
        #expect(BLASVectorClass(openBLASCore: "Prescott") == .sse)
        #expect(BLASVectorClass(openBLASCore: "Sandybridge") == .avx)
        #expect(BLASVectorClass(openBLASCore: "Zen") == .avx2)
        #expect(BLASVectorClass(openBLASCore: "SkylakeX") == .avx512)
        #expect(BLASVectorClass(openBLASCore: "ARMV8") == nil)
        #expect(Self.avx512.vectorClass == .avx512)
        #expect(Self.avx512FOnly.vectorClass == .avx2)
        #expect(Self.avxOnly.vectorClass == .avx)
        #expect(CPUFeatures([.avx, .avx2]).vectorClass == .avx)
        #expect(Self.sse.vectorClass == .sse)
    }

    /// CPUID/XCR0 as read by the C shim agree with the kernel's view in /proc/cpuinfo (which
    /// also lists only what the OS enabled).
    @Test("CPU features agree with /proc/cpuinfo")
    func featuresMatchCPUInfo() throws {
        #if arch(x86_64)
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flagsLine = try #require(info.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(flagsLine.split(separator: ":")[1].split(separator: " ").map(String.init))
        let current = CPUFeatures.current
        let pairs: [(CPUFeatures, String)] = [(.avx, "avx"), (.fma, "fma"), (.avx2, "avx2"), (.avx512f, "avx512f"),
                                              (.avx512dq, "avx512dq"), (.avx512bw, "avx512bw"), (.avx512vl, "avx512vl")]
        for (feature, flag) in pairs {
            #expect(current.contains(feature) == flags.contains(flag), "\(flag): CPUID says \(current.contains(feature)), /proc/cpuinfo \(flags.contains(flag))")
        }
        #expect(current.contains(.sse3) == flags.contains("pni"))
        #endif
    }

    /// Whatever the process started on, once the self-check has run there is nothing left to
    /// select (unless the user chose the core).
    @Test("after the self-check, the running core is the CPU's best")
    func statusAfterCheck() {
        let status = Kernels.blasStatus
        #expect(status.coreAfter == Kernels.blasCoreName)
        #expect(status.threads == Kernels.blasThreadCount)
        switch status.action {
        case .kept, .reselected:
            #expect(Kernels.blasCoreToSelect(runningCore: status.coreAfter, features: status.cpuFeatures, userCoreType: nil) == nil)
        case .userSetting, .disabled, .restartNeeded:
            break
        }
        #expect(status.version.hasPrefix("OpenBLAS"))
        #expect(status.description.hasPrefix("BLAS: \(status.version), core \(status.coreBefore)"))
    }
}
