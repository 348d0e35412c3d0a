import CARPCore
import Glibc
import LinuxHost
import Logging

/// FreeBSD devd's CARP notifications, as files: every executable in notify.d runs on each
/// state change with `<vhid>@<carpdev> <STATE>`, one at a time, in order, each with a time
/// limit. A hook never blocks the protocol: carpd only spawns, and hears of the exit from
/// the process port.
final class HookRunner {
    static let timeLimit: UInt64 = 10 * 1_000_000_000

    let directory: String
    let log: Logger
    let files: FilePort
    let processes: ProcessPort
    private var queue: [(path: String, arguments: [String])] = []
    private var running: (pid: pid_t, path: String, started: UInt64, killed: Bool)?

    init(directory: String, files: FilePort, processes: ProcessPort, log: Logger) {
        self.directory = directory
        self.files = files
        self.processes = processes
        self.log = log
    }

    /// When the running hook's time is up.
    var deadline: UInt64? { running.flatMap { $0.killed ? nil : $0.started + Self.timeLimit } }

    /// Hooks queued or running.
    var isIdle: Bool { running == nil && queue.isEmpty }

    func stateChanged(_ key: VirtualHostKey, to state: CARPState, now: UInt64) {
        for name in files.list(directory) where files.isExecutable(directory + "/" + name) {
            queue.append((directory + "/" + name, [key.description, state.description]))
        }
        startNext(now: now)
    }

    /// A child exited; true when it was the running hook (the next one starts).
    @discardableResult
    func exited(_ pid: pid_t, _ status: ExitStatus, now: UInt64) -> Bool {
        guard let current = running, current.pid == pid else { return false }
        if current.killed {
            log.error("notify: \(current.path): killed after \(Self.timeLimit / 1_000_000_000) s")
        } else if !status.succeeded {
            log.error("notify: \(current.path): \(status)")
        }
        running = nil
        startNext(now: now)
        return true
    }

    /// Kills the running hook once its time is up; its exit then starts the next.
    func deadlineReached(now: UInt64) {
        guard let current = running, !current.killed, now >= current.started + Self.timeLimit else { return }
        processes.kill(current.pid, signal: SIGKILL)
        running?.killed = true
    }

    private func startNext(now: UInt64) {
        while running == nil, !queue.isEmpty {
            let hook = queue.removeFirst()
            do {
                running = (try processes.spawn(hook.path, hook.arguments), hook.path, now, false)
            } catch {
                log.error("notify: \(hook.path): \(String(cString: strerror(error.errno)))")
            }
        }
    }
}
