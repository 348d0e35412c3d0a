import Glibc
import LinuxHost
import Logging

/// Keeps one child process running: started on `start`, restarted after an exit with a
/// back-off that doubles from 1 s to 60 s and resets once a run has lasted 60 s, stopped
/// on `stop` (SIGTERM, SIGKILL after 5 s). Built for pfsync's conntrackd; the time comes in
/// from the caller and the process through the port, so all of it is unit-tested.
final class Supervisor {
    static let firstDelay: UInt64 = 1_000_000_000
    static let longestDelay: UInt64 = 60_000_000_000
    static let stopGrace: UInt64 = 5_000_000_000

    enum State: Equatable {
        case stopped
        case running(pid: pid_t, since: UInt64)
        /// Waiting out the back-off before the next start.
        case restarting(at: UInt64)
        /// SIGTERM sent; SIGKILL at `killAt` if it has not exited.
        case stopping(pid: pid_t, killAt: UInt64)
    }

    let name: String
    let path: String
    let arguments: [String]
    let processes: ProcessPort
    let log: Logger
    private(set) var state: State = .stopped
    private(set) var restarts = 0
    /// Runs before every start (what a dead run left, a stale lock file, goes here).
    var beforeStart: (() -> Void)?
    private var delay = Supervisor.firstDelay

    init(name: String, path: String, arguments: [String], processes: ProcessPort, log: Logger) {
        self.name = name
        self.path = path
        self.arguments = arguments
        self.processes = processes
        self.log = log
    }

    /// When `deadlineReached` has something to do.
    var deadline: UInt64? {
        switch state {
        case .stopped, .running: nil
        case .restarting(let at): at
        case .stopping(_, let killAt): killAt == .max ? nil : killAt
        }
    }

    func start(now: UInt64) {
        guard case .stopped = state else { return }
        delay = Self.firstDelay
        launch(now: now)
    }

    func stop(now: UInt64) {
        switch state {
        case .running(let pid, _):
            processes.kill(pid, signal: SIGTERM)
            state = .stopping(pid: pid, killAt: now + Self.stopGrace)
        case .restarting:
            state = .stopped
        case .stopped, .stopping:
            break
        }
    }

    /// A child exited; true when it was this supervisor's.
    @discardableResult
    func exited(_ pid: pid_t, _ status: ExitStatus, now: UInt64) -> Bool {
        switch state {
        case .running(let current, let since) where current == pid:
            if now - since >= Self.longestDelay { delay = Self.firstDelay }
            log.error("\(name): \(status); restarting in \(delay / 1_000_000_000) s")
            state = .restarting(at: now + delay)
            delay = min(delay * 2, Self.longestDelay)
            return true
        case .stopping(let current, _) where current == pid:
            state = .stopped
            return true
        default:
            return false
        }
    }

    func deadlineReached(now: UInt64) {
        switch state {
        case .restarting(let at) where at <= now:
            restarts += 1
            launch(now: now)
        case .stopping(let pid, let killAt) where killAt <= now:
            processes.kill(pid, signal: SIGKILL)
            state = .stopping(pid: pid, killAt: .max)
        default:
            break
        }
    }

    private func launch(now: UInt64) {
        beforeStart?()
        do {
            state = .running(pid: try processes.spawn(path, arguments), since: now)
        } catch {
            log.error("\(name): \(path): \(String(cString: strerror(error.errno))); retrying in \(delay / 1_000_000_000) s")
            state = .restarting(at: now + delay)
            delay = min(delay * 2, Self.longestDelay)
        }
    }
}
