// Waiting without burning a core. Open MPI's blocking calls busy-poll the network until they
// complete; a rank waiting for rank 0 (an idle worker at the end of a comparison, or rank 0
// between messages) would then take a core from the ranks still training. Instead every wait
// polls: continuously for the first 2 ms (a short collective completes within them at full
// speed), then with sleeps that double from 50 µs to 1 ms, so a long wait costs about 0.1% of
// a core and adds at most 1 ms of latency.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pause between two polls of something that has not happened yet.
struct PollingBackoff {
    /// How long polls run back to back before the first sleep, in nanoseconds.
    static let spinNanoseconds: UInt64 = 2_000_000
    /// The first and the longest sleep, in microseconds.
    static let firstSleepMicroseconds: UInt32 = 50, longestSleepMicroseconds: UInt32 = 1_000

    private let start = Self.now()
    private var sleep: UInt32 = 0

    /// Returns at once during the first 2 ms, then sleeps 50 µs, 100 µs, … up to 1 ms per call.
    mutating func pause() {
        if sleep == 0 {
            guard Self.now() - start >= Self.spinNanoseconds else { return }
            sleep = Self.firstSleepMicroseconds
        }
        usleep(sleep)
        sleep = min(sleep * 2, Self.longestSleepMicroseconds)
    }

    /// A monotonic clock in nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
