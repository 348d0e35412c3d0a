/// Names one vhid: FreeBSD's `<vhid>@<carpdev>`.
public struct VirtualHostKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var carpdev: String
    public var vhid: UInt8

    public init(carpdev: String, vhid: UInt8) {
        self.carpdev = carpdev
        self.vhid = vhid
    }

    public var description: String { "\(vhid)@\(carpdev)" }

    public static func < (a: VirtualHostKey, b: VirtualHostKey) -> Bool { (a.carpdev, a.vhid) < (b.carpdev, b.vhid) }
}

/// When a vhid's machine next acts; `takeover` for a BACKUP's master-down.
public struct Deadline: Equatable, Sendable {
    public var at: UInt64
    public var takeover: Bool
}

public struct VirtualHost: Sendable {
    public internal(set) var machine: CARPMachine
    /// `ifconfig carpN up|down`.
    public internal(set) var adminUp: Bool
    /// Advertisements sent for this vhid (each attempt the driver reported) and accepted
    /// from its peers, for the metrics; carpstats counts only the whole node.
    public internal(set) var sent: UInt64 = 0
    public internal(set) var received: UInt64 = 0
}

public enum LogLevel: Int, Sendable, Comparable {
    case error = 3, warning = 4, info = 6, debug = 7
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// What the engine asks of the outside world.
public enum EngineOutput: Hashable, Sendable {
    case vhost(VirtualHostKey, CARPAction)
    case log(LogLevel, String)
    /// The MASTER vhosts of a carp interface changed (what load balancing will follow).
    case ownership(interface: String, masters: [VirtualHostKey])
    /// Which vhids share their addresses under arpbalance changed.
    case balancingChanged
}

/// All vhids of one node plus the node-wide sysctls, demotion and statistics.
/// Pure: the daemon feeds it events with the current monotonic time and performs its outputs.
public struct CARPEngine: Sendable {
    public internal(set) var settings = GlobalSettings()
    public internal(set) var statistics = CARPStatistics()
    public internal(set) var hosts: [VirtualHostKey: VirtualHost] = [:]
    /// The carp interfaces by name, each with its vhosts (CARPInterface.swift).
    public internal(set) var interfaces: [String: CARPInterface] = [:]
    var interfaceOf: [VirtualHostKey: String] = [:]
    /// OpenBSD interface-group demote counters; every vhid is in group "carp".
    public internal(set) var groupDemote: [String: Int] = ["carp": 0]
    var linkUp: [String: Bool] = [:]
    /// Demotion each vhid added because its carpdev is down (removed on recovery).
    var ifdownDemotion: [VirtualHostKey: Int] = [:]
    var sendHealth: [VirtualHostKey: SendHealth] = [:]
    var lastAccepted: [AddressFamily: (bytes: ArraySlice<UInt8>, source: IPAddress?, at: UInt64)] = [:]
    /// Each vhid's next deadline, refreshed by `tagged` after every change to its machine:
    /// the daemon asks for the earliest one on every wake-up, and with 255 vhids walking
    /// (and copying) every machine each time cost more CPU than all the advertisements.
    /// Each is marked when it is a takeover (a BACKUP's master-down), which the daemon
    /// keeps to the microsecond.
    var deadlines: [VirtualHostKey: Deadline] = [:]
    /// New MASTERs whose addresses are not confirmed yet, with how they became MASTER: the
    /// `masterReady` they are owed (CARPEngine+Claim).
    var awaitingReady: [VirtualHostKey: (from: CARPState, reason: TransitionReason)] = [:]
    /// MASTERs whose last claim failed: retried with each advertisement, demoted meanwhile.
    var failedClaims: [VirtualHostKey: ClaimFailure] = [:]
    /// The demotion pfsync0 holds now (CARPEngine+Pfsync), 0 when in sync.
    public internal(set) var pfsyncDemotion = 0
    /// The vhids that share an address under net.inet.carp.arpbalance (CARPEngine+ArpBalance).
    public internal(set) var arpBalanced: Set<VirtualHostKey> = []
    /// The vhids that never claim, release or announce their addresses (CARPInterface.swift):
    /// kept with each configuration change, as `tagged` asks for every action.
    var noClaim: Set<VirtualHostKey> = []

