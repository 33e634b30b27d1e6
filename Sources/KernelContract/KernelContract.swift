// The workload set of DESIGN.md's kernel benchmark contract, in one place: the ordo-one benchmark
// executable registers every workload, `quarry bench` times the contract rows and the ceilings.
//
// | id   | ceiling     | cost per unit (basis in each workload; x86-64 record sizes)     |
// |------|-------------|-----------------------------------------------------------------|
// | K1a  | memory copy | 16 B/elem                                                       |
// | K1b  | memory copy | 16 B/elem                                                       |
// | K2   | memory copy | 180 B/row                                                       |
// | K3   | memory copy | 20 B/elem                                                       |
// | K4a  | memory copy | 5 B/anchor                                                      |
// | K4b  | memory copy | 24 B/RoI                                                        |
// | K5   | memory copy | 1 B/anchor                                                      |
// | K6   | memory copy | 0.64 B/pair: (16 B box + 16 B match record) per anchor / 50     |
// | K7a  | memory copy | 28 B/box                                                        |
// | K7b  | memory copy | 36 B/box                                                        |
// | K8   | memory copy | 64 B/candidate: one HardNegative record                         |
// | K9a  | sgemm       | 1e9 FLOP per GFLOP                                              |
// | K9b  | sgemm       | 1e9 FLOP per GFLOP                                              |
// | K10  | memory copy | 27,608 B/RoI                                                    |
// | K11  | sgemm       | 2.993 GFLOP/image                                               |

/// The workloads of DESIGN.md's kernel benchmark contract (K1a–K11), their variants and the
/// machine ceilings, each defined once.
/// Reference: DESIGN.md "Kernel benchmark contract".
public enum KernelContract {
    /// Every workload: contract rows, variants and ceilings, grouped as the benchmark executable
    /// lists them (GEMM, convolution, boxes, losses, selection, sampling, model, memory copy).
    public static var workloads: [Workload] {
        let ceilings = ceilingWorkloads
        return [ceilings[0]] + convolutionWorkloads + boxWorkloads + lossWorkloads + selectionWorkloads
            + samplingWorkloads + modelWorkloads + [ceilings[1]]
    }

    /// The contract's rows in DESIGN.md's order (K1a, K1b, K2, …, K11), one per id.
    public static var contractWorkloads: [Workload] {
        workloads.filter { $0.role == .contract }.sorted { order($0.id) < order($1.id) }
    }

    /// The contract ids in DESIGN.md's order.
    public static let contractIDs = ["K1a", "K1b", "K2", "K3", "K4a", "K4b", "K5", "K6", "K7a", "K7b", "K8", "K9a", "K9b", "K10", "K11"]

    /// The workload that measures a ceiling, by id (`sgemmCeilingID` or `copyCeilingID`).
    /// - Precondition: `id` names a ceiling workload.
    public static func ceilingWorkload(_ id: String) -> Workload {
        guard let workload = ceilingWorkloads.first(where: { $0.id == id }) else {
            preconditionFailure("KernelContract: no ceiling workload \(id); there are \(ceilingWorkloads.map(\.id))")
        }
        return workload
    }

    /// An id's position in DESIGN.md's table (ids outside it sort last).
    private static func order(_ id: String) -> Int { contractIDs.firstIndex(of: id) ?? contractIDs.count }
}
