import CARPTypes

/// The BSD `ifconfig` layout: OpenBSD's lines for an interface and a carp interface,
/// FreeBSD's `carp:` lines for vhids on a parent.
public enum StatusRenderer {
    public static func render(_ s: InterfaceStatus, showKeys: Bool = false) -> String {
        var lines = ["\(s.name): \(BSDFlags.describe(s.flags)) mtu \(s.mtu)"]
        if let mac = s.lladdr, mac.count == 6, s.flags & BSDFlags.loopback == 0 {
            lines.append("\tlladdr \(MACAddress(bytes: mac)!)")
        }
        lines.append("\tindex \(s.index) priority \(s.carp != nil ? 15 : 0) llprio 3")
        if let leader = s.carpnodes.first {
            lines += balancedCarpLines(leader, s.carpnodes)
        } else if let c = s.carp {
            lines.append("\t" + openBSDCarpLine(c, showKeys: showKeys))
        }
        if !s.groups.isEmpty { lines.append("\tgroups: \(s.groups.joined(separator: " "))") }
        if let status = s.status { lines.append("\tstatus: \(status.rawValue)") }
        for address in s.addresses { lines.append("\t" + addressLine(address, interface: s)) }
        for vhid in s.vhids {
            if vhid.isVRRP {
                lines.append("\t" + vrrpLine(vhid))
                continue
            }
            var line = "\tcarp: \(vhid.state) vhid \(vhid.vhid) advbase \(vhid.advbase) advskew \(vhid.advskew)"
            if showKeys, let key = vhid.key { line += " key \"\(key.passphrase)\"" }
            lines.append(line)
            lines.append("\t      peer \(vhid.peer) peer6 \(vhid.peer6)")
        }
        if let nd6 = s.nd6 { lines.append("\t" + ND6Option.describe(nd6)) }
        return lines.joined(separator: "\n")
    }

    /// FreeBSD 15's `vrrp: MASTER vrid 1 prio 100 interval 100`: the configured priority
    /// and interval (centiseconds). No key, no peers: VRRPv3 has neither.
    static func vrrpLine(_ c: VirtualHostRecord, carpdev: String? = nil) -> String {
        "vrrp: \(c.state)\(carpdev.map { " carpdev \($0.isEmpty ? "none" : $0)" } ?? "") vrid \(c.vhid) prio \(c.vrrpPriority ?? 100) interval \(c.vrrpInterval ?? 100)"
    }

    /// `carp: MASTER carpdev em0 vhid 1 advbase 1 advskew 0[ carppeer P]`; a VRRPv3 carpN
    /// gets FreeBSD's vrrp line with its carpdev.
    static func openBSDCarpLine(_ c: VirtualHostRecord, showKeys: Bool) -> String {
        if c.isVRRP { return vrrpLine(c, carpdev: c.carpdev) }
        var line = "carp: \(c.state) carpdev \(c.carpdev.isEmpty ? "none" : c.carpdev) vhid \(c.vhid) advbase \(c.advbase) advskew \(c.advskew)"
        if c.peer != .carpGroup { line += " carppeer \(c.peer)" }
        if showKeys, let key = c.key { line += " key \"\(key.passphrase)\"" }
        return line
    }

    /// OpenBSD's lines for carpnodes: the interface's, then one per carpnode.
    static func balancedCarpLines(_ leader: VirtualHostRecord, _ nodes: [VirtualHostRecord]) -> [String] {
        var first = "\tcarp: carpdev \(leader.carpdev.isEmpty ? "none" : leader.carpdev) advbase \(leader.advbase)"
        first += " balancing \(leader.balancing?.rawValue ?? "none")"
        if leader.peer != .carpGroup { first += " carppeer \(leader.peer)" }
        return [first] + nodes.map { "\t\tstate \($0.state) vhid \($0.vhid) advskew \($0.advskew)" }
    }

    static func addressLine(_ a: InterfaceStatus.Address, interface s: InterfaceStatus) -> String {
        let suffix = a.vhid.map { " vhid \($0)" } ?? ""
        switch a.prefix.address {
        case .v4(let ip):
            let mask = a.prefix.length == 0 ? 0 : UInt32.max << (32 - UInt32(a.prefix.length))
            let hex = String(mask, radix: 16)
            var line = "inet \(ip) netmask 0x\(String(repeating: "0", count: 8 - hex.count))\(hex)"
            if s.flags & BSDFlags.broadcast != 0 {
                line += " broadcast \(IPv4Address(ip.value | ~mask))"
            }
            return line + suffix
        case .v6(let ip):
            if ip.isLinkLocal {
                return "inet6 \(ip)%\(s.name) prefixlen \(a.prefix.length) scopeid 0x\(String(s.index, radix: 16))" + suffix
            }
            return "inet6 \(ip) prefixlen \(a.prefix.length)" + suffix
        }
    }

    /// pfsync0 as OpenBSD prints it (the `pfsync:` line only with a syncdev), FreeBSD's
    /// `syncok:` line after it, and FreeBSD's version on the line when it is not 1400.
    public static func render(_ p: PfsyncRecord) -> String {
        let flags = p.up ? BSDFlags.up | (p.running ? BSDFlags.running : 0) : 0
        var lines = ["\(p.ifname): \(BSDFlags.describe(flags)) mtu 1500", "\tindex 0 priority 0 llprio 3", "\tgroups: carp pfsync"]
        if let device = p.syncdev {
            var line = "\tpfsync: syncdev: \(device) "
            if let peer = p.syncpeer { line += "syncpeer: \(peer) " }
            line += "maxupd: \(p.maxupd) defer: \(p.deferUpdates ? "on" : "off")"
            if p.version != PfsyncRecord().version { line += " version: \(p.version)" }
            lines.append(line)
        }
        lines.append("\tsyncok: \(p.syncok ? 1 : 0)")
        return lines.joined(separator: "\n")
    }
}
