/// FreeBSD's per-interface IPv6 options (`ifconfig em0 inet6 no_dad`, shown as
/// `nd6 options=`) that Linux has, each as one net.ipv6.conf.IF sysctl.
public enum ND6Option: String, CaseIterable, Hashable, Sendable {
    case acceptRtadv = "accept_rtadv"
    case ifdisabled = "ifdisabled"
    case autoLinklocal = "auto_linklocal"
    case noRadr = "no_radr"
    case noDAD = "no_dad"

    /// FreeBSD's ND6_IFF_* bit.
    public var bit: UInt32 {
        switch self {
        case .acceptRtadv: 0x2
        case .ifdisabled: 0x8
        case .autoLinklocal: 0x20
        case .noRadr: 0x40
        case .noDAD: 0x100
        }
    }

    /// The sysctl under net/ipv6/conf/IF/ and its values with the option on and off.
    public var sysctl: (key: String, on: String, off: String) {
        switch self {
        case .acceptRtadv: ("accept_ra", "1", "0")
        case .ifdisabled: ("disable_ipv6", "1", "0")
        // FreeBSD's auto_linklocal makes fe80::/64 when the link comes up: any mode but "none" (1).
        case .autoLinklocal: ("addr_gen_mode", "0", "1")
        // no_radr: no default router from router advertisements.
        case .noRadr: ("accept_ra_defrtr", "0", "1")
        // FreeBSD's no_dad is per interface, so is accept_dad: new addresses skip DAD.
        case .noDAD: ("accept_dad", "0", "1")
        }
    }

    /// `net/ipv6/conf/IF/KEY`, as ProcSysctl and FilePort name it.
    public func path(_ ifname: String) -> String { "net/ipv6/conf/\(ifname)/\(sysctl.key)" }

    /// Whether the option is on, from the sysctl's current value.
    public func isOn(_ value: String) -> Bool {
        switch self {
        case .acceptRtadv, .ifdisabled: value != "0"
        case .autoLinklocal: value != "1"
        case .noRadr, .noDAD: value == "0"
        }
    }

    /// Linux always performs neighbour unreachability detection.
    public static let performNUD: UInt32 = 0x1

    /// FreeBSD's `nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>` (bit order).
    public static func describe(_ bits: UInt32) -> String {
        let names: [(UInt32, String)] = [(0x1, "PERFORMNUD"), (0x2, "ACCEPT_RTADV"), (0x4, "PREFER_SOURCE"), (0x8, "IFDISABLED"),
                                         (0x10, "DONT_SET_IFROUTE"), (0x20, "AUTO_LINKLOCAL"), (0x40, "NO_RADR"),
                                         (0x80, "NO_PREFER_IFACE"), (0x100, "NO_DAD")]
        let set = names.filter { bits & $0.0 != 0 }.map(\.1)
        return "nd6 options=\(String(bits, radix: 16))<\(set.joined(separator: ","))>"
    }
}
