import CARPControl
import CARPCore
import Glibc
import LinuxHost
import Logging
import Netlink

/// carpd's logic between the pure engine and the system: the macvlans it made, the
/// carpdevs it watches, the control requests, the saved state, hooks and events. It makes no
/// system call itself: every one goes through a port (Ports.swift), so the whole node runs in
/// unit tests with fakes. The daemon (Daemon.swift) feeds it from the reactor.
///
/// The engine's outputs are queued and carried out together (Node+Effects.swift): at the end
/// of every reactor turn, and before a control request is answered.
final class Node {
    let options: Options
    let log: Logger
    let route: RoutePort
    let packets: PacketPort
    let processes: ProcessPort
    let files: FilePort
    let nftables: NftablesPort
    let clock: () -> UInt64
    var engine = CARPEngine()
    var tuning: HostTuning
    /// The notify.d hooks, one at a time.
    let hooks: CommandQueue
    /// pfsync0: carpd's conntrackd.
    let pfsync: Pfsync
    /// Some vhid is MASTER (pfsync's steps follow the node's changes between none and some).
    var anyMaster = false
    var macvlans: [VirtualHostKey: VirtualInterface] = [:]
    var parents: [String: ParentState] = [:]
    /// Arrival ifindex (a carpdev: advertisements are heard there only) to carpdev name.
    var carpdevByIndex: [Int32: String] = [:]
    /// The parts of the demotions set by hand (sysctl writes, carpdemote), kept across restarts;
    /// the automatic parts (carpdev down, send errors) are recomputed.
    var manualDemotion = 0
    /// `ifconfig -g GROUP carpdemote` by group, kept in the runtime state.
    var manualGroupDemote: [String: Int] = [:]
    var eventSequence: UInt64 = 0
    /// Each vhid's last state change (wall-clock seconds, reason), for `netstat -p carp`.
    var lastTransition: [VirtualHostKey: (at: UInt64, reason: String)] = [:]
    /// Each vhid's state changes by new state and reason, for the metrics.
    var transitionCounts: [VirtualHostKey: [TransitionCount: UInt64]] = [:]
    /// Seconds since the epoch (a port of its own so tests can set it).
    var wallClock: () -> UInt64 = { UInt64(max(0, time(nil))) }
    /// Where events go (the control server's subscribers).
    var publishEvent: ((String) -> Void)?
    /// Engine actions not carried out yet.
    var effects = EffectQueue()
    /// State changes of the current turn, logged when all its frames and route changes are
    /// done: writing the line before a new master's claim delayed its addresses.
    var transitionLines: [(LogLevel, String)] = []
    /// The kinds of vhid whose takeover this process has rehearsed (Node+Rehearsal.swift).
    var rehearsed: Set<String> = []
    /// A balanced interface or its owners changed: the data plane is brought up to date
    /// before the next frames (Node+Balancing.swift).
    var balancingChanged = false
    var balancing = BalancingPlane()
    /// Addresses a release could not delete, retried at this time.
    var releaseRetryAt: UInt64?
    /// At exit: the vhids this node was MASTER of whose successor has not been heard yet.
    var awaitingSuccessors: Set<VirtualHostKey> = []
    /// How long an exiting carpd waits for its successors at most.
    static let successorWait: UInt64 = 500_000_000
    static let releaseRetryDelay: UInt64 = 1_000_000_000
    /// How far back a packet's arrival time is taken (`receive`).
    static let arrivalTrust: UInt64 = 1_000_000_000
    /// When the timers last ran: a packet is never dated before it.
    var lastTimerRun: UInt64 = 0

    /// `nftables`: the nft command unless given (carpd gives libnftables, the tests the fakes).
    init(options: Options, route: RoutePort, packets: PacketPort, processes: ProcessPort, files: FilePort,
         nftables: NftablesPort? = nil, clock: @escaping () -> UInt64, log: Logger = Logger(label: "carpd")) {
        self.options = options
        self.route = route
        self.packets = packets
        self.processes = processes
        self.files = files
        self.nftables = nftables ?? Nftables(useLibrary: false, processes: processes, files: files)
        self.clock = clock
        self.log = log
        hooks = CommandQueue(label: "notify", processes: processes, log: log)
        pfsync = Pfsync(directory: options.runtimeDirectory, processes: processes, files: files, log: log)
        tuning = HostTuning(log: log, files: files, savedPath: options.savedSysctlsPath)
        processes.onExit = { [unowned self] pid, status in
            let now = clock()
            if !hooks.exited(pid, status, now: now), pfsync.exited(pid, status, local: syncdevAddress, now: now) {
                updatePfsyncDemotion()
            }
        }
    }

    /// What a start does before serving: stale macvlans away, the DSCP, the configuration.
    func start() {
        for name in Self.deleteOwnMacvlans(route: route, log: log) { log.notice("removed stale \(name)") }
        do { try packets.setDSCP(engine.settings.dscp) } catch { log.warning("dscp: \(error)") }
        removeStaleRuleset()
        loadConfiguration()
        resumeMaintenance()
        carryOut()
    }

    // MARK: - Inputs

