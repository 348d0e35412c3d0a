import CARPControl
import CARPTypes
import Netlink

/// Joins what the kernel says (links, addresses) with what carpd says (vhids) into the
/// interfaces `ifconfig` lists.
public enum InterfaceModel {
    public static func build(links: [LinkInfo], addresses: [AddressInfo], vhosts: [VirtualHostRecord]) -> [InterfaceStatus] {
        // Indexed once: hundreds of vhids and addresses make the nested searches quadratic.
        let byName = Dictionary(vhosts.map { ($0.ifname, $0) }, uniquingKeysWith: { first, _ in first })
        let carpnodes = Dictionary(grouping: vhosts.filter(\.named), by: \.ifname)
        let byIndex = Dictionary(grouping: addresses, by: \.ifindex)
        let byDev = Dictionary(grouping: vhosts.filter { !$0.named }, by: \.carpdev)
        var result: [InterfaceStatus] = []
        for link in links.sorted(by: { $0.index < $1.index }) {
            if let vhost = byName[link.name] {
                if vhost.named { result.append(carpInterface(vhost, link: link, carpnodes: carpnodes[vhost.ifname] ?? [])) }
                continue
            }
            if link.isCarpdMacvlan { continue }
            result.append(plain(link, addresses: byIndex[link.index] ?? [], vhosts: byDev[link.name] ?? []))
        }
        // carpN created but not yet attached to a carpdev: no macvlan exists yet.
        // So is a balanced one: its carpnodes have no link of their own.
        let linkNames = Set(links.map(\.name))
        var shown: Set<String> = []
        for vhost in vhosts where vhost.named && !linkNames.contains(vhost.ifname) && shown.insert(vhost.ifname).inserted {
            result.append(carpInterface(vhost, link: nil, carpnodes: carpnodes[vhost.ifname] ?? []))
        }
        return result
    }

    /// What `ifconfig NAME` shows, from only what concerns NAME: carpd's record whose ifname
    /// is NAME (`record`), the kernel's link called NAME, that link's addresses and carpd's
    /// records with NAME as carpdev (`onDev`). Nil when there is no such interface. Gives the same
    /// status as the matching entry of `build`, and also shows a FreeBSD-style vhid's
    /// hidden macvlan when it is named.
    public static func single(record: VirtualHostRecord?, link: LinkInfo?, addresses: [AddressInfo],
                              onDev: [VirtualHostRecord], carpnodes: [VirtualHostRecord] = []) -> InterfaceStatus? {
        if let record { return carpInterface(record, link: link, carpnodes: carpnodes) }
        guard let link, !link.isCarpdMacvlan else { return nil }
        return plain(link, addresses: addresses, vhosts: onDev.filter { !$0.named })
    }

    /// OpenBSD carpN: UP/RUNNING follow the administrative state, not the macvlan (which
    /// carpd keeps down on a BACKUP); `status:` is master/backup/invalid.
    /// A balanced carpN (`carpnodes`, records of every carpnode) shows each carpnode's state,
    /// its mode and the MAC the group uses, master while it is MASTER of any carpnode.
    static func carpInterface(_ v: VirtualHostRecord, link: LinkInfo?, carpnodes: [VirtualHostRecord] = []) -> InterfaceStatus {
        var flags = BSDFlags.broadcast | BSDFlags.simplex | BSDFlags.multicast
        if v.up { flags |= BSDFlags.up | BSDFlags.running }
        let nodes = carpnodes.count > 1 ? carpnodes.sorted { $0.vhid < $1.vhid } : []
        let states = nodes.isEmpty ? [v.state] : nodes.map(\.state)
        let status: InterfaceStatus.Status = states.contains(.master) ? .master : states.contains(.backup) ? .backup : .invalid
        var s = InterfaceStatus(name: v.ifname, index: link?.index ?? 0, flags: flags, mtu: link?.mtu ?? 1500,
                                lladdr: link?.mac ?? v.lladdr?.bytes ?? (v.vhid > 0 ? MACAddress.virtual(vhid: v.vhid).bytes : nil), status: status)
        s.carp = v
        if let leader = nodes.first {
            s.carpnodes = nodes
            s.lladdr = [leader.balancing == .ip ? 1 : 0, 0, 0x5e, 0, 1, leader.vhid]
        }
        s.groups = v.groups
        s.addresses = v.addresses.map { InterfaceStatus.Address($0) }
        return s
    }

    static func plain(_ link: LinkInfo, addresses: [AddressInfo], vhosts: [VirtualHostRecord]) -> InterfaceStatus {
        let loopback = link.flags & BSDFlags.loopback != 0
        var s = InterfaceStatus(name: link.name, index: link.index, flags: BSDFlags.fromLinux(link.flags), mtu: link.mtu,
                                lladdr: link.mac.count == 6 ? link.mac : nil,
                                status: loopback ? nil : (link.hasCarrier ? .active : .noCarrier))
        if loopback { s.groups = ["lo"] }
        let v4 = addresses.filter { $0.prefix.family == .inet }, v6 = addresses.filter { $0.prefix.family == .inet6 }
        s.addresses = (v4 + v6).map { .init($0.prefix) }
        for v in vhosts.sorted(by: { $0.vhid < $1.vhid }) {
            s.addresses += v.addresses.map { InterfaceStatus.Address($0, vhid: v.vhid) }
            s.vhids.append(v)
        }
        return s
    }
}
