import CARPCore
import Glibc
import LinuxHost
import Logging
import Netlink

/// pfsync0 on Linux: carpd's one conntrackd (doc/pfsync.md). It writes conntrackd's
/// configuration from the pfsync settings, keeps the daemon running (Supervisor), says when
/// the node is in sync (SyncWatch), and runs conntrackd's steps around a transition: the
/// commit before a new MASTER's addresses go on, the rest after.
final class Pfsync {
    static let conntrackd = "/usr/sbin/conntrackd"
    /// The commit sits on the takeover path: it may hold it this long, no more.
    static let commitTimeout: UInt64 = 2_000_000_000
    static let statisticsTimeout: UInt64 = 1_000_000_000

    let setup: ConntrackdSetup
    let processes: ProcessPort
    let files: FilePort
    let log: Logger
    /// pfsync0's settings; nil while there is no pfsync0.
    private(set) var settings: PfsyncRecord?
    private(set) var supervisor: Supervisor?
    private(set) var watch = SyncWatch()
    /// The syncdev has carrier.
    private(set) var linkUp = false
    /// Commands after a transition, one at a time, never waited for.
    let steps: CommandQueue
    /// The configuration changed while conntrackd ran: it starts again once it has stopped.
    private var restartPending = false
    /// carpd is on its way out: conntrackd's end is expected (a service manager signals the
    /// whole group), not a crash to restart and demote for.
    private var exiting = false
    /// The last statistics read, for netstat.
    private(set) var lastStatistics: ConntrackdStatistics?

    init(directory: String, processes: ProcessPort, files: FilePort, log: Logger) {
        setup = ConntrackdSetup(directory: directory)
        self.processes = processes
        self.files = files
        self.log = log
        steps = CommandQueue(label: PfsyncRecord.interfaceName, processes: processes, log: log)
    }

    /// conntrackd is wanted: pfsync0 up with a syncdev.
    var wanted: Bool { settings.map { $0.up && $0.syncdev != nil } ?? false }

    var isRunning: Bool {
        if case .running = supervisor?.state { true } else { false }
    }

    /// Out of sync, and so demoted: wanted but not running, the syncdev down, or the peer's
    /// states not in yet. The reason is the BSD log wording.
    var demotionReason: String? {
        guard wanted else { return nil }
        if !isRunning { return "pfsync down" }
        if !linkUp { return "pfsync link" }
        if !watch.inSync { return "pfsync bulk start" }
        return nil
    }

    /// What `ifconfig pfsync0` and the saved state show.
    func record(demotion: Int) -> PfsyncRecord? {
        guard var record = settings else { return nil }
        record.running = isRunning
        record.syncok = wanted && isRunning && linkUp && watch.inSync
        record.demotion = demotion
        return record
    }

    var nextDeadline: UInt64? {
        [supervisor?.deadline, steps.deadline, isRunning ? watch.pollDeadline : nil].compactMap { $0 }.min()
    }

    // MARK: - Settings

    /// Applies `change` to pfsync0 (created on first use, as OpenBSD's ifconfig clones it).
    /// `syncdevUp` (the new syncdev's carrier) and `local` come from the kernel.
    func apply(_ change: PfsyncChange, syncdevUp: (String) -> Bool, local: (String) -> IPAddress?, now: UInt64) {
        if change.destroy == true {
            settings = nil
            reconcile(local: local, now: now)
            return
        }
        let before = settings
        var record = settings ?? PfsyncRecord()
        if let syncdev = change.syncdev { record.syncdev = syncdev }
        if let syncpeer = change.syncpeer { record.syncpeer = syncpeer }
        if let maxupd = change.maxupd { record.maxupd = maxupd }
        if let deferUpdates = change.deferUpdates { record.deferUpdates = deferUpdates }
        if let version = change.version { record.version = version }
        if let up = change.up { record.up = up }
        settings = record
        if let device = record.syncdev, device != before?.syncdev { linkUp = syncdevUp(device) }
        // conntrackd has no reload: a new transport means a new daemon.
        let transportChanged = before?.syncdev != record.syncdev || before?.syncpeer != record.syncpeer
        if transportChanged && isRunning { restartPending = true }
        reconcile(local: local, now: now)
    }

