// Which communicator a process gets: the MPI world when an MPI launcher started it and the
// build has MPI, the group of one otherwise. A build without MPI that finds itself one of
// several launched processes refuses, rather than have every process run the whole job.
import Foundation

/// How this process was started, and the communicator that follows.
public enum MPILaunch {
    #if MPI
    /// Whether this build includes ``MPICommunicator``: true (built with `swift build --traits MPI`).
    public static let isBuiltIn = true
    #else
    /// Whether this build includes `MPICommunicator`: false (build with `swift build --traits MPI` for it).
    public static let isBuiltIn = false
    #endif

    /// The number of processes an MPI launcher announced in `environment`, or nil when none
    /// started this process: Open MPI's `mpirun` sets `OMPI_COMM_WORLD_SIZE`, MPICH's Hydra and
    /// Slurm's `srun --mpi=pmi2` set `PMI_SIZE`. `QUARRY_MPI=on` makes a process count as
    /// launched (size unknown: 0) under any other launcher; `QUARRY_MPI=off` as not launched.
    public static func launcherWorldSize(in environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        switch environment["QUARRY_MPI"] {
        case "off": return nil
        case "on": return environment["OMPI_COMM_WORLD_SIZE"].flatMap { Int($0) } ?? environment["PMI_SIZE"].flatMap { Int($0) } ?? 0
        default: return environment["OMPI_COMM_WORLD_SIZE"].flatMap { Int($0) } ?? environment["PMI_SIZE"].flatMap { Int($0) }
        }
    }

    /// The communicator of this process's job: ``MPICommunicator/world()`` when a launcher
    /// started it (``launcherWorldSize(in:)``) and the build has MPI; a
    /// ``SingleProcessCommunicator`` otherwise.
    /// - Throws: ``CollectivesError/notBuiltWithMPI(worldSize:)`` when launched as one of
    ///   several processes in a build without MPI; MPI's initialization errors.
    public static func worldCommunicator(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(CollectivesError) -> any Communicator {
        switch try choice(launchedWorldSize: launcherWorldSize(in: environment), mpiIsBuiltIn: isBuiltIn) {
        case .singleProcess:
            return SingleProcessCommunicator()
        case .mpi:
            #if MPI
            return try MPICommunicator.world()
            #else
            preconditionFailure("MPILaunch.choice chose MPI in a build without it")
            #endif
        }
    }

    /// The two kinds of communicator a process can get.
    enum Choice: Equatable {
        /// The group of one.
        case singleProcess
        /// The MPI world.
        case mpi
    }

    /// Which communicator a process gets: MPI when a launcher started it (`launchedWorldSize`
    /// not nil) and MPI is built in; the group of one when no launcher started it, or when one
    /// started it alone in a build without MPI.
    /// - Throws: ``CollectivesError/notBuiltWithMPI(worldSize:)`` when launched as one of
    ///   several processes without MPI built in.
    static func choice(launchedWorldSize: Int?, mpiIsBuiltIn: Bool) throws(CollectivesError) -> Choice {
        guard let launched = launchedWorldSize else { return .singleProcess }
        if mpiIsBuiltIn { return .mpi }
        if launched > 1 { throw .notBuiltWithMPI(worldSize: launched) }
        return .singleProcess
    }
}
