/// One vhid's INIT/BACKUP/MASTER machine. Pure: time comes in as monotonic nanoseconds,
/// effects go out as `CARPAction`s, and the caller asks `nextDeadline` when to call back.
/// The states, deadlines and actions are common to the protocols on IP 112; the election,
/// the timers' lengths and the advertisements are the protocol's (`Rules`).
public struct VirtualHostMachine<Rules: ElectionRules>: Sendable {
    public private(set) var rules: Rules
    public private(set) var state: CARPState = .initial
    /// MASTER: when the next advertisement is due.
    public private(set) var advertiseAt: UInt64?
    /// MASTER: the interval `advertiseAt` was scheduled with (with the demotion then).
    public private(set) var advertisementInterval: UInt64 = 0
    /// BACKUP: per-family master-down deadlines; the first to expire makes us MASTER.
    public private(set) var masterDownAt: [AddressFamily: UInt64] = [:]
    /// Advertisements left before the repeated gratuitous ARP/NA (OpenBSD sc_delayed_arp).
    private var delayedAnnounce = 0

    public init(rules: Rules) { self.rules = rules }

    public var config: VirtualHostConfig { rules.config }

    public var nextDeadline: UInt64? {
        var earliest = advertiseAt
        for at in masterDownAt.values where at < earliest ?? .max { earliest = at }
        return earliest
    }

    /// The protocol's checks of an advertisement for this vhid. One call, so that the engine
    /// can make it in place: reading a property through the dictionary copies the machine.
    mutating func admit(_ header: Rules.Header) -> InputRejection? { rules.admit(header) }

    // MARK: - Advertisements heard, timers

    /// An authenticated advertisement for this vhid arrived in `family`; the rules decide
    /// (doc/protocol.md §4 for CARP's).
    public mutating func receive(_ header: Rules.Header, family: AddressFamily, context: ElectionContext, now: UInt64) -> [CARPAction] {
        switch rules.decide(in: state, heard: header, context: context) {
        case .becomeMaster(let reason): return becomeMaster(reason: reason, context: context, now: now)
        case .becomeBackup(let reason): return becomeBackup(reason: reason, now: now, from: state)
        case .restartMasterDown:
            if state == .backup { armMasterDown(family: family, now: now) }
            return []
        case .ignore: return []
        case .masterDownIn(let delay):
            if state == .backup { masterDownAt[family] = now + delay }
            return []
        case .advertiseNow:
            return state == .master ? advertise(context: context, now: now) : []
        }
    }

    /// How early a MASTER may advertise to go out together with other vhids: an eighth of
    /// its interval. Early is always safe (backups time out only on silence), and vhids with
    /// one interval stay together afterwards: 255 of them wake carpd (and their backups) a
    /// few times a second instead of 255 times, and leave in a few batches.
    public var advertisementSlack: UInt64 { advertisementInterval / 8 }

    /// True when `deadlineReached` at `now` would act: an advertisement due within its
    /// slack, or a master-down deadline passed (never early).
    public func isDue(now: UInt64) -> Bool {
        switch state {
        case .initial: return false
        case .master: return advertiseAt.map { $0 <= now || $0 - now <= advertisementSlack } ?? false
        case .backup: return masterDownAt.values.contains { $0 <= now }
        }
    }

    /// Timers: a MASTER's advertisement (within its slack), a BACKUP's master-down.
    public mutating func deadlineReached(context: ElectionContext, now: UInt64) -> [CARPAction] {
        guard isDue(now: now) else { return [] }
        switch state {
        case .initial:
            return []
        case .master:
            // The repeated announcement goes out before the advertisement, not after: a
            // preferred master that takes over on this very advertisement announces within
            // a millisecond, and our late gratuitous ARP after its own pulled the switch's
            // entry for the virtual MAC back to us for an interval (bench "return": 1 s).
            let announce = countDownDelayedAnnounce()
            return (announce ? [.announce(config.addresses)] : []) + advertise(context: context, now: now)
        case .backup:
            return becomeMaster(reason: .masterTimedOut, context: context, now: now)
        }
    }

    // MARK: - Administrative inputs

    /// Replaces the configuration. A MASTER re-claims (addresses may have changed) and
    /// advertises at once so peers see new timing without waiting an interval.
    public mutating func configure(_ new: VirtualHostConfig, context: ElectionContext, now: UInt64) -> [CARPAction] {
        let old = config, oldMasterDown = rules.masterDownInterval
        rules.configure(new)
        switch state {
        case .initial:
            return []
        case .backup:
            if rules.masterDownInterval != oldMasterDown || old.families != new.families { armMasterDown(now: now) }
            return []
        case .master:
            var actions: [CARPAction] = old.addresses != new.addresses ? [.claim(new.addresses)] : []
            actions += advertise(context: context, now: now)
            if Set(old.addresses) != Set(new.addresses) { actions.append(.announce(new.addresses)) }
            return actions
        }
    }

