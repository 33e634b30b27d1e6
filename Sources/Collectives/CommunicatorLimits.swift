// The limits every implementation checks the same way, so a job that runs in one process
// does not fail only when started under mpirun.

/// Bounds the MPI standard guarantees on every implementation.
public enum CommunicatorLimits {
    /// The largest tag a message may carry: 32767, the smallest MPI_TAG_UB an MPI library may
    /// offer (MPI 3.1 §8.1.2).
    public static let maximumTag = 32767
    /// The most elements one MPI call can count: 2³¹ − 1 (counts and displacements are C `int`).
    public static let maximumCount = Int(Int32.max)
}
