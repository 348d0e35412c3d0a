/// One vhid's CARP state machine. Pure: time comes in as monotonic nanoseconds, effects go
/// out as `CARPAction`s, and the caller asks `nextDeadline` when to call back.
public struct VirtualHostMachine: Sendable {
    public private(set) var config: VirtualHostConfig
    public private(set) var state: CARPState = .initial
    /// MASTER: when the next advertisement is due.
    public private(set) var advertiseAt: UInt64?
    /// MASTER: the interval `advertiseAt` was scheduled with (advbase + demoted advskew).
    public private(set) var advertisementInterval: UInt64 = 0
    /// BACKUP: per-family master-down deadlines; the first to expire makes us MASTER.
    public private(set) var masterDownAt: [AddressFamily: UInt64] = [:]
    /// The counter of the last advertisement sent, for loop detection.
    public private(set) var lastSentCounter: UInt64?
    private var counter: UInt64
    /// Advertisements left before the repeated gratuitous ARP/NA (OpenBSD sc_delayed_arp).
    private var delayedAnnounce = 0
    private var authenticator: CARPAuthenticator
    private var lastAuthentic: (counter: UInt64, digest: [UInt8])?

    public init(config: VirtualHostConfig, counterSeed: UInt64) {
        self.config = config
        counter = counterSeed
        authenticator = CARPAuthenticator(key: config.key, vhid: config.vhid, addresses: config.addresses.map(\.address))
    }

    public var nextDeadline: UInt64? {
        var earliest = advertiseAt
        for at in masterDownAt.values where at < earliest ?? .max { earliest = at }
        return earliest
    }

    /// True if the header's digest matches our key and address set (either OpenBSD form),
    /// remembering the last authentic counter and digest: the IPv4 and the
    /// IPv6 advertisement of a vhid carry the same ones (the HMAC covers both address
    /// lists), so the second copy is not hashed again. The result depends only on the
    /// counter and digest for one key and address set, and `configure` forgets it.
    public mutating func authenticate(_ header: CARPHeader) -> Bool {
        if let last = lastAuthentic, last.counter == header.counter, last.digest == header.digest { return true }
        guard authenticator.verify(header) else { return false }
        lastAuthentic = (header.counter, header.digest)
        return true
    }

    /// The machine's two checks of an advertisement for its vhid, in order: the digest, then
    /// our own counter coming back (a loop). One call, so that the engine can make it in
    /// place: reading a property through the dictionary copies the whole machine.
    mutating func admit(_ header: CARPHeader) -> InputRejection? {
        guard authenticate(header) else { return .badAuthentication }
        return header.counter == lastSentCounter ? .loopDetected : nil
    }

    // MARK: - Administrative inputs

    /// Replaces the configuration. A MASTER re-claims (addresses may have changed) and
    /// advertises at once so peers see new timing without waiting an interval.
    public mutating func configure(_ new: VirtualHostConfig, context: ElectionContext, now: UInt64) -> [CARPAction] {
        let old = config
        config = new
        authenticator = CARPAuthenticator(key: new.key, vhid: new.vhid, addresses: new.addresses.map(\.address))
        lastAuthentic = nil
        switch state {
        case .initial:
            return []
        case .backup:
            if old.advbase != new.advbase || old.advskew != new.advskew || old.families != new.families {
                armMasterDown(now: now)
            }
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

    /// OpenBSD's bow-out: a MASTER going away sends one last advertisement with advbase and
    /// advskew 255, which every backup (advbase <= 85) treats as a master about to time out.
    public mutating func bowOut(context: ElectionContext, reason: TransitionReason, now: UInt64,
                                release: ReleaseMode = .down) -> [CARPAction] {
        var actions: [CARPAction] = []
        if state == .master {
            actions += transmit(advbase: 255, advskew: 255, demote: context.demoteCount)
        }
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

    /// carp_master_down(): set MASTER, take the addresses, advertise at once, announce.
    mutating func becomeMaster(reason: TransitionReason, context: ElectionContext, now: UInt64) -> [CARPAction] {
        let previous = state
        state = .master
        masterDownAt = [:]
        delayedAnnounce = 2
        var actions: [CARPAction] = [.stateChanged(from: previous, to: .master, reason: reason), .claim(config.addresses)]
        actions += advertise(context: context, now: now)
        actions.append(.announce(config.addresses))
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
        let skew = context.effectiveSkew(config.advskew)
        let actions = transmit(advbase: config.advbase, advskew: skew, demote: context.demoteCount)
        advertisementInterval = Timing.advertisementInterval(advbase: config.advbase, advskew: skew)
        advertiseAt = now + advertisementInterval
        return actions
    }

    private mutating func transmit(advbase: UInt8, advskew: UInt8, demote: UInt8) -> [CARPAction] {
        var header = CARPHeader(vhid: config.vhid, advbase: advbase, advskew: advskew, demote: demote, counter: counter)
        header.digest = authenticator.digest(counter: header.counterBytes)
        lastSentCounter = counter
        counter &+= 1
        return AddressFamily.allCases.filter(config.families.contains).map { family in
            let destination: IPAddress = family == .inet ? .v4(config.peer) : .v6(config.peer6)
            return .transmit(Transmission(advertisement: .carp(header), family: family, destination: destination))
        }
    }

    mutating func armMasterDown(now: UInt64) {
        let timeout = Timing.masterDown(advbase: config.advbase, advskew: config.advskew)
        masterDownAt = Dictionary(uniqueKeysWithValues: config.families.map { ($0, now + timeout) })
    }

    mutating func armMasterDown(family: AddressFamily, now: UInt64) {
        masterDownAt[family] = now + Timing.masterDown(advbase: config.advbase, advskew: config.advskew)
    }

    mutating func countDownDelayedAnnounce() -> Bool {
        guard delayedAnnounce > 0 else { return false }
        delayedAnnounce -= 1
        return delayedAnnounce == 0
    }
}