    /// Starts or stops conntrackd to match the settings.
    func reconcile(local: (String) -> IPAddress?, now: UInt64) {
        if !wanted || restartPending, let supervisor, supervisor.state != .stopped {
            if case .stopping = supervisor.state {} else { supervisor.stop(now: now) }
            return  // its exit calls back here
        }
        restartPending = false
        guard wanted, supervisor == nil || supervisor?.state == .stopped, let settings, let device = settings.syncdev else {
            if !wanted {
                supervisor = nil
                watch.stop()
            }
            return
        }
        guard let address = local(device) else {
            log.error("\(PfsyncRecord.interfaceName): syncdev \(device) has no \(settings.syncpeer?.family == .inet6 ? "IPv6" : "IPv4") address; conntrackd not started")
            return
        }
        do {
            try files.write(ConntrackdConfig.render(settings, local: address, setup: setup), to: setup.config)
        } catch {
            log.error("\(PfsyncRecord.interfaceName): \(error)")
            return
        }
        let supervisor = Supervisor(name: "conntrackd", path: Self.conntrackd, arguments: ["-C", setup.config],
                                    processes: processes, log: log)
        // Before every start: a conntrackd that died (or outlived its carpd) leaves its lock
        // file, and conntrackd refuses to start beside one.
        supervisor.beforeStart = { [unowned self] in removeStale() }
        self.supervisor = supervisor
        supervisor.start(now: now)
        watch.begin(now: now)
    }

    /// A conntrackd of ours that outlived its carpd (kill -9) still holds the lock file and
    /// the socket: ask it to exit, then make sure neither is left.
    private func removeStale() {
        guard files.read(setup.lock) != nil || files.read(setup.socket) != nil else { return }
        _ = try? processes.run(Self.conntrackd, setup.request("-k"), timeout: Self.statisticsTimeout)
        files.remove(setup.lock)
        files.remove(setup.socket)
    }

    /// conntrackd ended by itself: its log says why (another conntrackd on the same port,
    /// a syncdev without that address ...).
    private func reportExit() {
        guard let text = files.read(setup.log) else { return }
        if let line = text.split(separator: "\n").last(where: { $0.contains("[ERROR] ") }),
           let start = line.firstRange(of: "[ERROR] ")?.upperBound {
            log.error("\(PfsyncRecord.interfaceName): conntrackd: \(line[start...])")
        }
    }

    // MARK: - Events

    /// A child exited; true when it was conntrackd or one of its steps.
    func exited(_ pid: pid_t, _ status: ExitStatus, local: (String) -> IPAddress?, now: UInt64) -> Bool {
        if exiting, case .running(pid, _)? = supervisor?.state {
            supervisor = nil
            return false
        }
        if let supervisor, supervisor.exited(pid, status, now: now) {
            if supervisor.state == .stopped { reconcile(local: local, now: now) }
            if case .restarting = supervisor.state {
                reportExit()
                watch.stop()
            }
            return true
        }
        return steps.exited(pid, status, now: now)
    }

    func deadlineReached(local: (String) -> IPAddress?, now: UInt64) {
        steps.deadlineReached(now: now)
        if let supervisor {
            let wasRunning = isRunning
            supervisor.deadlineReached(now: now)
            if !wasRunning && isRunning { watch.begin(now: now) }
        }
        if isRunning, let due = watch.pollDeadline, due <= now { poll(now: now) }
    }

    /// The syncdev's carrier changed: down holds the demotion; up asks the peer for its
    /// states again, as pfsync requests an update on link-up.
    func linkChanged(up: Bool, now: UInt64) {
        guard up != linkUp else { return }
        linkUp = up
        guard up, isRunning else { return }
        watch.begin(now: now)
        steps.enqueue(Self.conntrackd, setup.request("-n"), now: now)
    }

