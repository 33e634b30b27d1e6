// `mpirun -np N quarry compare …`: what the command adds when its runs are spread over MPI
// ranks (the work queue itself is `StrategyComparison.run(_:data:context:communicator:progress:)`).
import Foundation

extension CompareCommand {
    /// The report's context line for a comparison spread over `ranks` MPI ranks.
    static func distributedContext(ranks: Int) -> String {
        "runs spread over \(ranks) MPI ranks as a work queue, one run at a time per rank: seconds per iteration measured with the ranks sharing their machines"
    }

    /// The environment variable that makes one rank die, for the test that a dead rank ends the
    /// job with an error instead of a hang: `QUARRY_TEST_KILL_RANK=<rank>` kills that rank with
    /// SIGKILL (as the kernel's out-of-memory killer would) at the 5th iteration of its first run
    /// (`compare`), or after the 5th iteration of `train --distributed`.
    static let killRankVariable = "QUARRY_TEST_KILL_RANK"

    /// Kills this process with SIGKILL when `QUARRY_TEST_KILL_RANK` names `rank` and
    /// `iteration` (0-based) is 4; otherwise returns.
    static func dieIfAskedForTesting(rank: Int, iteration: Int) {
        guard iteration == 4, let value = ProcessInfo.processInfo.environment[killRankVariable], Int(value) == rank else { return }
        kill(getpid(), SIGKILL)
    }
}
