// One workload of DESIGN.md's kernel benchmark contract: what it is called, what one run does,
// how much work that is, and which machine ceiling bounds it. Both the ordo-one benchmark
// executable (Benchmarks/QuarryBenchmarks) and `quarry bench` run these values, so a workload is
// defined once.

/// A timed workload: a name, the work one run performs, and a preparation step that builds the
/// inputs (outside the timing) and returns the body to time.
///
/// `prepare` allocates the workload's inputs from a fixed seed and returns a closure that
/// performs one run; the closure owns those inputs and frees them when it is released, so a
/// workload that is filtered out allocates nothing. The body may be called any number of times
/// and leaves its inputs as it found them (outputs are overwritten, not accumulated), so every
/// run does the same work.
/// Reference: DESIGN.md "Kernel benchmark contract" (median of ≥ 20 runs after warm-up, 2
/// threads, Float32, random inputs from a fixed seed).
public struct Workload: Sendable {
    /// Where a workload stands in the contract.
    public enum Role: Sendable, Hashable {
        /// The row of DESIGN.md's table for its id (one per id): what `quarry bench` runs.
        case contract
        /// Another way of doing the same job (the unfused pair, one-by-one insertion, the whole
        /// sampling strategy, forward only), measured beside the contract row for comparison.
        case variant
        /// A measurement of the machine that the contract rows are judged against.
        case ceiling
    }

    /// The contract id, e.g. `K1a`; variants share their contract row's id.
    public let id: String
    /// The benchmark's full name, e.g. `K1a sigmoid focal loss fwd+bwd 120000x1`
    /// (the ordo-one benchmark name, so existing filters and baselines keep working).
    public let name: String
    /// The contract row, a variant of it, or a machine ceiling.
    public let role: Role
    /// The throughput unit of DESIGN.md's table, e.g. `elem/s`, `GFLOP/s`, `images/s`.
    public let unit: String
    /// The work one run performs, in the numerator of `unit` (elements, GFLOP, images…), > 0.
    public let workPerRun: Double
    /// The ordo-one metric's scaled unit and divisor, e.g. `M elem/s` and 1e6: that executable
    /// records integers, so rates are scaled to keep 3–4 significant digits.
    public let benchmarkMetric: (unit: String, scale: Double)
    /// The machine ceiling the throughput is judged against, with the cost per unit of work.
    public let ceiling: Ceiling
    /// Warm-up and run limits.
    public let timing: Timing
    /// Builds the inputs (not timed) and returns the body that performs one run.
    public let prepare: @Sendable () -> () -> Void

    /// Creates a workload.
    /// - Parameters:
    ///   - id: the contract id (`K1a` … `K11`, or the ceiling's id).
    ///   - name: the full benchmark name.
    ///   - role: contract row, variant or ceiling.
    ///   - unit: the throughput unit, e.g. `elem/s`.
    ///   - workPerRun: units of work one run performs, in `unit`'s numerator.
    ///   - benchmarkMetric: the ordo-one metric's unit and the divisor that produces it.
    ///   - ceiling: what bounds the workload, and its cost per unit of work.
    ///   - timing: warm-up runs and run limits (defaults: 3 warm-up runs, 3 s, 1,000 runs).
    ///   - prepare: builds the inputs and returns the body of one run.
    /// - Precondition: `workPerRun > 0` and finite; `benchmarkMetric.scale > 0`.
    public init(id: String, name: String, role: Role, unit: String, workPerRun: Double,
                benchmarkMetric: (unit: String, scale: Double), ceiling: Ceiling, timing: Timing = Timing(),
                prepare: @escaping @Sendable () -> () -> Void) {
        precondition(workPerRun > 0 && workPerRun.isFinite, "Workload \(id): workPerRun must be positive and finite, got \(workPerRun)")
        precondition(benchmarkMetric.scale > 0, "Workload \(id): the metric scale must be positive, got \(benchmarkMetric.scale)")
        self.id = id
        self.name = name
        self.role = role
        self.unit = unit
        self.workPerRun = workPerRun
        self.benchmarkMetric = benchmarkMetric
        self.ceiling = ceiling
        self.timing = timing
        self.prepare = prepare
    }
}

// MARK: - Ceiling and timing

extension Workload {
    /// The machine limit a workload is judged against, with the cost of one unit of work.
    ///
    /// The fraction of the ceiling is throughput × cost per unit ÷ the ceiling: 1 means the
    /// workload runs as fast as the machine could move its bytes (or do its FLOPs) at the
    /// measured rate. Byte counts are the minimum traffic (each input read once, each output
    /// written once, Float32), so a kernel whose data stay in cache can exceed 1 against the
    /// DRAM copy bandwidth; compute-bound kernels (NMS, IoU) sit far below 1 on it, which says
    /// their time goes to arithmetic, not memory.
    public enum Ceiling: Sendable, Hashable {
        /// GEMM-bound: `flopsPerUnit` floating-point operations per unit of work, against the
        /// sgemm 1024³ rate through `Kernels.sgemm` (GFLOP/s).
        case sgemm(flopsPerUnit: Double, basis: String)
        /// Memory-streaming: `bytesPerUnit` bytes moved per unit of work, against the copy
        /// bandwidth of a buffer much larger than the caches (GB/s, read plus write).
        case memoryCopy(bytesPerUnit: Double, basis: String)

        /// The ceiling's short name: `sgemm` or `memory copy`.
        public var name: String {
            switch self {
            case .sgemm: "sgemm"
            case .memoryCopy: "memory copy"
            }
        }

        /// How the cost per unit was counted, e.g. "16 B/elem: logits, targets read; loss, grad written".
        public var basis: String {
            switch self {
            case .sgemm(_, let basis), .memoryCopy(_, let basis): basis
            }
        }
    }

    /// How a workload is warmed up and how long it may run.
    public struct Timing: Sendable, Hashable {
        /// Untimed runs before the timed ones (first-touch page faults, caches, thread wake-up).
        public var warmupRuns: Int
        /// The most seconds of timed runs once the minimum number of runs is reached.
        public var maxSeconds: Double
        /// The most timed runs.
        public var maxRuns: Int

        /// Creates limits (the defaults are the benchmark executable's: 3 warm-up runs, 3 s, 1,000 runs).
        /// - Precondition: `warmupRuns >= 0`, `maxSeconds > 0`, `maxRuns >= 1`.
        public init(warmupRuns: Int = 3, maxSeconds: Double = 3, maxRuns: Int = 1_000) {
            precondition(warmupRuns >= 0 && maxSeconds > 0 && maxRuns >= 1,
                         "Workload.Timing: need warmupRuns >= 0, maxSeconds > 0, maxRuns >= 1, got \(warmupRuns), \(maxSeconds), \(maxRuns)")
            self.warmupRuns = warmupRuns
            self.maxSeconds = maxSeconds
            self.maxRuns = maxRuns
        }
    }
}
