@testable import Collectives
import Testing

@Suite("Which communicator a process gets")
struct MPILaunchTests {
    @Test("the launcher's world size comes from Open MPI's or PMI's variable; QUARRY_MPI overrides")
    func worldSize() {
        #expect(MPILaunch.launcherWorldSize(in: [:]) == nil)
        #expect(MPILaunch.launcherWorldSize(in: ["OMPI_COMM_WORLD_SIZE": "4", "PMI_SIZE": "9"]) == 4)
        #expect(MPILaunch.launcherWorldSize(in: ["PMI_SIZE": "3"]) == 3)
        #expect(MPILaunch.launcherWorldSize(in: ["QUARRY_MPI": "on"]) == 0)
        #expect(MPILaunch.launcherWorldSize(in: ["QUARRY_MPI": "off", "OMPI_COMM_WORLD_SIZE": "2"]) == nil)
    }

    @Test("without a launcher the communicator is the group of one")
    func singleProcess() throws {
        let communicator = try MPILaunch.worldCommunicator(environment: [:])
        #expect(communicator is SingleProcessCommunicator && communicator.size == 1)
    }

    @Test("MPI when launched and built in; a build without MPI refuses to be one of several processes")
    func choice() throws {
        #expect(try MPILaunch.choice(launchedWorldSize: nil, mpiIsBuiltIn: true) == .singleProcess)
        #expect(try MPILaunch.choice(launchedWorldSize: 4, mpiIsBuiltIn: true) == .mpi)
        #expect(try MPILaunch.choice(launchedWorldSize: 0, mpiIsBuiltIn: true) == .mpi)
        #expect(try MPILaunch.choice(launchedWorldSize: nil, mpiIsBuiltIn: false) == .singleProcess)
        #expect(try MPILaunch.choice(launchedWorldSize: 1, mpiIsBuiltIn: false) == .singleProcess)
        #expect(throws: CollectivesError.notBuiltWithMPI(worldSize: 3)) {
            try MPILaunch.choice(launchedWorldSize: 3, mpiIsBuiltIn: false)
        }
    }

    @Test("a build without MPI refuses to be one of several launched processes",
          .enabled(if: !MPILaunch.isBuiltIn, "an MPI build starts MPI instead"))
    func refusesWithoutMPI() throws {
        #expect(throws: CollectivesError.notBuiltWithMPI(worldSize: 2)) {
            try MPILaunch.worldCommunicator(environment: ["OMPI_COMM_WORLD_SIZE": "2"])
        }
        #expect(try MPILaunch.worldCommunicator(environment: ["OMPI_COMM_WORLD_SIZE": "1"]).size == 1)
    }

    @Test("an MPI error names the call, the code and MPI's text")
    func errorText() {
        #expect(CollectivesError.mpi(call: "MPI_Iallreduce", code: 5, message: "MPI_ERR_COUNT: invalid count argument").description
                == "MPI_Iallreduce failed with MPI error 5: MPI_ERR_COUNT: invalid count argument")
        #expect(WorkQueueError.jobFailed(index: 3, rank: 1, description: "non-finite loss").description
                == "job 3 failed on rank 1: non-finite loss")
    }
}
