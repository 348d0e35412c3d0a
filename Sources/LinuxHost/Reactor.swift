import CCarpShim
import Glibc

/// Single-threaded epoll loop. Handlers run on the calling thread.
///
/// Each registration is a file descriptor plus a closure run when it becomes ready (level-triggered,
/// so a handler that leaves data unread is simply called again). Handlers may register and unregister
/// descriptors, including their own, while the loop dispatches: every registration gets a fresh token
/// that epoll carries back, so an event for a descriptor unregistered (or closed and reused) earlier in
/// the same round is dropped instead of reaching the wrong handler.
public final class Reactor {
    private struct Registration {
        let fd: Int32
        let handler: () -> Void
    }

    private let epollFD: Int32
    /// Wakes the loop for the earliest deadline. epoll_wait's own timeout is served late by
    /// 0.1 % of its length (the kernel's slack for poll timeouts: 3.4 ms on a 3.39 s
    /// Master_Down_Interval); a timerfd fires on time.
    private let timerFD: Int32
    /// The absolute deadline `timerFD` is set to, nil when disarmed or fired.
    private var armed: UInt64?
    /// epoll's token for `timerFD`; registrations count from 1.
    private static let timerToken: UInt64 = 0
    private var tokenByFD: [Int32: UInt64] = [:]
    private var registrations: [UInt64: Registration] = [:]
    private var nextToken: UInt64 = 1
    private var events = [epoll_event](repeating: epoll_event(), count: 64)
    /// Descriptors whose readiness is ignored until a deadline (`hold`).
    private var held: [Int32: UInt64] = [:]
    private var timers: [Timer] = []

    /// A deadline the loop wakes for (monotonic ns); its handler runs on the loop thread in
    /// the first round at or after it. Set `deadline` to arm it again, nil to disarm it.
    public final class Timer {
        public var deadline: UInt64?
        /// A deadline that matters to the microsecond (a takeover): the loop wakes
        /// `preciseLead` before it and waits the rest out on the CPU, as a wake-up from idle
        /// comes 100-150 us late on a virtual machine. Never for routine deadlines: it spins.
        public var precise = false
        /// Runs when the loop wakes ahead of a precise deadline, before the wait: work that
        /// brings what the handler will run into the caches (a rehearsal of the takeover).
        public var onEarlyWake: (() -> Void)?
        let handler: () -> Void
        init(_ handler: @escaping () -> Void) { self.handler = handler }

        /// When the loop wakes for it.
        var wake: UInt64? { deadline.map { precise && $0 > Reactor.preciseLead ? $0 - Reactor.preciseLead : $0 } }
    }

    /// Creates the epoll instance and its timer.
    /// - Throws: `SystemError` from `epoll_create1`, `timerfd_create` or `epoll_ctl` (EMFILE, ENOMEM).
    public init() throws(SystemError) {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        if epollFD < 0 { throw SystemError.last("epoll_create1") }
        timerFD = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
        if timerFD < 0 {
            let error = SystemError.last("timerfd_create")
            closeDescriptor(epollFD)
            throw error
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = Self.timerToken
        if epoll_ctl(epollFD, EPOLL_CTL_ADD, timerFD, &event) != 0 {
            let error = SystemError.last("epoll_ctl ADD timerfd")
            closeDescriptor(timerFD)
            closeDescriptor(epollFD)
            throw error
        }
    }

    deinit {
        closeDescriptor(timerFD)
        closeDescriptor(epollFD)
    }

    /// Calls `onReadable` whenever `fd` is readable or has an error/hangup pending.
    ///
    /// Registering a descriptor again replaces its handler. Unregister a descriptor before closing it.
    /// - Throws: `SystemError` from `epoll_ctl` (EBADF, EPERM for regular files, ENOMEM).
    public func register(fd: Int32, _ onReadable: @escaping () -> Void) throws(SystemError) {
        unregister(fd: fd)
        let token = nextToken
        nextToken += 1
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = token
        if epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) != 0 {
            throw SystemError.last("epoll_ctl ADD \(fd)")
        }
        tokenByFD[fd] = token
        registrations[token] = Registration(fd: fd, handler: onReadable)
    }