    public init() {}

    /// The demote count OpenBSD sends for `key`: the sum of its interface's groups'
    /// counters, or the interface's own count when that sum is 0; at most 255.
    public func demoteCount(for key: VirtualHostKey) -> UInt8 {
        guard let interface = interface(of: key) else { return UInt8(clamping: groupDemote[InterfaceGroup.carp] ?? 0) }
        let sum = interface.groups.reduce(0) { $0 + (groupDemote[$1] ?? 0) }
        return UInt8(clamping: sum == 0 ? interface.demoted : sum)
    }

    public func context(for key: VirtualHostKey) -> ElectionContext {
        ElectionContext(preempt: settings.preempt != 0, demotion: settings.demotion, demoteCount: demoteCount(for: key))
    }

    /// Some vhid is MASTER. Read in place, by index: iterating `hosts.values` copies every
    /// machine, and the node asks after every reactor turn (a 255-vhid backup spent a
    /// quarter of its CPU on those copies).
    public var hasMaster: Bool {
        var index = hosts.values.startIndex
        while index != hosts.values.endIndex {
            if hosts.values[index].machine.state == .master { return true }
            hosts.values.formIndex(after: &index)
        }
        return false
    }

    public var nextDeadline: UInt64? {
        earliestDeadline?.at
    }

    /// The earliest deadline, and whether it is a takeover (a BACKUP's master-down).
    public var earliestDeadline: Deadline? {
        assert(deadlines.mapValues(\.at) == hosts.compactMapValues(\.machine.nextDeadline), "a machine changed without tagged()")
        var earliest: Deadline?
        for deadline in deadlines.values where deadline.at < earliest?.at ?? .max { earliest = deadline }
        return earliest
    }

    // MARK: - Configuration

    /// Creates or changes a vhid. A new one joins carp interface `interface` (named: an
    /// OpenBSD carpN; else FreeBSD's hidden one) as one of its carpnodes, in `balancing`
    /// mode (the interface's, the same for all); `counterSeed` (random) seeds its counter.
    public mutating func configure(_ key: VirtualHostKey, _ config: VirtualHostConfig, interface: String? = nil, named: Bool = false,
                                   balancing: BalancingMode = .none, counterSeed: UInt64, now: UInt64) -> [EngineOutput] {
        guard hosts[key] != nil else {
            hosts[key] = VirtualHost(machine: CARPMachine(config: config, counterSeed: counterSeed), adminUp: true)
            attach(key, to: interface ?? "vh\(key.vhid)-\(key.carpdev)", named: named, balancing: balancing)
            return refreshArpBalance() + reevaluate([key], now: now)
        }
        let actions = hosts[key]!.machine.configure(config, context: context(for: key), now: now)
        // Whether it now shares an address decides what becomes of its claim.
        let arp = refreshArpBalance()
        return arp + tagged(key, actions) + reevaluate([key], now: now)
    }

    /// Administrative up/down. Down bows out a MASTER first, as OpenBSD's `ifconfig carpN down`.
    public mutating func setAdminUp(_ key: VirtualHostKey, _ up: Bool, now: UInt64) -> [EngineOutput] {
        guard hosts[key] != nil else { return [] }
        var outputs: [EngineOutput] = []
        if !up {
            outputs += tagged(key, hosts[key]!.machine.bowOut(context: context(for: key), reason: .administrativelyDown, now: now))
        }
        hosts[key]!.adminUp = up
        return outputs + reevaluate([key], now: now)
    }

