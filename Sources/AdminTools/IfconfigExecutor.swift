import BSDSyntax
import CARPControl
import CARPCore
import Glibc
import Netlink

/// Applies a parsed request: CARP and vhid addresses through carpd, everything else
/// through netlink, in FreeBSD's order (link, carp, address delete, address add).
struct IfconfigExecutor {
    let carpd: CarpdClient

    func apply(_ r: IfconfigRequest, to ifname: String) throws {
        let route: RouteSocket
        do { route = try RouteSocket() } catch { throw ToolError("netlink: \(error)") }
        let link = try? route.link(named: ifname)
        let records = carpd.records(showKey: false).map(InterfaceModel.virtualHosts)
        let carpRecord = records?.first { $0.ifname == ifname }
        let carpName = ifname.hasPrefix("carp") && ifname.dropFirst(4).allSatisfy(\.isNumber) && ifname.count > 4
        if carpRecord != nil || (link == nil && carpName) {
            return try applyToCarpInterface(r, ifname: ifname, record: carpRecord)
        }
        guard let link else { throw ToolError("\(ifname): no such interface") }
        try applyToParent(r, link: link, route: route, vhosts: records ?? [])
    }

    // MARK: - OpenBSD carpN

    private func applyToCarpInterface(_ r: IfconfigRequest, ifname: String, record: InterfaceStatus.VirtualHost?) throws {
        if r.destroy {
            guard record != nil else { throw ToolError("\(ifname): no such interface") }
            _ = try carpd.request("remove", [("ifname", ifname)])
            return
        }
        if r.create && record != nil && !r.hasCARPParameters && r.addresses.isEmpty { throw ToolError("\(ifname): interface exists") }
        if r.mtu != nil { throw ToolError("\(ifname): mtu: set it on the carpdev") }
        var pairs: [(String, String)] = [("ifname", ifname)]
        pairs += carpPairs(r)
        if let up = r.up { pairs.append(("up", up ? "1" : "0")) }
        pairs += addressPairs(r, current: record?.addresses ?? [])
        _ = try carpd.request("set", pairs)
    }

    // MARK: - FreeBSD vhids on a parent, and plain interfaces

    private func applyToParent(_ r: IfconfigRequest, link: LinkInfo, route: RouteSocket, vhosts: [InterfaceStatus.VirtualHost]) throws {
        if r.create || r.destroy { throw ToolError("\(link.name): \(r.create ? "create" : "destroy"): only carp interfaces are cloned") }
        if r.carpdev != nil { throw ToolError("carpdev: only a carp interface has a carpdev") }
        if r.vhid == nil, let word = r.carpWordsUsed.first { throw ToolError("\(word) requires vhid") }
        try linkChanges(r, link: link, route: route)
        guard let vhid = r.vhid else { return try plainAddresses(r, link: link, route: route, vhosts: vhosts) }
        var pairs: [(String, String)] = [("carpdev", link.name), ("vhid", String(vhid))]
        pairs += carpPairs(r)
        // A vhid address is always added (FreeBSD users write `alias`); -alias removes it.
        for prefix in r.addresses { pairs.append((r.addressAction == .delete ? "deladdr" : "addr", prefix.description)) }
        _ = try carpd.request("set", pairs)
    }

    private func linkChanges(_ r: IfconfigRequest, link: LinkInfo, route: RouteSocket) throws {
        do {
            if let mtu = r.mtu { try route.setMTU(index: link.index, mtu: UInt32(mtu)) }
            if let up = r.up { try route.setLink(index: link.index, up: up) }
        } catch {
            throw ToolError("\(link.name): \(error.reason)")
        }
    }

    private func plainAddresses(_ r: IfconfigRequest, link: LinkInfo, route: RouteSocket, vhosts: [InterfaceStatus.VirtualHost]) throws {
        let current = (try? route.addresses(ifindex: link.index)) ?? []
        for prefix in r.addresses {
            // -alias of a vhid address goes to carpd, which owns it.
            if r.addressAction == .delete, let v = vhosts.first(where: { $0.carpdev == link.name && $0.addresses.contains { $0.address == prefix.address } }) {
                _ = try carpd.request("set", [("carpdev", link.name), ("vhid", String(v.vhid)), ("deladdr", prefix.description)])
                continue
            }
            let existing = current.first { $0.bytes == prefix.address.bytes }
            do {
                switch r.addressAction {
                case .delete:
                    guard let existing else { throw ToolError("\(prefix.address): Can't assign requested address") }
                    try route.deleteAddress(ifindex: link.index, bytes: existing.bytes, prefixLength: existing.prefixLength)
                case .replace where prefix.family == .inet:
                    if let first = current.first(where: { $0.bytes.count == 4 }), first.bytes != prefix.address.bytes {
                        try route.deleteAddress(ifindex: link.index, bytes: first.bytes, prefixLength: first.prefixLength)
                    }
                    try add(prefix, existing: existing, link: link, route: route)
                case .replace, .add:
                    try add(prefix, existing: existing, link: link, route: route)
                }
            } catch let error as NetlinkError {
                throw ToolError("\(link.name): \(prefix): \(error.reason)")
            }
        }
    }

    private func add(_ prefix: IPPrefix, existing: AddressInfo?, link: LinkInfo, route: RouteSocket) throws {
        if let existing {
            guard existing.prefixLength != prefix.length else { return }
            try route.deleteAddress(ifindex: link.index, bytes: existing.bytes, prefixLength: existing.prefixLength)
        }
        try route.addAddress(ifindex: link.index, bytes: prefix.address.bytes, prefixLength: prefix.length, flags: 0)
    }

    // MARK: - Pairs for carpd

    private func carpPairs(_ r: IfconfigRequest) -> [(String, String)] {
        var pairs: [(String, String)] = []
        if let v = r.carpdev { pairs.append(("carpdev", v)) }
        if let v = r.vhid { pairs.append(("vhid", String(v))) }
        if let v = r.advbase { pairs.append(("advbase", String(v))) }
        if let v = r.advskew { pairs.append(("advskew", String(v))) }
        if let v = r.pass { pairs.append(("key", v)) }
        if let v = r.peer { pairs.append(("peer", peerText(v, multicast: "mcast"))) }
        if let v = r.peer6 { pairs.append(("peer6", peerText(v, multicast: "mcast6"))) }
        if let v = r.state { pairs.append(("state", v.description.lowercased())) }
        return pairs
    }

    private func peerText(_ peer: IfconfigRequest.Peer, multicast: String) -> String {
        switch peer {
        case .multicast: multicast
        case .unicast(let a): a.description
        }
    }

    /// Without `alias`, an address replaces the carp interface's first one of its family.
    private func addressPairs(_ r: IfconfigRequest, current: [IPPrefix]) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for prefix in r.addresses {
            switch r.addressAction {
            case .delete:
                pairs.append(("deladdr", prefix.description))
            case .add:
                pairs.append(("addr", prefix.description))
            case .replace:
                if let old = current.first(where: { $0.family == prefix.family }), old.address != prefix.address {
                    pairs.append(("deladdr", old.description))
                }
                pairs.append(("addr", prefix.description))
            }
        }
        return pairs
    }
}
