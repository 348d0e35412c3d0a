/// An advertisement for one vhid as the engine hands it to the machine: CARP's header, or
/// a VRRPv3 message with the addresses the tie-break compares.
public enum HeardAdvertisement: Sendable {
    case carp(CARPHeader)
    case vrrp(VRRPHeard)
}

/// A VRRPv3 advertisement with its sender and our own address on that carpdev (RFC 5798
/// §6.4.3: equal priorities are settled by the higher primary address).
public struct VRRPHeard: Sendable {
    public var advertisement: VRRPAdvertisement
    public var source: IPAddress
    /// The carpdev's primary address of the same family; nil when it has none.
    public var local: IPAddress?

    public init(advertisement: VRRPAdvertisement, source: IPAddress, local: IPAddress?) {
        self.advertisement = advertisement
        self.source = source
        self.local = local
    }
}

/// The rules of one vhid: CARP's or VRRPv3's, fixed when the vhid is created (FreeBSD's
/// carpver cannot change). One machine type for the engine, whichever protocol it speaks.
public enum VirtualHostRules: ElectionRules {
    case carp(CARPElection)
    case vrrp(VRRPElection)

    public var config: VirtualHostConfig {
        switch self {
        case .carp(let rules): rules.config
        case .vrrp(let rules): rules.config
        }
    }

    public mutating func configure(_ config: VirtualHostConfig) {
        switch self {
        case .carp(var rules): rules.configure(config); self = .carp(rules)
        case .vrrp(var rules): rules.configure(config); self = .vrrp(rules)
        }
    }

    public func advertisementInterval(context: ElectionContext) -> UInt64 {
        switch self {
        case .carp(let rules): rules.advertisementInterval(context: context)
        case .vrrp(let rules): rules.advertisementInterval(context: context)
        }
    }

    public var masterDownInterval: UInt64 {
        switch self {
        case .carp(let rules): rules.masterDownInterval
        case .vrrp(let rules): rules.masterDownInterval
        }
    }

    /// A header of the other protocol never gets here (the engine counts it as badver).
    /// CARP's rules only read: nothing is written back for them (once per packet).
    public mutating func decide(in state: CARPState, heard header: HeardAdvertisement, context: ElectionContext) -> ElectionDecision {
        switch header {
        case .carp(let carp):
            guard case .carp(let rules) = self else { return .ignore }
            return rules.decide(in: state, heard: carp, context: context)
        case .vrrp(let heard):
            guard case .vrrp(var rules) = self else { return .ignore }
            defer { self = .vrrp(rules) }
            return rules.decide(in: state, heard: heard, context: context)
        }
    }

    public mutating func advertisement(bowOut: Bool, context: ElectionContext) -> Advertisement {
        switch self {
        case .carp(var rules):
            defer { self = .carp(rules) }
            return rules.advertisement(bowOut: bowOut, context: context)
        case .vrrp(var rules):
            defer { self = .vrrp(rules) }
            return rules.advertisement(bowOut: bowOut, context: context)
        }
    }

    public mutating func admit(_ header: HeardAdvertisement) -> InputRejection? {
        switch header {
        case .carp(let carp):
            // FreeBSD: a packet of the other version for a vhid counts as badver.
            guard case .carp(var rules) = self else { return .versionMismatch(got: CARPHeader.version, want: VRRPAdvertisement.version) }
            defer { self = .carp(rules) }
            return rules.admit(carp)
        case .vrrp:
            guard case .vrrp = self else { return .versionMismatch(got: VRRPAdvertisement.version, want: CARPHeader.version) }
            return nil
        }
    }

    mutating func authenticate(_ header: CARPHeader) -> Bool {
        guard case .carp(var rules) = self else { return false }
        defer { self = .carp(rules) }
        return rules.authenticate(header)
    }
}
