// A POSIX thread that runs one closure and is joined. Why not Dispatch: the work queue runs rank
// 0's own jobs on a second thread with a closure that must not outlive the call
// (`withoutActuallyEscaping`), and a Dispatch block's context is released only after the block
// has signalled its group; `pthread_join` returns after the thread, and with it the closure, is
// gone. Why a second thread at all: MPI calls stay on the thread that initialized MPI.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread running one closure; `join()` waits for it to end.
final class JoinableThread {
    /// The closure, boxed so its reference can cross into the C start routine.
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    #if os(Linux)
    private var handle = pthread_t()
    #else
    private var handle: pthread_t?
    #endif
    private var joined = false

    /// Starts a thread that calls `body` once; the thread releases `body` before it ends.
    /// - Throws: ``CollectivesError/threadUnavailable(code:)`` when the system refuses a thread.
    init(_ body: @escaping () -> Void) throws(CollectivesError) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        let code = pthread_create(&handle, nil, { argument in
            // Takes the box's reference, so it is released when the routine returns.
            guard let argument else { return nil }
            Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, box)
        if code != 0 {
            Unmanaged<Body>.fromOpaque(box).release()
            throw .threadUnavailable(code: code)
        }
    }

    /// Waits until the thread has ended (its closure released). Later calls return at once.
    func join() {
        guard !joined else { return }
        joined = true
        #if os(Linux)
        pthread_join(handle, nil)
        #else
        if let handle { pthread_join(handle, nil) }
        #endif
    }

    deinit { join() }
}
