import CARPControl
import CARPCore
import Glibc
import LinuxHost
import Logging
import Netlink

/// carpd: one single-threaded reactor driving the pure engine and performing its outputs.
final class Daemon {
    let options: Options
    let log = Logger(label: "carpd")
    var engine = CARPEngine()
    let reactor: Reactor
    let route: RouteSocket
    let monitor: RouteMonitor
    let inet: CARPSocket
    let inet6: CARPSocket
    let frames: FrameSocket
    let signals: SignalSource
    var server: ControlServer?
    var tuning: HostTuning
    var interfaces: [VirtualHostKey: VirtualInterface] = [:]
    var parents: [String: ParentState] = [:]
    /// Arrival ifindex (a carpdev: advertisements are heard there only) to carpdev name.
    var carpdevByIndex: [Int32: String] = [:]
    /// carpN interfaces created (or partly configured) without a carpdev and a vhid yet.
    var pending: [String: VirtualHostChange] = [:]
    /// The parts of the demotions set by hand (sysctl writes, carpdemote), kept across restarts;
    /// the automatic parts (carpdev down, send errors) are recomputed.
    var manualDemotion = 0
    var manualGroupDemote = 0
    var eventSequence: UInt64 = 0
    let files: RuntimeFiles
    let hooks: HookRunner
    var stopping = false
    /// When each receive socket was last read, to recognise a burst (`receivePackets`).
    var lastReceive: [AddressFamily: UInt64] = [:]
    static let burstWindow: UInt64 = 1_000_000
    /// Multicast advertisements built but not sent yet: they leave in one batch (`flushFrames`).
    var queuedFrames: [(key: VirtualHostKey, family: AddressFamily, frame: OutgoingFrame)] = []

    init(options: Options) throws {
        self.options = options
        reactor = try Reactor()
        route = try RouteSocket()
        monitor = try RouteMonitor()
        inet = try CARPSocket(family: .inet)
        inet6 = try CARPSocket(family: .inet6)
        frames = try FrameSocket()
        signals = try SignalSource(signals: [SIGTERM, SIGINT, SIGHUP, SIGCHLD])
        files = RuntimeFiles(directory: options.runtimeDirectory)
        hooks = HookRunner(directory: options.configDirectory + "/notify.d", log: Logger(label: "carpd"))
        tuning = HostTuning(log: log, savedPath: files.savedSysctls)
    }

    func run(detach: Bool = false) throws {
        removeStaleInterfaces()
        try inet.setDSCP(engine.settings.dscp)
        try inet6.setDSCP(engine.settings.dscp)
        let server = try ControlServer(path: options.socketPath)
        self.server = server
        try server.register(with: reactor, handler: { [unowned self] text, uid in serveControl(text, uid: uid) },
                            oversize: { ControlMessage.failure(errno: EINVAL, "request too large").encoded })
        try reactor.register(fd: inet.receiveDescriptor) { [unowned self] in receivePackets(from: inet, family: .inet) }
        try reactor.register(fd: inet6.receiveDescriptor) { [unowned self] in receivePackets(from: inet6, family: .inet6) }
        try reactor.register(fd: monitor.fileDescriptor) { [unowned self] in if monitor.drain() { refreshParents() } }
        try reactor.register(fd: signals.fileDescriptor) { [unowned self] in handleSignals() }
        loadConfiguration()
        log.info("listening on \(options.socketPath)")
        if detach { try CarpdMain.daemonize() }
        while !stopping {
            try reactor.runOnce(deadline: [engine.nextDeadline, hooks.deadline].compactMap { $0 }.min())
            hooks.checkDeadline(now: MonotonicClock.now())
            let now = MonotonicClock.now()
            if let due = engine.nextDeadline, due <= now { perform(engine.deadlineReached(now: now)) }
        }
        shutdown()
    }

    private func handleSignals() {
        for signal in signals.read() {
            switch signal {
            case SIGTERM, SIGINT:
                log.info("received signal \(signal), shutting down")
                stopping = true
            case SIGCHLD:
                hooks.reap(now: MonotonicClock.now())
            default:
                break
            }
        }
    }