    /// Removes a vhid; a MASTER bows out so a backup takes over at once.
    public mutating func remove(_ key: VirtualHostKey, now: UInt64) -> [EngineOutput] {
        guard hosts[key] != nil else { return [] }
        var outputs = tagged(key, hosts[key]!.machine.bowOut(context: context(for: key), reason: .administrativelyDown, now: now))
        if let amount = ifdownDemotion.removeValue(forKey: key) {
            outputs += adjustDemotion(by: -amount, reason: "vhid removed", now: now)
            outputs += adjustGroups(of: key, by: -1, reason: "vhid removed", now: now)
        }
        if let health = sendHealth.removeValue(forKey: key), health.demoted > 0 {
            outputs += adjustDemotion(by: -health.demoted, reason: "vhid removed", now: now)
            outputs += adjustGroups(of: key, by: -1, reason: "vhid removed", now: now)
        }
        outputs += forgetClaim(key, reason: "vhid removed", now: now)
        detach(key)
        hosts[key] = nil
        deadlines[key] = nil  // tagged() above read the machine before it went
        return outputs + refreshArpBalance()
    }

    /// `state master|backup`.
    public mutating func force(_ key: VirtualHostKey, _ state: CARPState, now: UInt64) -> [EngineOutput] {
        guard hosts[key] != nil else { return [] }
        return tagged(key, hosts[key]!.machine.force(state, context: context(for: key), now: now))
    }

    /// The carpdev's link (IFF_UP and carrier) changed.
    public mutating func setLink(_ carpdev: String, up: Bool, now: UInt64) -> [EngineOutput] {
        guard linkUp[carpdev] != up else { return [] }
        linkUp[carpdev] = up
        return reevaluate(hosts.keys.filter { $0.carpdev == carpdev }.sorted(), now: now)
    }

    /// Every MASTER bows out and every vhid goes to INIT (SIGTERM); the addresses go the
    /// exit's way (`ReleaseMode.exit`), each right after its vhid's bow-out.
    public mutating func shutdown(now: UInt64) -> [EngineOutput] {
        hosts.keys.sorted().flatMap { key in
            tagged(key, hosts[key]!.machine.bowOut(context: context(for: key), reason: .administrativelyDown, now: now, release: .exit))
        }
    }

    // MARK: - Timers

    /// Runs every vhid whose deadline passed, and with them the MASTERs whose next
    /// advertisement falls within its slack (see `VirtualHostMachine.advertisementSlack`).
    public mutating func deadlineReached(now: UInt64) -> [EngineOutput] {
        let due = hosts.compactMap { $0.value.machine.isDue(now: now) ? $0.key : nil }.sorted()
        return due.flatMap { deadlineReached(key: $0, now: now) }
    }

    private mutating func deadlineReached(key: VirtualHostKey, now: UInt64) -> [EngineOutput] {
        retryClaim(key) + tagged(key, hosts[key]!.machine.deadlineReached(context: context(for: key), now: now))
    }

    /// What `deadlineReached` would do when `key`'s master-down deadline runs out, worked
    /// out on a copy (this engine is left as it is); [] unless `key` waits for a master. A
    /// daemon runs it to have the takeover's code run once before it counts.
    public func takeoverRehearsal(_ key: VirtualHostKey) -> [EngineOutput] {
        guard let deadline = deadlines[key], deadline.takeover else { return [] }
        var copy = self
        return copy.deadlineReached(key: key, now: deadline.at)
    }

    /// The same for one of the takeovers due at `now`: one, not all, so that when many
    /// masters fell silent together the rehearsal stays short.
    public func takeoverRehearsal(at now: UInt64) -> [EngineOutput] {
        guard let key = deadlines.first(where: { $0.value.takeover && $0.value.at <= now })?.key else { return [] }
        return takeoverRehearsal(key)
    }

    // MARK: - Helpers