    /// Runnable means: administratively up, carpdev up, carp allowed, at least one address.
    /// Mirrors carp_setrun(): INIT -> BACKUP when runnable, anything -> INIT when not.
    public mutating func setRunnable(_ runnable: Bool, reason: TransitionReason, now: UInt64,
                                     release: ReleaseMode = .down) -> [CARPAction] {
        if runnable {
            guard state == .initial else { return [] }
            return becomeBackup(reason: reason, now: now, from: .initial)
        }
        guard state != .initial else { return [] }
        let previous = state
        state = .initial
        advertiseAt = nil
        masterDownAt = [:]
        return [.release(release), .stateChanged(from: previous, to: .initial, reason: reason)]
    }

    /// OpenBSD's bow-out: a MASTER going away sends one last advertisement that makes the
    /// backups take over at once (CARP: advbase and advskew 255), then goes to INIT.
    public mutating func bowOut(context: ElectionContext, reason: TransitionReason, now: UInt64,
                                release: ReleaseMode = .down) -> [CARPAction] {
        var actions: [CARPAction] = []
        if state == .master { actions += transmit(rules.advertisement(bowOut: true, context: context)) }
        return actions + setRunnable(false, reason: reason, now: now, release: release)
    }

    /// `ifconfig ... state master|backup`: applied only outside INIT and only if it differs.
    public mutating func force(_ target: CARPState, context: ElectionContext, now: UInt64) -> [CARPAction] {
        guard state != .initial, state != target else { return [] }
        switch target {
        case .master: return becomeMaster(reason: .userRequest, context: context, now: now)
        case .backup: return becomeBackup(reason: .userRequest, now: now, from: state)
        case .initial: return []
        }
    }

    /// A MASTER advertises now (after a demotion change), keeping its schedule afterwards.
    public mutating func advertiseNow(context: ElectionContext, now: UInt64) -> [CARPAction] {
        guard state == .master else { return [] }
        return advertise(context: context, now: now)
    }

    // MARK: - Transitions

    /// carp_master_down(): set MASTER, advertise at once, take the addresses, announce. The
    /// advertisement goes first, as on the BSDs (whose carp interface always holds the
    /// addresses): the other nodes learn of the new master while its addresses go on.
    mutating func becomeMaster(reason: TransitionReason, context: ElectionContext, now: UInt64) -> [CARPAction] {
        let previous = state
        state = .master
        masterDownAt = [:]
        delayedAnnounce = 2
        var actions: [CARPAction] = [.stateChanged(from: previous, to: .master, reason: reason)]
        actions += advertise(context: context, now: now)
        actions += [.claim(config.addresses), .announce(config.addresses)]
        return actions
    }

    mutating func becomeBackup(reason: TransitionReason, now: UInt64, from previous: CARPState) -> [CARPAction] {
        state = .backup
        advertiseAt = nil
        armMasterDown(now: now)
        var actions: [CARPAction] = [.stateChanged(from: previous, to: .backup, reason: reason)]
        if previous == .master { actions.insert(.release(.down), at: 0) }
        return actions
    }

    // MARK: - Output

    /// Sends one advertisement per configured family and schedules the next one.
    mutating func advertise(context: ElectionContext, now: UInt64) -> [CARPAction] {
        let actions = transmit(rules.advertisement(bowOut: false, context: context))
        advertisementInterval = rules.advertisementInterval(context: context)
        advertiseAt = now + advertisementInterval
        return actions
    }

    /// The advertisement once per configured family, to the group or the unicast peer.
    private func transmit(_ advertisement: Advertisement) -> [CARPAction] {
        AddressFamily.allCases.filter(config.families.contains).map { family in
            let destination: IPAddress = family == .inet ? .v4(config.peer) : .v6(config.peer6)
            return .transmit(Transmission(advertisement: advertisement, family: family, destination: destination))
        }
    }

    mutating func armMasterDown(now: UInt64) {
        let timeout = rules.masterDownInterval
        masterDownAt = Dictionary(uniqueKeysWithValues: config.families.map { ($0, now + timeout) })
    }

    mutating func armMasterDown(family: AddressFamily, now: UInt64) {
        masterDownAt[family] = now + rules.masterDownInterval
    }

    mutating func countDownDelayedAnnounce() -> Bool {
        guard delayedAnnounce > 0 else { return false }
        delayedAnnounce -= 1
        return delayedAnnounce == 0
    }
}

/// The machine the engine runs: CARP's or VRRPv3's rules, chosen by the vhid's version.
public typealias CARPMachine = VirtualHostMachine<VirtualHostRules>

extension VirtualHostMachine where Rules == VirtualHostRules {
    public init(config: VirtualHostConfig, counterSeed: UInt64) {
        self.init(rules: config.isVRRP ? .vrrp(VRRPElection(config: config)) : .carp(CARPElection(config: config, counterSeed: counterSeed)))
    }

    public var lastSentCounter: UInt64? {
        if case .carp(let carp) = rules { carp.lastSentCounter } else { nil }
    }

    public mutating func authenticate(_ header: CARPHeader) -> Bool { rules.authenticate(header) }
}