    /// A packet, and when it arrived (the kernel's time, on the monotonic clock): the
    /// protocol's timers run from then, so a late wake-up or a long burst does not delay a
    /// takeover. Never before the last timer run, so the engine sees time in order, and at
    /// most a second back (beyond that the time is not trusted).
    func receive(_ packet: ReceivedPacket, arrival: UInt64? = nil) {
        var packet = packet
        if packet.payload.first.map({ $0 >> 4 }) == VRRPAdvertisement.version, let carpdev = packet.carpdev, let parent = parents[carpdev] {
            // VRRP's tie-break compares the sender with our own primary address.
            packet.local = (packet.family == .inet ? parent.source4 : parent.linkLocal6).flatMap(IPAddress.init(bytes:))
        }
        if !awaitingSuccessors.isEmpty, let carpdev = packet.carpdev,
           case .success(let heard) = AdvertisementDecoder.decode(packet.payload, source: packet.source, destination: packet.destination) {
            awaitingSuccessors.remove(VirtualHostKey(carpdev: carpdev, vhid: heard.vhid))
        }
        let now = clock()
        let at = arrival.map { min(now, max($0, lastTimerRun, now &- Self.arrivalTrust)) } ?? now
        submit(engine.receive(packet, now: at))
    }

    /// The earliest time `deadlineReached` has something to do.
    var nextDeadline: UInt64? { nextWake?.at }

    /// That time, and whether it is a takeover (the engine's, kept to the microsecond).
    var nextWake: (at: UInt64, takeover: Bool)? {
        let other = [hooks.deadline, releaseRetryAt, pfsync.nextDeadline].compactMap { $0 }.min()
        guard let engine = engine.earliestDeadline, engine.at <= other ?? .max else { return other.map { ($0, false) } }
        return (engine.at, engine.takeover)
    }

    func deadlineReached() {
        let now = clock()
        lastTimerRun = now
        hooks.deadlineReached(now: now)
        pfsync.deadlineReached(local: syncdevAddress, now: now)
        updatePfsyncDemotion()
        if let due = engine.nextDeadline, due <= now { submit(engine.deadlineReached(now: now)) }
        if let retry = releaseRetryAt, retry <= now { retryReleases() }
    }

    /// Link or address events: re-read every carpdev's state and sources.
    func linksChanged() {
        let now = clock()
        for name in parents.keys.sorted() {
            let state = readParent(name)
            let wasUp = parents[name]?.up
            parents[name] = state ?? ParentState(index: parents[name]!.index)
            let up = state?.up ?? false
            if wasUp != up { submit(engine.setLink(name, up: up, now: now)) }
        }
        if let syncdev = pfsync.settings?.syncdev {
            pfsync.linkChanged(up: carrier(syncdev), now: now)
            updatePfsyncDemotion()
        }
    }

    /// The carpdev's link and sources; nil when it does not exist (or cannot be read, which
    /// is logged: the vhids on it then count as on a carpdev that is down).
    func readParent(_ name: String) -> ParentState? {
        let found: LinkInfo?
        do { found = try route.link(named: name) } catch {
            log.warning("carp: \(error)")
            return nil
        }
        guard let link = found else { return nil }
        var state = ParentState(index: link.index, up: link.isUp && link.hasCarrier)
        state.mac = link.mac
        // VIPs held on the carpdev itself (lladdr = its MAC) are no source for advertisements.
        let vips = Set(macvlans.values.filter { $0.onCarpdev && $0.key.carpdev == name }.flatMap { $0.addresses.map(\.address) })
        let addresses: [AddressInfo]
        do { addresses = try route.addresses(ifindex: link.index) } catch {
            log.warning("carp: \(error)")
            addresses = []
        }
        for address in addresses where !vips.contains(address.prefix.address) {
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

    // MARK: - Exit

    /// Bow out of every MASTER vhid, take every address and macvlan away, restore the sysctls
    /// (`beginShutdown`, then `finishShutdown`).
    func shutdown() {
        beginShutdown()
        finishShutdown()
    }

    /// Every MASTER bows out and its VIPs leave at once, silently (`ReleaseMode.exit`), so
    /// that they are never on both nodes. Its macvlan stays up, without addresses: until the
    /// successor's first frame moves the switch's entry for the virtual MAC, packets for it
    /// (a firewall's forwarded traffic) still come here and are still forwarded, instead of
    /// being lost and costing a TCP retransmission (bench/firewall, "stop": 226 ms).
    func beginShutdown() {
        awaitingSuccessors = Set(engine.hosts.filter { $0.value.machine.state == .master }.map(\.key))
        pfsync.beginShutdown()
        submit(engine.shutdown(now: clock()))
        carryOut()
    }

    /// The macvlans go together (no link down one by one: each waits out an RCU grace period,
    /// ~25 ms), conntrackd stops, the sysctls come back.
    func finishShutdown() {
        pfsync.shutdown()
        clearBalancing()
        Self.deleteOwnMacvlans(route: route, log: log)
        macvlans = [:]
        tuning.restore()
        log.info("exiting")
    }

    /// Deletes the macvlans a carpd made in this namespace (recognised by their alias) and
    /// returns their names. Those in carpd's interface group go in one request when nothing
    /// else is in that group; any others (or all, if the group request fails) one by one.
    /// A failure is logged: a macvlan left behind would answer for its VIPs.
    @discardableResult
    static func deleteOwnMacvlans(route: RoutePort, log: Logger) -> [String] {
        let links: [LinkInfo]
        do { links = try route.links() } catch {
            log.error("carp: cannot list the links to remove carpd's macvlans: \(error)")
            return []
        }
        let ours = links.filter(\.isCarpdMacvlan)
        let ourIndexes = Set(ours.map(\.index))
        let group = CarpdConventions.macvlanGroup
        let grouped = links.filter { $0.group == group }
        var left = ours
        if !grouped.isEmpty, grouped.allSatisfy({ ourIndexes.contains($0.index) }) {
            do {
                try route.deleteLinks(group: group)
                left = ours.filter { $0.group != group }
            } catch {
                log.warning("carp: \(error); deleting them one by one")
            }
        }
        for link in left {
            do { try route.deleteLink(index: link.index) } catch { log.error("carp: \(error)") }
        }
        return ours.map(\.name)
    }
}
