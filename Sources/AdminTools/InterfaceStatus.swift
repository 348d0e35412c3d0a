import CARPTypes

/// What `ifconfig` shows of one interface, whatever it came from.
public struct InterfaceStatus: Hashable, Sendable {
    public enum Status: String, Hashable, Sendable {
        case active = "active", noCarrier = "no carrier"
        case master, backup, invalid
    }

    public struct Address: Hashable, Sendable {
        public var prefix: IPPrefix
        public var vhid: UInt8?
        public init(_ prefix: IPPrefix, vhid: UInt8? = nil) {
            self.prefix = prefix
            self.vhid = vhid
        }
    }

    public var name: String
    public var index: Int32
    /// BSD flag bits (UP 0x1, BROADCAST 0x2, LOOPBACK 0x8, RUNNING 0x40, SIMPLEX 0x800, MULTICAST 0x8000...).
    public var flags: UInt32
    public var mtu: UInt32
    public var lladdr: [UInt8]?
    public var status: Status?
    public var groups: [String] = []
    /// FreeBSD's ND6_IFF_* bits of a plain link (`nd6 options=`), nil when not read.
    public var nd6: UInt32?
    public var addresses: [Address] = []
    /// OpenBSD: the carp interface's own vhid (`carp:` line under lladdr).
    public var carp: VirtualHostRecord?
    /// A balanced carp interface's carpnodes by vhid (OpenBSD `carpnodes`); empty otherwise.
    public var carpnodes: [VirtualHostRecord] = []
    /// FreeBSD: the vhids on this parent (`carp:` lines after the addresses).
    public var vhids: [VirtualHostRecord] = []

    public init(name: String, index: Int32, flags: UInt32, mtu: UInt32, lladdr: [UInt8]? = nil, status: Status? = nil) {
        self.name = name
        self.index = index
        self.flags = flags
        self.mtu = mtu
        self.lladdr = lladdr
        self.status = status
    }
}

/// BSD interface flag bits and names (OpenBSD IFFBITS).
public enum BSDFlags {
    public static let up: UInt32 = 0x1, broadcast: UInt32 = 0x2, loopback: UInt32 = 0x8
    public static let running: UInt32 = 0x40, simplex: UInt32 = 0x800, multicast: UInt32 = 0x8000

    static let names: [(UInt32, String)] = [
        (0x1, "UP"), (0x2, "BROADCAST"), (0x4, "DEBUG"), (0x8, "LOOPBACK"), (0x10, "POINTOPOINT"), (0x20, "STATICARP"),
        (0x40, "RUNNING"), (0x80, "NOARP"), (0x100, "PROMISC"), (0x200, "ALLMULTI"), (0x400, "OACTIVE"),
        (0x800, "SIMPLEX"), (0x1000, "LINK0"), (0x2000, "LINK1"), (0x4000, "LINK2"), (0x8000, "MULTICAST"),
    ]

    /// Linux IFF_* to BSD: the same low bits, MULTICAST moves from 0x1000 to 0x8000, and
    /// Ethernet-like interfaces are SIMPLEX (they do not hear their own frames) as on BSD.
    public static func fromLinux(_ linux: UInt32) -> UInt32 {
        var bsd = linux & 0x3df
        if linux & 0x1000 != 0 { bsd |= multicast }
        if linux & loopback == 0 { bsd |= simplex }
        return bsd
    }

    public static func describe(_ flags: UInt32) -> String {
        let set = names.filter { flags & $0.0 != 0 }.map(\.1)
        return "flags=\(String(flags, radix: 16))<\(set.joined(separator: ","))>"
    }
}
