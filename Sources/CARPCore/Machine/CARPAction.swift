/// What a virtual host asks the outside world to do, in order. Each action carries all it
/// needs (addresses, destination, header): the daemon never reads the engine back to act.
public enum CARPAction: Hashable, Sendable {
    /// Send one advertisement for one family.
    case transmit(Transmission)
    /// Bring the virtual interface up and make its addresses exactly these. The daemon
    /// reports the outcome (`CARPEngine.claimFinished`).
    case claim([IPPrefix])
    /// Take the addresses away (see `ReleaseMode`).
    case release(ReleaseMode)
    /// Gratuitous ARP for every IPv4 address, unsolicited NA for every IPv6 address.
    case announce([IPPrefix])
    case stateChanged(from: CARPState, to: CARPState, reason: TransitionReason)
    /// A new MASTER's addresses are in place (its claim succeeded): what must see them
    /// (hooks, the event stream, a state-sync commit) runs now, not at the transition.
    case masterReady(from: CARPState, reason: TransitionReason)
}

public enum ReleaseMode: Hashable, Sendable {
    /// BACKUP or INIT: the link goes down first, then its addresses, so nothing more
    /// leaves the virtual MAC.
    case down
    /// carpd is exiting: the addresses go at once and silently (no MLD from the virtual MAC);
    /// the link stays up until all are deleted together.
    case exit
}

/// One advertisement for one address family, to the group or a unicast peer.
public struct Transmission: Hashable, Sendable {
    public var advertisement: Advertisement
    public var family: AddressFamily
    public var destination: IPAddress

    public init(advertisement: Advertisement, family: AddressFamily, destination: IPAddress) {
        self.advertisement = advertisement
        self.family = family
        self.destination = destination
    }

    /// To the CARP group of its family rather than a unicast peer.
    public var isMulticast: Bool {
        switch destination {
        case .v4(let a): a.isMulticast
        case .v6(let a): a.isMulticast
        }
    }
}

/// An advertisement of one of the protocols on IP 112, before it is encoded.
public enum Advertisement: Hashable, Sendable {
    /// CARP version 2: header and digest complete, checksum not yet computed.
    case carp(CARPHeader)
    /// VRRPv3 with every address of the vhid; each family's message carries its own.
    case vrrp(VRRPAdvertisement)

    /// The IP payload from `source` to `destination`. A protocol whose checksum covers a
    /// pseudo-header needs both (VRRP: nil without a source address); CARP's covers its own
    /// 36 bytes only.
    public func encoded(source: IPAddress?, destination: IPAddress) -> [UInt8]? {
        switch self {
        case .carp(let header):
            return header.sealed()
        case .vrrp(var message):
            guard let source, source.family == destination.family else { return nil }
            message.addresses = message.addresses.filter { $0.family == destination.family }
            return message.encoded(source: source, destination: destination)
        }
    }
}

extension CARPAction {
    /// A claim or a release: what a balanced carpnode never does.
    public var changesAddresses: Bool {
        switch self {
        case .claim, .release: true
        default: false
        }
    }

    public var isAnnouncement: Bool {
        if case .announce = self { true } else { false }
    }
}
