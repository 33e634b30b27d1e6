// The kernel contract's workload set: one contract row per DESIGN.md id, in order; the ceiling
// each row is judged against; K11's FLOP count by hand; and every body runs (no timing asserted).
import Testing
@testable import KernelContract

@Suite("KernelContract")
struct KernelContractTests {
    @Test("one contract row per DESIGN.md id, in the table's order, with the table's unit")
    func contractRows() {
        let rows = KernelContract.contractWorkloads
        #expect(rows.map(\.id) == KernelContract.contractIDs)
        #expect(rows.map(\.unit) == ["elem/s", "elem/s", "rows/s", "elem/s", "anchors/s", "RoIs/s", "anchors/s", "pairs/s",
                                     "boxes/s", "boxes/s", "cand/s", "GFLOP/s", "GFLOP/s", "RoIs/s", "images/s"])
        // Variants carry their row's id (the K8 strategy row counts anchors, the buffer rows candidates).
        for workload in KernelContract.workloads where workload.role == .variant {
            #expect(KernelContract.contractIDs.contains(workload.id), "\(workload.name)")
        }
        #expect(KernelContract.workloads.filter { $0.role == .ceiling }.map(\.id)
                == [KernelContract.sgemmCeilingID, KernelContract.copyCeilingID])
        #expect(Set(KernelContract.workloads.map(\.name)).count == KernelContract.workloads.count, "benchmark names are unique")
    }

    @Test("GEMM-bound rows (K9a, K9b, K11) are judged against sgemm, the rest against memory copy, with DESIGN-derived costs")
    func ceilings() {
        let rows = Dictionary(uniqueKeysWithValues: KernelContract.contractWorkloads.map { ($0.id, $0) })
        for id in KernelContract.contractIDs {
            let isGEMM = ["K9a", "K9b", "K11"].contains(id)
            #expect(rows[id]?.ceiling.name == (isGEMM ? "sgemm" : "memory copy"), "\(id)")
        }
        // K1a: forward then backward (the autograd primitives' pair) reads logits, targets and the
        // loss gradient and writes loss and gradient.
        #expect(rows["K1a"]?.ceiling == .memoryCopy(bytesPerUnit: 20, basis: rows["K1a"]!.ceiling.basis))
        #expect(rows["K2"]?.ceiling == .memoryCopy(bytesPerUnit: 180, basis: rows["K2"]!.ceiling.basis))
        #expect(rows["K9a"]?.ceiling == .sgemm(flopsPerUnit: 1e9, basis: rows["K9a"]!.ceiling.basis))
        // K9a: 3 × 2·N·F·C·9·OH·OW = 3 × 2·2·64·64·9·100·100 FLOPs per run.
        #expect(abs(rows["K9a"]!.workPerRun - 3 * 2 * 2 * 64 * 64 * 9 * 100 * 100 / 1e9) < 1e-12)
        #expect(rows["K11"]?.ceiling == .sgemm(flopsPerUnit: KernelContract.trainingStepFLOPsPerImage, basis: rows["K11"]!.ceiling.basis))
    }

    @Test("K11's FLOPs per image: 3 × the forward GEMM FLOPs less the first convolution's input gradient")
    func trainingStepFLOPs() {
        // Convolutions 786,240,000 (34.56M + 92.16M + 184.32M + 92.16M + 184.32M + RPN 184.32M
        // + 2.88M + 11.52M); linear layers on 128 RoIs 2·128·(3136·256 + 256·256 + 256·2 + 256·8)
        // = 222,953,472; forward 1,009,193,472; × 3 − 34,560,000.
        #expect(KernelContract.trainingStepFLOPsPerImage == 2_993_020_416)
    }

    @Test("a fraction of the ceiling is throughput × cost ÷ ceiling")
    func ceilingFraction() throws {
        let k3 = try #require(KernelContract.contractWorkloads.first { $0.id == "K3" })
        let ceilings = MachineCeilings(sgemmGFLOPs: 250, copyGBs: 40)
        #expect(k3.ceilingFraction(of: 1e9, ceilings: ceilings) == 1e9 * 20 / 40e9)
        let k9b = try #require(KernelContract.contractWorkloads.first { $0.id == "K9b" })
        #expect(k9b.ceilingFraction(of: 50, ceilings: ceilings) == 50 * 1e9 / 250e9)
    }

    @Test("every workload but the 1 GiB copy prepares and runs; a measurement holds >= 20 runs and its median")
    func bodiesRun() {
        for workload in KernelContract.workloads where workload.id != KernelContract.copyCeilingID {
            let body = workload.prepare()
            body()
            body()   // a second run starts from the state the first left
        }
        let k3 = KernelContract.contractWorkloads.first { $0.id == "K3" }!
        let measurement = k3.measure(minimumSeconds: 0)
        #expect(measurement.runSeconds.count == 20)
        #expect(measurement.medianSeconds == measurement.runSeconds.sorted()[9...10].reduce(0, +) / 2)
        #expect(measurement.throughput == 8_000 / measurement.medianSeconds)
    }
}