    /// Bow out of every MASTER vhid, take every address and macvlan away, restore the sysctls.
    /// The macvlans are deleted together at the end, so no vhid is released as usual (each
    /// link-down waits out an RCU grace period, ~25 ms, 6 s for 255 vhids): its VIPs leave
    /// right after its bow-out, silently, so that they are not on both nodes meanwhile.
    private func shutdown() {
        var batch: [EngineOutput] = []
        for output in engine.shutdown(now: MonotonicClock.now()) {
            guard case .vhost(let key, .release) = output, let vif = interfaces[key] else {
                batch.append(output)
                continue
            }
            perform(batch)  // the bow-out leaves first
            batch = []
            removeAddressesSilently(vif)
        }
        perform(batch)
        Self.deleteOwnMacvlans(route: route)
        interfaces = [:]
        tuning.restore()
        server?.close()
        log.info("exiting")
    }

    /// A macvlan carrying our alias was left by a carpd that died; nothing may survive it:
    /// its addresses would answer beside the new master's.
    private func removeStaleInterfaces() {
        Self.removeStaleInterfaces(route: route, log: log)
    }

    static func removeStaleInterfaces(route: RouteSocket, log: Logger) {
        for name in deleteOwnMacvlans(route: route) { log.notice("removed stale \(name)") }
    }

    /// Deletes the macvlans a carpd made in this namespace (recognised by their alias) and
    /// returns their names. Those in carpd's interface group go in one request when nothing
    /// else is in that group; any others (or all, if the group request fails) one by one.
    @discardableResult
    static func deleteOwnMacvlans(route: RouteSocket) -> [String] {
        guard let links = try? route.links() else { return [] }
        let ours = links.filter(\.isCarpdMacvlan)
        let ourIndexes = Set(ours.map(\.index))
        let group = CarpdConventions.macvlanGroup
        let grouped = links.filter { $0.group == group }
        var left = ours
        if !grouped.isEmpty, grouped.allSatisfy({ ourIndexes.contains($0.index) }),
           (try? route.deleteLinks(group: group)) != nil {
            left = ours.filter { $0.group != group }
        }
        for link in left { try? route.deleteLink(index: link.index) }
        return ours.map(\.name)
    }

    /// `carpd -C` (systemd ExecStopPost): take away what a carpd that did not exit cleanly
    /// left behind. The runtime state stays, so a restart still gets the configuration back.
    static func cleanup(_ options: Options) -> Int32 {
        let log = Logger(label: "carpd")
        guard let route = try? RouteSocket() else {
            log.error("netlink: cannot open a route socket")
            return 1
        }
        removeStaleInterfaces(route: route, log: log)
        var tuning = HostTuning(log: log, savedPath: RuntimeFiles(directory: options.runtimeDirectory).savedSysctls)
        tuning.restore()
        return 0
    }

    // MARK: - Input

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
            let packet = ReceivedPacket(family: family, payload: datagram.payload, ttl: datagram.ttl,
                                        source: IPAddress(bytes: datagram.source),
                                        carpdev: carpdevByIndex[datagram.ifindex],
                                        headerTruncated: datagram.headerTruncated)
            perform(engine.receive(packet, now: MonotonicClock.now()))
        }
    }

    /// Link or address events: re-read every carpdev's state and sources.
    func refreshParents() {
        let now = MonotonicClock.now()
        for name in parents.keys.sorted() {
            let state = readParent(name)
            let wasUp = parents[name]?.up
            parents[name] = state ?? ParentState(index: parents[name]!.index)
            let up = state?.up ?? false
            if wasUp != up { perform(engine.setLink(name, up: up, now: now)) }
        }
    }

    func readParent(_ name: String) -> ParentState? {
        guard let link = try? route.link(named: name) else { return nil }
        var state = ParentState(index: link.index, up: link.isUp && link.hasCarrier)
        for address in (try? route.addresses(ifindex: link.index)) ?? [] {
            state.prefixes.append(address.prefix)
            let bytes = address.prefix.address.bytes
            if address.prefix.family == .inet {
                if state.source4 == nil { state.source4 = bytes }
            } else if address.isUsable {
                if address.scope == 0, state.source6 == nil { state.source6 = bytes }
                if address.scope == 253, state.linkLocal6 == nil { state.linkLocal6 = bytes }
            }
        }
        return state
    }
}
