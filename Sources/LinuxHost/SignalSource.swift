import CCarpShim
import Glibc

/// Blocks SIGTERM, SIGINT, SIGHUP (and ignores SIGPIPE) for the process and reads them from a signalfd.
///
/// Signals arrive as readable data on `fileDescriptor`, so the reactor handles them between other events
/// and no code ever runs in async-signal context. Create it before starting any thread: the mask is set
/// on the calling thread and inherited by threads created afterwards. The signals stay blocked after
/// the source is gone (unblocking could deliver a pending SIGTERM with its default, fatal action);
/// note that child processes inherit the blocked mask, so a spawner should reset it in the child.
public final class SignalSource {
    private let descriptor: Int32

    /// Blocks `signals` (e.g. `[SIGTERM, SIGINT, SIGHUP]`), ignores SIGPIPE and opens a
    /// non-blocking signalfd for them.
    /// - Throws: `SystemError` from `sigaddset` (EINVAL for a bad number), `sigaction`,
    ///   `pthread_sigmask` or `signalfd`.
    public init(signals: [Int32]) throws(SystemError) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in signals where sigaddset(&mask, signal) != 0 {
            throw SystemError.last("sigaddset \(signal)")
        }
        // A write to a closed control connection must fail with EPIPE, not kill the daemon.
        if carp_ignore_sigpipe() != 0 { throw SystemError.last("sigaction SIGPIPE") }
        let status = pthread_sigmask(SIG_BLOCK, &mask, nil)
        if status != 0 { throw SystemError(operation: "pthread_sigmask", errno: status) }
        descriptor = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        if descriptor < 0 { throw SystemError.last("signalfd") }
    }

    deinit {
        closeDescriptor(descriptor)
    }

    /// The signalfd to register with a `Reactor`; readable while a signal is pending.
    public var fileDescriptor: Int32 { descriptor }

    /// Drains every pending signal without blocking; returns their numbers in arrival order
    /// (a signal sent several times before the read is reported once, as with any blocked signal).
    public func read() -> [Int32] {
        var received: [Int32] = []
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        while true {
            let count = retryingOnInterrupt { Glibc.read(descriptor, &info, size) }
            // EAGAIN: drained. A short read cannot happen with a full-size buffer.
            guard count == size else { return received }
            received.append(Int32(bitPattern: info.ssi_signo))
        }
    }
}