    /// Re-runs the runnable check (carp_setrun) and FreeBSD's ifdown demotion for these vhids.
    mutating func reevaluate(_ keys: [VirtualHostKey], now: UInt64) -> [EngineOutput] {
        var outputs: [EngineOutput] = []
        for key in keys {
            guard let host = hosts[key] else { continue }
            let linkDown = !(linkUp[key.carpdev] ?? false)
            let ifdown = linkDown || settings.allow == 0
            let wasDown = ifdownDemotion[key] != nil
            let runnable = !ifdown && host.adminUp && !host.machine.config.addresses.isEmpty
            let reason: TransitionReason
            if runnable {
                reason = wasDown ? .interfaceUp : .initializationComplete
            } else {
                reason = settings.allow == 0 ? .carpDisabled : linkDown ? .interfaceDown
                    : !host.adminUp ? .administrativelyDown : .noAddresses
            }
            // net.inet.carp.allow=0 (pfSense's "temporarily disable CARP"): a MASTER bows out so
            // that a backup takes over at once; a dead link cannot send, the rest waits.
            if !runnable && reason == .carpDisabled {
                outputs += tagged(key, hosts[key]!.machine.bowOut(context: context(for: key), reason: reason, now: now))
            } else {
                outputs += tagged(key, hosts[key]!.machine.setRunnable(runnable, reason: reason, now: now))
            }
            if ifdown && !wasDown {
                ifdownDemotion[key] = settings.ifdownDemotionFactor
                outputs += adjustDemotion(by: settings.ifdownDemotionFactor, reason: "interface down", now: now)
                outputs += adjustGroups(of: key, by: 1, reason: "carpdev", now: now)
            } else if !ifdown, let amount = ifdownDemotion.removeValue(forKey: key) {
                outputs += adjustDemotion(by: -amount, reason: "interface up", now: now)
                outputs += adjustGroups(of: key, by: -1, reason: "carpdev", now: now)
            }
        }
        return outputs
    }

    /// Tags a machine's actions with its key; counts transitions to MASTER (OpenBSD carps_preempt).
    /// Every change to a machine goes through here (its deadline is re-read).
    mutating func tagged(_ key: VirtualHostKey, _ actions: [CARPAction]) -> [EngineOutput] {
        guard let index = hosts.index(forKey: key) else {
            deadlines[key] = nil
            return actions.map { .vhost(key, $0) }
        }
        return tagged(key, at: index, actions)
    }

    /// `tagged` for a vhid already looked up. The deadline is read in place: a plain read
    /// through the dictionary copies the whole machine.
    mutating func tagged(_ key: VirtualHostKey, at index: [VirtualHostKey: VirtualHost].Index, _ actions: [CARPAction]) -> [EngineOutput] {
        deadlines[key] = Self.deadline(of: &hosts.values[index])
        guard !actions.isEmpty else { return [] }
        let balanced = noClaim.contains(key)
        var outputs: [EngineOutput] = []
        for action in actions {
            // Balanced carpnodes keep the addresses whatever their state: no claim, no
            // release, and no gratuitous ARP (OpenBSD sends none in balanced groups).
            // Under `balancing none` the leader does all of it for its carpnodes.
            if balanced && (action.changesAddresses || action.isAnnouncement) { continue }
            outputs.append(.vhost(key, action))
            guard case .stateChanged(let from, let to, let reason) = action else { continue }
            if to == .master {
                statistics.increment(.preempt)
                outputs += ownershipChanged(key, master: true)
                // The filter that gives it its flows is set with the ownership, before any
                // frame of this turn (or, a follower of `balancing none`, it has nothing
                // to claim): it is ready at once.
                if balanced {
                    outputs.append(.vhost(key, .masterReady(from: from, reason: reason)))
                    continue
                }
                awaitingReady[key] = (from, reason)
            } else if from == .master {
                awaitingReady[key] = nil
                outputs += forgetClaim(key, reason: "no longer master", now: nil)
                outputs += ownershipChanged(key, master: false)
            }
        }
        return outputs
    }

    private static func deadline(of host: inout VirtualHost) -> Deadline? {
        host.machine.nextDeadline.map { Deadline(at: $0, takeover: host.machine.state == .backup) }
    }
}
