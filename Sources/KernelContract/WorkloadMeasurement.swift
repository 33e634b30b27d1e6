// Timing a workload the way DESIGN.md's contract asks: warm-up runs, then at least 20 timed runs,
// and the median. `quarry bench` uses this; the ordo-one executable has its own harness.

/// The timed runs of one workload and their median.
public struct WorkloadMeasurement: Sendable {
    /// The workload's contract id, e.g. `K1a`.
    public let id: String
    /// The workload's full name.
    public let name: String
    /// The throughput unit, e.g. `elem/s`.
    public let unit: String
    /// The wall-clock seconds of each timed run, in run order (warm-up runs excluded).
    public let runSeconds: [Double]
    /// The work of one run, in `unit`'s numerator.
    public let workPerRun: Double

    /// The median of `runSeconds` (the mean of the two middle runs for an even count), seconds.
    public var medianSeconds: Double {
        let sorted = runSeconds.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Work per run over the median run time, in `unit`.
    public var throughput: Double { workPerRun / medianSeconds }

    /// Creates a measurement from run times.
    /// - Precondition: at least one run; `workPerRun > 0`.
    public init(id: String, name: String, unit: String, runSeconds: [Double], workPerRun: Double) {
        precondition(!runSeconds.isEmpty && workPerRun > 0,
                     "WorkloadMeasurement \(id): need at least one run and positive work, got \(runSeconds.count) runs, \(workPerRun)")
        self.id = id
        self.name = name
        self.unit = unit
        self.runSeconds = runSeconds
        self.workPerRun = workPerRun
    }
}

extension Workload {
    /// The fewest timed runs the contract allows ("median of ≥ 20 runs").
    public static let minimumContractRuns = 20

    /// Prepares the workload, runs it `timing.warmupRuns` times untimed, then times runs until
    /// there are at least `minimumRuns` and either `minimumSeconds` of timed runs have passed or
    /// `timing.maxRuns` runs are done.
    /// - Parameters:
    ///   - minimumRuns: the fewest timed runs, at least 20 (the contract's median is over ≥ 20).
    ///   - minimumSeconds: keep running (up to `timing.maxRuns`) until this much time is timed, ≥ 0.
    /// - Returns: the run times; the median and throughput follow from them.
    /// - Precondition: `minimumRuns >= 20`, `minimumSeconds >= 0`.
    public func measure(minimumRuns: Int = Workload.minimumContractRuns, minimumSeconds: Double = 1) -> WorkloadMeasurement {
        precondition(minimumRuns >= Workload.minimumContractRuns && minimumSeconds >= 0,
                     "Workload.measure: need minimumRuns >= 20 and minimumSeconds >= 0, got \(minimumRuns), \(minimumSeconds)")
        let body = prepare()
        for _ in 0..<timing.warmupRuns { body() }
        let clock = ContinuousClock()
        var runSeconds: [Double] = []
        runSeconds.reserveCapacity(max(minimumRuns, min(timing.maxRuns, 1_000)))
        var elapsed = 0.0
        while runSeconds.count < minimumRuns || (elapsed < minimumSeconds && runSeconds.count < timing.maxRuns) {
            let duration = clock.measure(body)
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
            runSeconds.append(seconds)
            elapsed += seconds
        }
        return WorkloadMeasurement(id: id, name: name, unit: unit, runSeconds: runSeconds, workPerRun: workPerRun)
    }

    /// The fraction of its ceiling a throughput reaches: throughput × cost per unit ÷ ceiling.
    /// - Parameters:
    ///   - throughput: in `unit`.
    ///   - ceilings: the machine's measured ceilings.
    /// - Returns: e.g. 0.8 for a GEMM-bound workload at 80% of sgemm's FLOP rate.
    public func ceilingFraction(of throughput: Double, ceilings: MachineCeilings) -> Double {
        switch ceiling {
        case .sgemm(let flopsPerUnit, _): throughput * flopsPerUnit / (ceilings.sgemmGFLOPs * 1e9)
        case .memoryCopy(let bytesPerUnit, _): throughput * bytesPerUnit / (ceilings.copyGBs * 1e9)
        }
    }
}

/// The machine's ceilings, measured on the spot.
public struct MachineCeilings: Sendable, Hashable {
    /// sgemm 1024³ through `Kernels.sgemm`, GFLOP/s (median run).
    public var sgemmGFLOPs: Double
    /// Memory copy of a buffer larger than the caches, GB/s (read plus write, median run).
    public var copyGBs: Double

    /// Creates ceilings from measured rates.
    /// - Precondition: both positive.
    public init(sgemmGFLOPs: Double, copyGBs: Double) {
        precondition(sgemmGFLOPs > 0 && copyGBs > 0, "MachineCeilings: rates must be positive, got \(sgemmGFLOPs), \(copyGBs)")
        self.sgemmGFLOPs = sgemmGFLOPs
        self.copyGBs = copyGBs
    }

    /// Measures both ceilings with `Workload.measure` (sgemm first, then the copy).
    /// - Parameter minimumSeconds: as for `Workload.measure`.
    public static func measure(minimumSeconds: Double = 1) -> MachineCeilings {
        let sgemm = KernelContract.ceilingWorkload(KernelContract.sgemmCeilingID).measure(minimumSeconds: minimumSeconds)
        let copy = KernelContract.ceilingWorkload(KernelContract.copyCeilingID).measure(minimumSeconds: minimumSeconds)
        return MachineCeilings(sgemmGFLOPs: sgemm.throughput, copyGBs: copy.throughput)
    }
}
