import CARPControl
import CARPCore
import Glibc
import LinuxHost
import Logging
import Netlink

/// carpd's I/O shell: one single-threaded reactor that feeds the node (Node.swift) from the
/// sockets, the route monitor, the signals, the control socket, the child processes and one
/// timer, and lets it carry out what the engine decided once per turn.
final class Daemon {
    let options: Options
    let log = Logger(label: "carpd")
    let reactor: Reactor
    let monitor: RouteMonitor
    let packets: LinuxPackets
    let signals: SignalSource
    let processes: ChildProcesses
    let node: Node
    /// One carpd per network namespace (InstanceLock.swift).
    let lock: InstanceLock
    var server: ControlServer?
    /// `-m` or rc.conf's carpd_metrics (Daemon+Metrics.swift).
    var metrics: MetricsServer?
    let startTime = UInt64(max(0, time(nil)))
    var stopping = false
    /// When each receive socket was last read, to recognise a burst (`receivePackets`).
    var lastReceive: [AddressFamily: UInt64] = [:]
    static let burstWindow: UInt64 = 1_000_000

    init(options: Options) throws {
        self.options = options
        lock = try Self.lockNamespace()
        reactor = try Reactor()
        monitor = try RouteMonitor()
        packets = try LinuxPackets()
        signals = try SignalSource(signals: [SIGTERM, SIGINT, SIGHUP])
        processes = ChildProcesses(reactor: reactor)
        let files = LinuxFiles()
        node = Node(options: options, route: try RouteSocket(), packets: packets, processes: processes, files: files,
                    nftables: Nftables(useLibrary: true, processes: processes, files: files), clock: MonotonicClock.now)
    }

    func run(detach: Bool = false) throws {
        let server = try ControlServer(path: options.socketPath)
        self.server = server
        node.publishEvent = { [weak server] in server?.broadcast($0) }
        try server.register(with: reactor, handler: { [unowned self] text, uid in node.serveControl(text, uid: uid) },
                            oversize: { ControlMessage.failure(errno: EINVAL, "request too large").encoded })
        try reactor.register(fd: packets.inet.receiveDescriptor) { [unowned self] in receivePackets(from: packets.inet, family: .inet) }
        try reactor.register(fd: packets.inet6.receiveDescriptor) { [unowned self] in receivePackets(from: packets.inet6, family: .inet6) }
        try reactor.register(fd: packets.neighbors.descriptor) { [unowned self] in
            var budget = 64
            while budget > 0, let heard = packets.neighbors.receive() {
                budget -= 1
                node.neighborRequest(heard.frame, ifindex: heard.ifindex)
            }
        }
        try reactor.register(fd: monitor.fileDescriptor) { [unowned self] in if monitor.drain() { node.linksChanged() } }
        try reactor.register(fd: signals.fileDescriptor) { [unowned self] in handleSignals() }
        try reactor.register(fd: lock.fileDescriptor) { [unowned self] in
            lock.answer("pid \(getpid()), socket \(options.socketPath)")
        }
        let timer = reactor.addTimer { [unowned self] in node.deadlineReached() }
        timer.onEarlyWake = { [unowned self, unowned timer] in
            if let at = timer.deadline { node.warmTakeover(at: at) }
        }
        serveMetrics()
        node.start()
        log.info("listening on \(options.socketPath)")
        if detach { try CarpdMain.daemonize() }
        while !stopping {
            // A takeover's deadline is kept to the microsecond, an advertisement's need not be.
            let wake = node.nextWake
            (timer.deadline, timer.precise) = (wake?.at, wake?.takeover ?? false)
            try reactor.runOnce()
            node.carryOut()
        }
        server.close()
        metrics?.close()
        node.beginShutdown()
        // The successors' first advertisements, or half a second (see Node.beginShutdown).
        let deadline = MonotonicClock.now() + Node.successorWait
        while !node.awaitingSuccessors.isEmpty, MonotonicClock.now() < deadline {
            try reactor.runOnce(deadline: deadline)
            node.carryOut()
        }
        node.finishShutdown()
    }

