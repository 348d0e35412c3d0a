/// VRRPv3's rules (RFC 5798 §6, now RFC 9568), FreeBSD 15's `carpver 3`, taken the RFC's
/// way where FreeBSD's would not meet keepalived (doc/vrrp.md): a master resigning with
/// priority 0 is replaced after Skew_Time, a shutdown sends priority 0, equal priorities go
/// to the higher primary address, the owner (255) takes over at once, and the interval is
/// learned from the master but never part of the election.
public struct VRRPElection: ElectionRules {
    public private(set) var config: VirtualHostConfig
    /// Master_Adver_Interval: the master's interval as last heard (centiseconds), our own
    /// until then.
    public private(set) var masterAdverInterval: UInt16

    static let centisecond: UInt64 = 10_000_000
    public static let ownerPriority: UInt8 = 255

    public init(config: VirtualHostConfig) {
        self.config = config
        masterAdverInterval = config.vrrpInterval
    }

    public mutating func configure(_ new: VirtualHostConfig) {
        if new.vrrpInterval != config.vrrpInterval { masterAdverInterval = new.vrrpInterval }
        config = new
    }

    public func advertisementInterval(context: ElectionContext) -> UInt64 {
        UInt64(config.vrrpInterval) * Self.centisecond
    }

    /// Skew_Time = (256 - Priority) x Master_Adver_Interval / 256, with our configured
    /// priority (as FreeBSD), in nanoseconds without rounding (keepalived's precision).
    public var skewTime: UInt64 {
        UInt64(256 - Int(config.vrrpPriority)) * UInt64(masterAdverInterval) * Self.centisecond / 256
    }

    /// 3 x Master_Adver_Interval + Skew_Time; the owner does not wait (RFC §6.4.1).
    public var masterDownInterval: UInt64 {
        config.vrrpPriority == Self.ownerPriority ? 0 : 3 * UInt64(masterAdverInterval) * Self.centisecond + skewTime
    }

    /// The priority we send and compare: lowered by the demotion (FreeBSD main's
    /// DEMOTE_VRRP_PRIO: net.inet.carp.demotion, here with OpenBSD's demote count too),
    /// 0...254; the owner's 255 is never demoted. Demoted by 240, a node sends 0: resigns.
    public func effectivePriority(_ context: ElectionContext) -> UInt8 {
        guard config.vrrpPriority != Self.ownerPriority else { return Self.ownerPriority }
        let demoted = Int(config.vrrpPriority) - context.demotion - Int(context.demoteCount)
        return UInt8(clamping: min(max(demoted, 0), 254))
    }

    public mutating func decide(in state: CARPState, heard: VRRPHeard, context: ElectionContext) -> ElectionDecision {
        let theirs = heard.advertisement.priority, mine = effectivePriority(context)
        // RFC §7.1: the owner discards every advertisement for its own addresses.
        guard mine != Self.ownerPriority else { return .ignore }
        switch state {
        case .initial:
            return .ignore
        case .backup:
            if theirs == 0 { return .masterDownIn(skewTime) }
            // A lower priority is discarded only when we may preempt: the timer runs out.
            guard !context.preempt || theirs >= mine else { return .ignore }
            learn(heard.advertisement.interval)
            return .restartMasterDown
        case .master:
            if theirs == 0 { return .advertiseNow }
            guard theirs > mine || (theirs == mine && Self.isHigher(heard.source, than: heard.local)) else { return .ignore }
            learn(heard.advertisement.interval)
            return .becomeBackup(theirs > mine ? .higherPriority : .higherAddress)
        }
    }

    /// Our addresses of every family; each family's advertisement carries its own (the
    /// encoder picks them by the destination's family). Priority 0 to resign.
    public mutating func advertisement(bowOut: Bool, context: ElectionContext) -> Advertisement {
        .vrrp(VRRPAdvertisement(vrid: config.vhid, priority: bowOut ? 0 : effectivePriority(context),
                                interval: config.vrrpInterval, addresses: config.addresses.map(\.address)))
    }

    /// No authentication in VRRPv3: the wire checks (TTL, checksum, length) are all there is.
    public mutating func admit(_ header: VRRPHeard) -> InputRejection? { nil }

    /// A zero interval would let a master time out at once: at least a centisecond.
    private mutating func learn(_ interval: UInt16) { masterAdverInterval = max(interval, 1) }

    /// The RFC's tie-break: the sender's primary address is the greater, as an unsigned
    /// number. Without an address of our own to compare we yield: better one master late
    /// than two.
    static func isHigher(_ source: IPAddress, than local: IPAddress?) -> Bool {
        guard let local, local.family == source.family else { return true }
        return source.bytes.lexicographicallyPrecedes(local.bytes) == false && source.bytes != local.bytes
    }
}
