import CARPTypes
import CNetlink

/// A snapshot of one network interface as the kernel reported it (RTM_NEWLINK).
public struct LinkInfo: Equatable, Sendable {
    /// The interface index.
    public var index: Int32
    /// The interface name (IFLA_IFNAME).
    public var name: String
    /// Administratively up (`IFF_UP`).
    public var isUp: Bool
    /// Up and operational (`IFF_RUNNING`).
    public var isRunning: Bool
    /// The driver reports layer-1 carrier (`IFF_LOWER_UP`, 0x10000).
    public var hasCarrier: Bool
    /// RFC 2863 operational state (`IF_OPER_*`: 2 = down, 5 = lowerlayerdown, 6 = up, ...).
    public var operstate: UInt8
    /// The link-layer address: 6 bytes for ethernet, may be empty.
    public var mac: [UInt8]
    /// IFLA_LINK, 0 if none: the parent of a macvlan or VLAN, the peer of a veth.
    public var parentIndex: Int32
    /// The link kind from IFLA_INFO_KIND ("macvlan", "veth", "bridge", ...); nil for plain devices.
    public var kind: String?
    /// The macvlan mode (`MACVLAN_MODE_*`: private 1, vepa 2, bridge 4) when `kind == "macvlan"`.
    public var macvlanMode: UInt32?
    /// The interface alias (IFLA_IFALIAS), nil if unset.
    public var alias: String?
    /// The MTU in bytes.
    public var mtu: UInt32
    /// The raw `IFF_*` flags.
    public var flags: UInt32
    /// The interface group (IFLA_GROUP, `ip link set group`); 0 is the default group.
    public var group: UInt32

    /// Creates a snapshot by hand (for tests and fakes).
    public init(
        index: Int32, name: String, isUp: Bool, isRunning: Bool, hasCarrier: Bool,
        operstate: UInt8, mac: [UInt8], parentIndex: Int32, kind: String?,
        macvlanMode: UInt32?, alias: String?, mtu: UInt32, flags: UInt32, group: UInt32 = 0
    ) {
        self.index = index
        self.name = name
        self.isUp = isUp
        self.isRunning = isRunning
        self.hasCarrier = hasCarrier
        self.operstate = operstate
        self.mac = mac
        self.parentIndex = parentIndex
        self.kind = kind
        self.macvlanMode = macvlanMode
        self.alias = alias
        self.mtu = mtu
        self.flags = flags
        self.group = group
    }
}

extension LinkInfo {
    /// Reads a borrowed `struct rtnl_link *` (from a cache or `rtnl_link_get_kernel`).
    init(rtnlLink link: OpaquePointer) {
        let flags = UInt32(rtnl_link_get_flags(link))
        var mode: UInt32?
        if rtnl_link_is_macvlan(link) != 0 {
            mode = rtnl_link_macvlan_get_mode(link)
        }
        self.init(
            index: Int32(rtnl_link_get_ifindex(link)),
            name: rtnl_link_get_name(link).map { String(cString: $0) } ?? "",
            isUp: flags & UInt32(IFF_UP) != 0,
            isRunning: flags & UInt32(IFF_RUNNING) != 0,
            hasCarrier: flags & cnl_iff_lower_up() != 0,
            operstate: rtnl_link_get_operstate(link),
            mac: bytesOf(nlAddr: rtnl_link_get_addr(link)),
            parentIndex: Int32(rtnl_link_get_link(link)),
            kind: rtnl_link_get_type(link).map { String(cString: $0) },
            macvlanMode: mode,
            alias: rtnl_link_get_ifalias(link).map { String(cString: $0) },
            mtu: UInt32(rtnl_link_get_mtu(link)),
            flags: flags,
            group: rtnl_link_get_group(link)
        )
    }
}

extension LinkInfo {
    /// A macvlan some carpd created (recognised by its alias).
    public var isCarpdMacvlan: Bool { CarpdConventions.isCarpdMacvlan(kind: kind, alias: alias) }
}
