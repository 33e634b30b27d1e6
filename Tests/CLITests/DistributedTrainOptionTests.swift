// `quarry train --distributed` without what it needs fails with an error saying how to run it;
// mpirun without --distributed is refused; the OpenBLAS threads per rank fit the cores.
import Foundation
import Quarry
import Testing
@testable import QuarryCLI

@Suite("train --distributed: launch checks and threads per rank")
struct DistributedTrainOptionTests {
    @Test("--distributed outside mpirun names the command that works")
    func distributedWithoutLauncher() throws {
        let command = try TrainCommand.parse(["--distributed"])
        #expect(throws: MPILaunch.isBuiltIn ? DistributedTrainingError.notLaunched : DistributedTrainingError.notBuiltWithMPI) {
            _ = try command.dataParallelCommunicator(environment: [:])
        }
        #expect(DistributedTrainingError.notLaunched.description.contains("mpirun -np N quarry train --distributed"))
        #expect(DistributedTrainingError.notBuiltWithMPI.description.contains("--traits MPI"))
    }

    @Test("several processes under mpirun without --distributed are refused; one is a plain run")
    func launcherWithoutFlag() throws {
        let command = try TrainCommand.parse([])
        #expect(throws: DistributedTrainingError.needsDistributedFlag(worldSize: 2)) {
            _ = try command.dataParallelCommunicator(environment: ["OMPI_COMM_WORLD_SIZE": "2"])
        }
        #expect(try command.dataParallelCommunicator(environment: ["OMPI_COMM_WORLD_SIZE": "1"]) == nil)
        #expect(try command.dataParallelCommunicator(environment: [:]) == nil)
    }

    @Test("threads per rank: at most the cores over the ranks on this machine, at least 1")
    func threadsPerRank() {
        #expect(TrainCommand.threadsPerRank(requested: 2, cores: 2, environment: ["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_LOCAL_SIZE": "2"]) == 1)
        #expect(TrainCommand.threadsPerRank(requested: 2, cores: 2, environment: ["OMPI_COMM_WORLD_SIZE": "3", "OMPI_COMM_WORLD_LOCAL_SIZE": "3"]) == 1)
        #expect(TrainCommand.threadsPerRank(requested: 8, cores: 16, environment: ["OMPI_COMM_WORLD_SIZE": "8", "OMPI_COMM_WORLD_LOCAL_SIZE": "2"]) == 8)
        #expect(TrainCommand.threadsPerRank(requested: 16, cores: 16, environment: ["MPI_LOCALNRANKS": "4", "PMI_SIZE": "8"]) == 4)
        // No local count: every rank of the job counts as local.
        #expect(TrainCommand.threadsPerRank(requested: 4, cores: 4, environment: ["OMPI_COMM_WORLD_SIZE": "2"]) == 2)
    }
}