    private func handleSignals() {
        for signal in signals.read() where signal == SIGTERM || signal == SIGINT {
            log.info("received signal \(signal), shutting down")
            stopping = true
        }
    }

    private func receivePackets(from socket: CARPSocket, family: AddressFamily) {
        // Woken again within a millisecond: a master's burst is arriving (it sends its due
        // vhids together). Let the rest queue for a millisecond and read it with one wake-up,
        // not one per few datagrams; the first of a burst is still handled at once.
        let woken = MonotonicClock.now()
        if let last = lastReceive[family], woken &- last < Self.burstWindow {
            reactor.hold(fd: socket.receiveDescriptor, until: woken + Self.burstWindow)
        }
        lastReceive[family] = woken
        var budget = 256
        while budget > 0, let datagram = socket.receive() {
            budget -= 1
            node.receive(ReceivedPacket(family: family, payload: datagram.payload, ttl: datagram.ttl,
                                        source: IPAddress(bytes: datagram.source),
                                        carpdev: node.carpdevByIndex[datagram.ifindex],
                                        headerTruncated: datagram.headerTruncated,
                                        destination: IPAddress(bytes: datagram.destination)),
                         arrival: datagram.age.map { woken &- min($0, woken) })
        }
    }

    /// `carpd -C` (systemd ExecStopPost): take away what a carpd that did not exit cleanly
    /// left behind. The runtime state stays, so a restart still gets the configuration back.
    static func cleanup(_ options: Options) -> Int32 {
        let log = Logger(label: "carpd")
        let lock: InstanceLock
        do { lock = try lockNamespace() } catch {
            log.error("-C: \(error); nothing removed")
            return 1
        }
        defer { withExtendedLifetime(lock) {} }
        guard let route = try? RouteSocket() else {
            log.error("netlink: cannot open a route socket")
            return 1
        }
        for name in Node.deleteOwnMacvlans(route: route, log: log) { log.notice("removed stale \(name)") }
        for vip in Node.deleteCarpdevVIPs(statePath: options.statePath, route: route, files: LinuxFiles()) {
            log.notice("removed stale \(vip)")
        }
        for vip in Node.deleteBalancedVIPs(statePath: options.statePath, route: route, files: LinuxFiles()) {
            log.notice("removed stale \(vip)")
        }
        let script = options.runtimeDirectory + "/balancing.nft"
        if let reactor = try? Reactor(), (try? LinuxFiles().write(BalancingRuleset(groups: []).script, to: script)) != nil {
            let nftables = Nftables(useLibrary: true, processes: ChildProcesses(reactor: reactor), files: LinuxFiles())
            if nftables.loadEngine() != nil, nftables.apply(file: script) == nil { log.notice("removed carpd's nftables table, if any") }
        }
        var tuning = HostTuning(log: log, files: LinuxFiles(), savedPath: options.savedSysctlsPath)
        tuning.restore()
        // A conntrackd of this carpd (pfsync0) outlives a carpd killed with -9: it goes too.
        let conntrackd = ConntrackdSetup(directory: options.runtimeDirectory)
        if access(conntrackd.config, F_OK) == 0 {
            _ = ChildProcesses.run(Pfsync.conntrackd, conntrackd.request("-k"))
            unlink(conntrackd.lock)
            unlink(conntrackd.socket)
        }
        return 0
    }

    /// The namespace's lock, or the refusal that names its holder.
    static func lockNamespace() throws -> InstanceLock {
        switch try InstanceLock.acquire() {
        case .acquired(let lock): return lock
        case .held(let holder): throw AlreadyRunning(holder: holder)
        }
    }
}

/// Another carpd runs in this network namespace: a second would remove its macvlans.
struct AlreadyRunning: Error, CustomStringConvertible {
    var holder: String?
    var description: String {
        "another carpd is running in this network namespace" + (holder.map { " (\($0))" } ?? "")
    }
}
