// `mpirun -np N quarry train --distributed …`: what the command adds for data-parallel training
// (the step itself is `Trainer.dataParallelStep`, Sources/Training/Trainer+DataParallel.swift):
// the launch checks, the OpenBLAS threads per rank, and the run's context line.
import Foundation
import Quarry

/// A `quarry train` launch that cannot train data-parallel, with how to fix it.
enum DistributedTrainingError: Error, CustomStringConvertible, Equatable {
    /// `--distributed` in a build without the MPI trait.
    case notBuiltWithMPI
    /// `--distributed` in a process no MPI launcher started.
    case notLaunched
    /// Several processes started by mpirun without `--distributed`: each would train the whole
    /// run alone and write the same files.
    case needsDistributedFlag(worldSize: Int)

    /// What is wrong and the command that works.
    var description: String {
        switch self {
        case .notBuiltWithMPI:
            return "--distributed needs a build with Open MPI: swift build -c release --traits MPI (scripts/setup.sh installs libopenmpi-dev), then mpirun -np N .build/release/quarry train --distributed …"
        case .notLaunched:
            return "--distributed runs under an MPI launcher: mpirun -np N quarry train --distributed … (QUARRY_MPI=on under a launcher Quarry does not recognise); without mpirun, leave out --distributed"
        case let .needsDistributedFlag(worldSize):
            return "train was started by mpirun as \(worldSize) processes without --distributed: each would train the whole run alone and write the same files; add --distributed to split the batches over the ranks"
        }
    }
}

extension TrainCommand {
    /// The world communicator for `--distributed`, or nil for a one-process run.
    /// - Throws: `DistributedTrainingError` for `--distributed` without the MPI trait or
    ///   without a launcher, or for several launched processes without `--distributed`;
    ///   `CollectivesError` from MPI's initialization.
    func dataParallelCommunicator(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (any Communicator)? {
        let launched = MPILaunch.launcherWorldSize(in: environment)
        guard distributed else {
            if let launched, launched > 1 { throw DistributedTrainingError.needsDistributedFlag(worldSize: launched) }
            return nil
        }
        guard MPILaunch.isBuiltIn else { throw DistributedTrainingError.notBuiltWithMPI }
        guard launched != nil else { throw DistributedTrainingError.notLaunched }
        return try MPILaunch.worldCommunicator(environment: environment)
    }

    /// The OpenBLAS threads of one rank: `requested` (`--threads`), at most the machine's cores
    /// divided by the ranks on it (at least 1), so that ranks × threads fits the cores.
    ///
    /// The ranks on this machine come from the launcher (`OMPI_COMM_WORLD_LOCAL_SIZE` from Open
    /// MPI, `MPI_LOCALNRANKS` from MPICH's Hydra); without them every rank counts as local.
    static func threadsPerRank(requested: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        let local = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? environment["MPI_LOCALNRANKS"].flatMap { Int($0) }
            ?? MPILaunch.launcherWorldSize(in: environment) ?? 1
        return max(1, min(requested, cores / max(1, local)))
    }

    /// Rank 0's note at the start of a data-parallel run.
    static func dataParallelNote(ranks: Int, batchSize: Int, threads: Int) -> String {
        "data-parallel over \(ranks) MPI ranks: \(batchSize / ranks) of the \(batchSize) images of each batch per rank, \(threads) OpenBLAS thread\(threads == 1 ? "" : "s") per rank"
    }
}
