import CCarpShim
import Glibc

/// How a child process ended.
public enum ExitStatus: Hashable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }
}

/// carpd's children (notify.d hooks now, a supervised conntrackd next). Each one is watched
/// through a pidfd registered with the reactor, and reaped with waitid(P_PIDFD): an exit is
/// reported for exactly that child, with no SIGCHLD handler and no waitpid(-1) that could
/// take another component's child. Signals go through the pidfd too (never a recycled pid).
public final class ChildProcesses {
    /// Called on the reactor thread when a child has exited and been reaped.
    public var onExit: ((pid_t, ExitStatus) -> Void)?
    private let reactor: Reactor
    private var pidfds: [pid_t: Int32] = [:]

    public init(reactor: Reactor) {
        self.reactor = reactor
    }

    deinit {
        for fd in pidfds.values {
            reactor.unregister(fd: fd)
            closeDescriptor(fd)
        }
    }

    /// Starts `path` with `arguments` and watches it.
    /// - Throws: `SystemError` from posix_spawn (ENOENT, EACCES...) or pidfd_open.
    public func spawn(_ path: String, _ arguments: [String]) throws(SystemError) -> pid_t {
        let pid = try Self.start(path, arguments)
        let fd = carp_pidfd_open(pid)
        guard fd >= 0 else {
            let error = SystemError.last("pidfd_open \(path)")
            Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            throw error
        }
        pidfds[pid] = fd
        do {
            try reactor.register(fd: fd) { [weak self] in self?.reap(pid) }
        } catch {
            _ = carp_pidfd_send_signal(fd, SIGKILL)
            reap(pid, blocking: true)
            throw error
        }
        return pid
    }

    /// Sends `signal` to a child that has not been reaped yet; nothing otherwise.
    public func kill(_ pid: pid_t, signal: Int32) {
        guard let fd = pidfds[pid] else { return }
        _ = carp_pidfd_send_signal(fd, signal)
    }

    /// Waits for a spawned child to end, at most `timeout` ns; it is then reaped and
    /// reported through `onExit` as usual. False if it still runs.
    public func wait(_ pid: pid_t, timeout: UInt64) -> Bool {
        guard let fd = pidfds[pid] else { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = retryingOnInterrupt { poll(&descriptor, 1, Int32(clamping: timeout / 1_000_000)) }
        reap(pid)
        return pidfds[pid] == nil
    }

    private func reap(_ pid: pid_t, blocking: Bool = false) {
        guard let fd = pidfds[pid] else { return }
        var code: Int32 = 0, signaled: Int32 = 0
        var rc = carp_pidfd_reap(fd, &code, &signaled)
        while blocking && rc == 1 {
            usleep(1000)
            rc = carp_pidfd_reap(fd, &code, &signaled)
        }
        guard rc != 1 else { return }  // woken but still running: wait for the next readiness
        pidfds[pid] = nil
        reactor.unregister(fd: fd)
        closeDescriptor(fd)
        // rc -1 (ECHILD): someone else reaped it; report it as ended all the same.
        onExit?(pid, rc == 0 && signaled == 0 ? .exited(code) : .signaled(rc == 0 ? code : SIGKILL))
    }

    /// Runs `path` and waits for it (the tools, which have no reactor). 127 if it could not
    /// be started, 128 + N when signal N killed it, as a shell reports.
    public static func run(_ path: String, _ arguments: [String]) -> Int32 {
        guard let pid = try? start(path, arguments) else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// What a command run to its end printed, and how it ended (nil: killed at its time limit).
    public struct Output: Sendable {
        public var status: ExitStatus?
        public var text: String

        public init(status: ExitStatus?, text: String) {
            self.status = status
            self.text = text
        }
    }

    /// Runs `path` to its end, at most `timeout` ns, collecting its standard output and error:
    /// for short commands on carpd's own path (a conntrackd commit, its statistics), which
    /// block the loop for their few milliseconds. Past the limit the command is killed.
    public func run(_ path: String, _ arguments: [String], timeout: UInt64) throws(SystemError) -> Output {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw SystemError.last("pipe") }
        // Close-on-exec: only the command's dup2'ed descriptors 1 and 2 must reach it.
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { closeDescriptor(pipeFDs[0]) }
        let pid: pid_t
        do {
            pid = try Self.start(path, arguments, output: pipeFDs[1])
        } catch {
            closeDescriptor(pipeFDs[1])
            throw error
        }
        closeDescriptor(pipeFDs[1])
        let deadline = MonotonicClock.now() + timeout
        var text: [UInt8] = [], killed = false
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = Reactor.timeoutMilliseconds(until: deadline, now: MonotonicClock.now())
            var descriptor = pollfd(fd: pipeFDs[0], events: Int16(POLLIN), revents: 0)
            if left == 0 || (poll(&descriptor, 1, left) == 0) {
                Glibc.kill(pid, SIGKILL)
                killed = true
                break
            }
            let count = chunk.withUnsafeMutableBytes { buffer in
                retryingOnInterrupt { Glibc.read(pipeFDs[0], buffer.baseAddress, buffer.count) }
            }
            if count <= 0 { break }  // EOF: the command closed its output (it has ended)
            text += chunk[0..<count]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let ended: ExitStatus = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        return Output(status: killed ? nil : ended, text: String(decoding: text, as: UTF8.self))
    }

    /// posix_spawn with an empty signal mask and default dispositions: carpd blocks the
    /// signals it reads from a signalfd, and a child would inherit that. With `output`, the
    /// child's standard output and error go there.
    static func start(_ path: String, _ arguments: [String], output: Int32? = nil) throws(SystemError) -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigfillset(&defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let output {
            posix_spawn_file_actions_adddup2(&actions, output, 1)
            posix_spawn_file_actions_adddup2(&actions, output, 2)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw SystemError(operation: path, errno: rc) }
        return pid
    }
}
