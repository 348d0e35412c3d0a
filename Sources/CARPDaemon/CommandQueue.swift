import CARPCore
import Glibc
import LinuxHost
import Logging

/// Commands run one at a time, in order, each with a time limit, never blocking the loop:
/// carpd only spawns, and hears of the exit from the process port. The notify.d hooks run
/// through one (FreeBSD devd's CARP notifications, as files), pfsync's conntrackd steps after
/// a transition through another.
final class CommandQueue {
    static let timeLimit: UInt64 = 10 * 1_000_000_000

    /// The word log lines start with ("notify", "pfsync0").
    let label: String
    let log: Logger
    let processes: ProcessPort
    private var queue: [(path: String, arguments: [String])] = []
    private var running: (pid: pid_t, path: String, started: UInt64, killed: Bool)?
    /// A command runs ahead of the queue (`runFirst`): nothing else starts meanwhile.
    private var holding = false

    init(label: String, processes: ProcessPort, log: Logger) {
        self.label = label
        self.processes = processes
        self.log = log
    }

    /// When the running command's time is up.
    var deadline: UInt64? { running.flatMap { $0.killed ? nil : $0.started + Self.timeLimit } }

    /// Nothing queued or running.
    var isIdle: Bool { running == nil && queue.isEmpty }

    func enqueue(_ path: String, _ arguments: [String], now: UInt64) {
        queue.append((path, arguments))
        startNext(now: now)
    }

    /// Runs a command to its end ahead of the queue: the running one ends first (waited for
    /// at most `timeout`), the queued ones start after it. For conntrackd's commit, which
    /// conntrackd will not overlap with another request (a flush sent meanwhile is ignored).
    func runFirst(_ path: String, _ arguments: [String], timeout: UInt64, clock: () -> UInt64) -> ChildProcesses.Output? {
        holding = true
        defer {
            holding = false
            startNext(now: clock())
        }
        if let current = running, !processes.wait(current.pid, timeout: timeout) {
            log.warning("\(label): \(current.path) still running, \(path) goes ahead")
        }
        return try? processes.run(path, arguments, timeout: timeout)
    }

    /// A child exited; true when it was the running command (the next one starts).
    @discardableResult
    func exited(_ pid: pid_t, _ status: ExitStatus, now: UInt64) -> Bool {
        guard let current = running, current.pid == pid else { return false }
        if current.killed {
            log.error("\(label): \(current.path): killed after \(Self.timeLimit / 1_000_000_000) s")
        } else if !status.succeeded {
            log.error("\(label): \(current.path): \(status)")
        }
        running = nil
        startNext(now: now)
        return true
    }

    /// Kills the running command once its time is up; its exit then starts the next.
    func deadlineReached(now: UInt64) {
        guard let current = running, !current.killed, now >= current.started + Self.timeLimit else { return }
        processes.kill(current.pid, signal: SIGKILL)
        running?.killed = true
    }

    private func startNext(now: UInt64) {
        while running == nil, !holding, !queue.isEmpty {
            let command = queue.removeFirst()
            do {
                running = (try processes.spawn(command.path, command.arguments), command.path, now, false)
            } catch {
                log.error("\(label): \(command.path): \(String(cString: strerror(error.errno)))")
            }
        }
    }
}