    /// Stops watching `fd`. Unknown descriptors are ignored; safe to call from any handler.
    public func unregister(fd: Int32) {
        held[fd] = nil
        guard let token = tokenByFD.removeValue(forKey: fd) else { return }
        registrations[token] = nil
        // EBADF/ENOENT here only mean the descriptor was already closed: nothing left to undo.
        var unused = epoll_event()
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, &unused)
    }

    /// Chooses which readiness wakes the handler of an already registered `fd` (used for pending writes).
    func setInterest(fd: Int32, readable: Bool, writable: Bool) throws(SystemError) {
        guard let token = tokenByFD[fd] else { return }
        var event = epoll_event()
        event.events = (readable ? EPOLLIN.rawValue : 0) | (writable ? EPOLLOUT.rawValue : 0)
        event.data.u64 = token
        if epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event) != 0 {
            throw SystemError.last("epoll_ctl MOD \(fd)")
        }
    }

    /// Ignores the readiness of the registered, read-only `fd` until `deadline`; then its
    /// handler runs again if data is still waiting (level-triggered: nothing is lost).
    /// For bursts: what arrives meanwhile is read in one go instead of one wake-up per few
    /// datagrams. Holding a held descriptor again keeps the first deadline.
    public func hold(fd: Int32, until deadline: UInt64) {
        guard held[fd] == nil, tokenByFD[fd] != nil else { return }
        guard (try? setInterest(fd: fd, readable: false, writable: false)) != nil else { return }
        held[fd] = deadline
    }

    /// Watches the held descriptors whose deadline passed again.
    private func releaseHolds(now: UInt64) {
        for (fd, until) in held where until <= now {
            held[fd] = nil
            try? setInterest(fd: fd, readable: true, writable: false)
        }
    }

    /// A disarmed timer; arm it by setting its `deadline`.
    public func addTimer(_ handler: @escaping () -> Void) -> Timer {
        let timer = Timer(handler)
        timers.append(timer)
        return timer
    }

    /// Waits for readiness or until the earliest timer (or `deadline`, monotonic ns; nil and
    /// no timer = forever), runs the ready handlers, then the timers that are due, returns.
    /// EINTR is not an error.
    /// - Throws: `SystemError` from `epoll_wait` other than EINTR (which only returns early).
    public func runOnce(deadline: UInt64? = nil) throws(SystemError) {
        let now = MonotonicClock.now()
        releaseHolds(now: now)
        let wake = [deadline, held.values.min(), timers.compactMap(\.wake).min()].compactMap { $0 }.min()
        // Past deadlines need no timer; a timer that cannot be set falls back to a timeout.
        let timeout: Int32
        if let wake, wake <= now {
            timeout = 0
        } else {
            timeout = arm(wake) ? -1 : Reactor.timeoutMilliseconds(until: wake, now: now)
        }
        let count = events.withUnsafeMutableBufferPointer { buffer in
            epoll_wait(epollFD, buffer.baseAddress, Int32(buffer.count), timeout)
        }
        if count < 0 {
            if Glibc.errno == EINTR { return }
            throw SystemError.last("epoll_wait")
        }
        // Copy the tokens first: handlers may register new descriptors while we iterate.
        let ready = events[0..<Int(count)].map { $0.data.u64 }
        for token in ready {
            if token == Self.timerToken {
                disarmFired()
                continue
            }
            // Looked up per event: an earlier handler in this round may have unregistered it.
            registrations[token]?.handler()
        }
        var after = MonotonicClock.now()
        for timer in timers where timer.precise {
            guard let due = timer.deadline, due > after, due - after <= Self.preciseLead else { continue }
            timer.onEarlyWake?()
            after = MonotonicClock.now()
            while after < due { after = MonotonicClock.now() }
        }
        for timer in timers {
            guard let due = timer.deadline, due <= after else { continue }
            timer.deadline = nil
            timer.handler()
        }
    }

    /// How early a precise timer wakes the loop (see `Timer.precise`).
    public static let preciseLead: UInt64 = 300_000

    /// Sets `timerFD` to fire at `wake` (absolute, CLOCK_MONOTONIC like MonotonicClock), or
    /// disarms it for nil; false if the kernel refused.
    private func arm(_ wake: UInt64?) -> Bool {
        guard wake != armed else { return true }
        var setting = itimerspec()
        if let wake {
            setting.it_value = timespec(tv_sec: Int(wake / 1_000_000_000), tv_nsec: Int(wake % 1_000_000_000))
        }
        guard timerfd_settime(timerFD, Int32(TFD_TIMER_ABSTIME), &setting, nil) == 0 else {
            armed = nil
            return false
        }
        armed = wake
        return true
    }

    /// The timer fired: read its count so that it is not ready again, and note it is spent.
    private func disarmFired() {
        var expirations: UInt64 = 0
        _ = read(timerFD, &expirations, MemoryLayout<UInt64>.size)
        armed = nil
    }

    /// The `epoll_wait` timeout for `deadline`: -1 for none, 0 if already due, otherwise whole
    /// milliseconds rounded up (so the wait never ends before the deadline), capped at Int32.max.
    static func timeoutMilliseconds(until deadline: UInt64?, now: UInt64) -> Int32 {
        guard let deadline else { return -1 }
        guard deadline > now else { return 0 }
        let remaining = deadline - now
        let milliseconds = remaining / 1_000_000 + (remaining % 1_000_000 == 0 ? 0 : 1)
        return milliseconds > UInt64(Int32.max) ? Int32.max : Int32(milliseconds)
    }
}
