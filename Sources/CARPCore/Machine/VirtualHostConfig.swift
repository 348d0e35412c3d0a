/// What an administrator sets on one vhid.
public struct VirtualHostConfig: Hashable, Sendable {
    public var vhid: UInt8
    /// Seconds, 0...255; 0 is OpenBSD's sub-second mode.
    public var advbase: UInt8 = 1
    /// 1/256 s units, 0...254.
    public var advskew: UInt8 = 0
    public var key: CARPKey = .none
    public var addresses: [IPPrefix] = []
    /// Unicast peers (OpenBSD carppeer / FreeBSD peer, peer6); the groups by default.
    public var peer: IPv4Address = .carpGroup
    public var peer6: IPv6Address = .carpGroup
    /// OpenBSD: a carp interface's lladdr set by hand to a MAC that is neither the virtual
    /// one nor the carpdev's goes into the HMAC (CARPAuthenticator); nil otherwise.
    public var authenticatedLLAddr: [UInt8]?
    /// FreeBSD's carpver: 2 is CARP, 3 VRRPv3; fixed when the vhid is created.
    public var version: UInt8 = CARPHeader.version
    /// VRRPv3 (FreeBSD's vrrpprio): 1...255, 255 owns the addresses.
    public var vrrpPriority: UInt8 = 100
    /// VRRPv3 (FreeBSD's vrrpinterval): centiseconds, 1...4095.
    public var vrrpInterval: UInt16 = 100

    public init(vhid: UInt8) { self.vhid = vhid }

    public var isVRRP: Bool { version == VRRPAdvertisement.version }

    public var families: Set<AddressFamily> { Set(addresses.map(\.family)) }

    /// The MAC a new carp interface gets: 00:00:5e:00:01:vhid, as both BSDs use for every
    /// vhid; a VRRP vhid of IPv6 addresses only is an IPv6 virtual router and takes the RFC's
    /// 00:00:5e:00:02:vrid (keepalived's too). One vhid has one MAC: a VRRP vhid with IPv4
    /// addresses keeps the IPv4 one for its IPv6 addresses, as FreeBSD does.
    public var virtualMAC: MACAddress {
        isVRRP && !addresses.isEmpty && families == [.inet6] ? .virtualIPv6(vrid: vhid) : .virtual(vhid: vhid)
    }

    /// The addresses of `family` are exactly `heard`, in any order (VRRP's address list).
    public func carries(_ heard: [IPAddress], family: AddressFamily) -> Bool {
        let mine = addresses.map(\.address).filter { $0.family == family }
        return heard.count == mine.count && Set(heard) == Set(mine)
    }

    /// Whether this family's advertisements go to the CARP group. Only then is a TTL
    /// below 255 proof of a forwarded packet: a unicast peer may sit behind a router
    /// (FreeBSD checks the TTL in multicast mode only), and the HMAC still authenticates.
    public func isMulticast(_ family: AddressFamily) -> Bool {
        // VRRP has no unicast mode: always the group (FreeBSD ignores peer for it).
        isVRRP || (family == .inet ? peer == .carpGroup : peer6 == .carpGroup)
    }

    public static let maximumAdvskew: UInt8 = GlobalSettings.maximumAdvskew
}

/// The node-wide inputs to an election, read at the moment of each decision.
public struct ElectionContext: Hashable, Sendable {
    /// net.inet.carp.preempt
    public var preempt: Bool = false
    /// FreeBSD's net.inet.carp.demotion, added to advskew (capped at 240).
    public var demotion: Int = 0
    /// OpenBSD's demote count sent in header byte 4 and compared with the peer's.
    public var demoteCount: UInt8 = 0

    public init(preempt: Bool = false, demotion: Int = 0, demoteCount: UInt8 = 0) {
        self.preempt = preempt
        self.demotion = demotion
        self.demoteCount = demoteCount
    }

    /// The advskew we send and compare with. FreeBSD clamps advskew + demotion to 0...240;
    /// with no demotion we keep the configured value so OpenBSD's 241...254 still order.
    public func effectiveSkew(_ advskew: UInt8) -> UInt8 {
        guard demotion != 0 else { return advskew }
        return UInt8(clamping: min(max(Int(advskew) + demotion, 0), 240))
    }
}
