// A run that starts on OpenBLAS's fallback core and ends on the CPU's best, with GEMM results
// identical to a naive loop before and after.
//
// XCTest, not Swift Testing, on purpose: the test re-selects OpenBLAS's core in process, which
// must not happen while another test runs a GEMM. `swift test` runs the XCTest tests serially and
// apart from the Swift Testing suites, which run in parallel.
import Foundation
@testable import Kernels
import XCTest

final class BLASCoreSwitchTests: XCTestCase {
    /// [M, K] · [K, N] with small integer values (exact in Float32 whatever the summation order),
    /// through Kernels.sgemm, against a triple loop: equal bit for bit.
    private func assertGEMMExact(file: StaticString = #filePath, line: UInt = #line) {
        let m = 67, n = 53, k = 129
        var generator = SplitMix64(seed: 5)
        let a = (0..<(m * k)).map { _ in Float(Int(generator.next() % 7) - 3) }
        let b = (0..<(k * n)).map { _ in Float(Int(generator.next() % 5) - 2) }
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { var s: Float = 0; for p in 0..<k { s += a[i * k + p] * b[p * n + j] }; expected[i * n + j] = s } }
        var c = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            Kernels.sgemm(cp, ldc: n, ap, lda: k, transposeA: false, bp, ldb: n, transposeB: false, m: m, n: n, k: k)
        } } }
        XCTAssertEqual(c, expected, "sgemm on core \(Kernels.blasCoreName) differs from the naive loop", file: file, line: line)
    }

    func testStartsOnTheFallbackCoreAndEndsOnTheCPUsBest() throws {
        let original = Kernels.blasStatus.coreAfter   // runs the process's own check first
        let variable = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        guard let best = CPUFeatures.current.vectorClass.bestOpenBLASCore else {
            throw XCTSkip("this CPU has no AVX2 + FMA: the self-check has no core to move to")
        }
        guard Kernels.selectBLASCore("Prescott") else {
            throw XCTSkip("this OpenBLAS cannot re-select its core in process (the quarry command restarts instead)")
        }
        defer { _ = Kernels.selectBLASCore(original) }
        XCTAssertEqual(Kernels.blasCoreName, "Prescott")
        assertGEMMExact()

        let status = Kernels.runBLASCoreCheck(userCoreType: nil, enabled: true)
        XCTAssertEqual(status.coreBefore, "Prescott")
        XCTAssertEqual(status.action, .reselected(core: best))
        XCTAssertEqual(status.coreAfter, best)
        XCTAssertEqual(Kernels.blasCoreName, best)
        XCTAssertEqual(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], variable, "the check restores the environment as it was")
        assertGEMMExact()

        // The user's setting wins: starting on Prescott with OPENBLAS_CORETYPE given, nothing moves.
        XCTAssertTrue(Kernels.selectBLASCore("Prescott"))
        let kept = Kernels.runBLASCoreCheck(userCoreType: "Prescott", enabled: true)
        XCTAssertEqual(kept.action, .userSetting("Prescott"))
        XCTAssertEqual(kept.coreAfter, "Prescott")
        // With in-process switching off, the status asks for a restart with the right core.
        let restart = Kernels.runBLASCoreCheck(userCoreType: nil, enabled: true, inProcess: false)
        XCTAssertEqual(restart.action, .restartNeeded(core: best))
        XCTAssertEqual(restart.coreAfter, "Prescott")
    }
}
