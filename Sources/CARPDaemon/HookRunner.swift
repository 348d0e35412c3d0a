import CARPCore
import Glibc
import Logging

/// FreeBSD devd's CARP notifications, as files: every executable in notify.d runs on each
/// state change with `<vhid>@<carpdev> <STATE>`, one at a time, in order, each with a time
/// limit. A hook never blocks the protocol: carpd only spawns and reaps.
final class HookRunner {
    static let timeLimit: UInt64 = 10 * 1_000_000_000

    let directory: String
    let log: Logger
    private var queue: [(path: String, arguments: [String])] = []
    private var running: (pid: pid_t, path: String, started: UInt64, killed: Bool)?

    init(directory: String, log: Logger) {
        self.directory = directory
        self.log = log
    }

    /// When the running hook's time is up.
    var deadline: UInt64? { running.map { $0.started + Self.timeLimit } }

    func stateChanged(_ key: VirtualHostKey, to state: CARPState, now: UInt64) {
        for path in executables() { queue.append((path, [key.description, state.description])) }
        startNext(now: now)
    }

    /// SIGCHLD: collect every exited child; start the next hook.
    func reap(now: UInt64) {
        var status: Int32 = 0
        while true {
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { break }
            guard let current = running, current.pid == pid else { continue }
            let exited = status & 0x7f == 0
            if current.killed {
                log.error("notify: \(current.path): killed after \(Self.timeLimit / 1_000_000_000) s")
            } else if !exited || (status >> 8) & 0xff != 0 {
                let how = exited ? "exit status \((status >> 8) & 0xff)" : "killed by signal \(status & 0x7f)"
                log.error("notify: \(current.path): \(how)")
            }
            running = nil
        }
        startNext(now: now)
    }

    func checkDeadline(now: UInt64) {
        guard let current = running, !current.killed, now >= current.started + Self.timeLimit else { return }
        kill(current.pid, SIGKILL)
        running?.killed = true
    }

    private func startNext(now: UInt64) {
        while running == nil, !queue.isEmpty {
            let hook = queue.removeFirst()
            if let pid = spawn(hook.path, hook.arguments) {
                running = (pid, hook.path, now, false)
            }
        }
    }

    /// The child gets an empty signal mask and default dispositions: carpd blocks the
    /// signals it reads from a signalfd, and children would inherit that.
    private func spawn(_ path: String, _ arguments: [String]) -> pid_t? {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigfillset(&defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, nil, &attributes, argv, environ)
        guard rc == 0 else {
            log.error("notify: \(path): \(String(cString: strerror(rc)))")
            return nil
        }
        return pid
    }

    /// Executable regular files of notify.d, by name (read each time: no restart needed).
    private func executables() -> [String] {
        Daemon.listDirectory(directory).map { directory + "/" + $0 }.filter { path in
            var info = stat()
            return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
        }
    }
}
