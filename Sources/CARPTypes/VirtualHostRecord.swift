/// What carpd reports of one virtual host (`get=1`, `ifconfig`): its settings and its
/// state. Read and written through `VirtualHostFields`.
public struct VirtualHostRecord: Hashable, Sendable {
    /// 0 for a carp interface that has no virtual host yet.
    public var vhid: UInt8
    /// The carp interface: carpN (OpenBSD) or the hidden vh<vhid>-<carpdev> (FreeBSD).
    public var ifname: String
    /// Empty for a carp interface without one yet.
    public var carpdev: String
    public var state: CARPState = .initial
    public var advbase: UInt8 = 1
    public var advskew: UInt8 = 0
    /// The demote count this node sends (OpenBSD's, summed over its groups).
    public var demote: UInt8 = 0
    public var peer: IPv4Address = .carpGroup
    public var peer6: IPv6Address = .carpGroup
    public var up = true
    /// An OpenBSD carpN (it stays when its last address goes), not a FreeBSD-style vhid.
    public var named = false
    public var addresses: [IPPrefix] = []
    /// A MAC set by hand (`lladdr`); nil for the virtual MAC.
    public var lladdr: MACAddress?
    /// OpenBSD's interface groups of its carp interface, `carp` first unless it left.
    public var groups: [String] = [InterfaceGroup.carp]
    /// The last state change: when (seconds since the epoch) and why, as carpd logged it.
    public var since: UInt64?
    public var reason: String?
    /// Only when asked for and allowed (root, `showkey=1`).
    public var key: CARPKey?
    /// VRRPv3 vhids only (FreeBSD's carpver 3, vrrpprio, vrrpinterval); nil for CARP.
    public var version: UInt8?
    public var vrrpPriority: UInt8?
    public var vrrpInterval: UInt16?
    /// A carp interface with carpnodes: its balancing mode (every carpnode has a record).
    public var balancing: BalancingMode?

    public var isVRRP: Bool { version == 3 }

    public init(ifname: String, carpdev: String, vhid: UInt8) {
        self.ifname = ifname
        self.carpdev = carpdev
        self.vhid = vhid
    }
}