    private func poll(now: UInt64) {
        let statistics = readStatistics(network: false)
        let sample = statistics.map {
            SyncWatch.Sample(bytesReceived: $0.bytesReceived, packetsReceived: $0.packetsReceived, externalActive: $0.externalActive)
        }
        switch watch.sample(sample, now: now) {
        case .arrived: log.info("\(PfsyncRecord.interfaceName): bulk update received")
        case .timedOut: log.error("pfsync: failed to receive bulk update")
        case nil: break
        }
    }

    /// `conntrackd -s` (and `-s network` for netstat); nil when it does not answer.
    func readStatistics(network: Bool) -> ConntrackdStatistics? {
        guard isRunning, let general = try? processes.run(Self.conntrackd, setup.request("-s"), timeout: Self.statisticsTimeout),
              general.status == .exited(0) else { return nil }
        var text = ""
        if network, let more = try? processes.run(Self.conntrackd, setup.request("-s", "network"), timeout: Self.statisticsTimeout),
           more.status == .exited(0) {
            text = more.text
        }
        var statistics = ConntrackdStatistics.parse(general: general.text, network: text)
        statistics.inet6 = settings?.syncpeer?.family == .inet6
        lastStatistics = statistics
        return statistics
    }

    // MARK: - Transitions

    /// BACKUP -> MASTER, before the first address goes on: the peer's states into the
    /// kernel, so that the flows they describe are forwarded (and NATed) as before instead of
    /// being answered with resets. Waited for, at most `commitTimeout`; timed and logged.
    /// It goes ahead of the steps queued by an earlier takeover (a dying peer's vhids fall
    /// to us in turns milliseconds apart) and never overlaps the one running.
    func commit(clock: () -> UInt64) {
        guard isRunning else { return }
        let started = clock()
        let result = steps.runFirst(Self.conntrackd, setup.request("-c"), timeout: Self.commitTimeout, clock: clock)
        let milliseconds = Double(clock() - started) / 1_000_000
        let took = (milliseconds * 10).rounded() / 10
        if result?.status == .exited(0) {
            log.info("\(PfsyncRecord.interfaceName): states committed in \(took) ms")
        } else {
            log.error("\(PfsyncRecord.interfaceName): commit failed after \(took) ms: \(result?.text.split(separator: "\n").last ?? "not run")")
        }
    }

    /// The node became MASTER of something: the external cache is flushed, the internal one
    /// resynchronised with the kernel and sent to the peer (conntrack-tools' primary steps).
    func becameMaster(now: UInt64) {
        guard isRunning else { return }
        for flag in ["-f", "-R", "-B"] { steps.enqueue(Self.conntrackd, setup.request(flag), now: now) }
    }

    /// The node is MASTER of nothing any more: the kernel's table is flushed after conntrackd's
    /// PurgeTimeout and the peer is asked for its states (conntrack-tools' backup steps).
    func becameBackup(now: UInt64) {
        guard isRunning else { return }
        for flag in ["-t", "-n"] { steps.enqueue(Self.conntrackd, setup.request(flag), now: now) }
    }

    /// carpd begins to exit: from now on conntrackd is not restarted.
    func beginShutdown() {
        exiting = true
    }

    /// carpd exits: conntrackd goes too, with its lock file and socket.
    func shutdown() {
        exiting = true
        guard supervisor != nil || files.read(setup.lock) != nil else { return }
        _ = try? processes.run(Self.conntrackd, setup.request("-k"), timeout: Self.statisticsTimeout)
        // It removes its lock file as it goes; one that lingers is killed.
        var waited = 0
        while files.read(setup.lock) != nil && waited < 100 {
            usleep(10_000)
            waited += 1
        }
        if case .running(let pid, _) = supervisor?.state { processes.kill(pid, signal: SIGKILL) }
        files.remove(setup.lock)
        files.remove(setup.socket)
        supervisor = nil
    }
}
