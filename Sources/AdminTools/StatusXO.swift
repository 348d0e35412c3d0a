import CARPTypes

/// `ifconfig --libxo json|xml`: each interface with its CARP state under the names of
/// FreeBSD's libxo ifconfig (carp-state, vhid, advbase, advskew, carp_peer, carp_peer6,
/// carp_key; syncdev, syncpeer-str, maxupdates, defer-status, syncok for pfsync0).
enum StatusXO {
    typealias Field = Libxo.Field

    static func value(_ s: InterfaceStatus, showKeys: Bool) -> Libxo.Value {
        var fields = [Field("ifname", .string(s.name)), Field("flags-hex", .string(String(s.flags, radix: 16))),
                      Field("mtu", .number(Int64(s.mtu)))]
        if let mac = s.lladdr.flatMap(MACAddress.init(bytes:)), s.flags & BSDFlags.loopback == 0 {
            fields.append(Field("lladdr", .string(mac.description)))
        }
        if !s.groups.isEmpty { fields.append(Field("groups", .list(s.groups.map { .string($0) }))) }
        if let status = s.status { fields.append(Field("status", .string(status.rawValue))) }
        let addresses: [Libxo.Value] = s.addresses.map { a in
            var f = [Field("address", .string(a.prefix.address.description)), Field("prefixlen", .number(Int64(a.prefix.length)))]
            if let vhid = a.vhid { f.append(Field("vhid", .number(Int64(vhid)))) }
            return .object(f)
        }
        if !addresses.isEmpty { fields.append(Field("address", .list(addresses))) }
        let carp = (s.carp.map { [$0] } ?? s.vhids).map { carpValue($0, showKeys: showKeys, named: s.carp != nil) }
        if !carp.isEmpty { fields.append(Field("carp", .list(carp))) }
        if let nd6 = s.nd6 { fields.append(Field("nd6-options-hex", .string(String(nd6, radix: 16)))) }
        return .object(fields)
    }

    /// One vhid: FreeBSD's `carp:` line; an OpenBSD carpN adds its carpdev and demote count.
    /// A VRRPv3 vhid has no advbase, advskew, key or peers: its version, priority and
    /// interval instead (bsd-carp's names: no FreeBSD libxo output to follow was at hand).
    static func carpValue(_ r: VirtualHostRecord, showKeys: Bool, named: Bool) -> Libxo.Value {
        if r.isVRRP {
            var fields = [Field("carp-state", .string(r.state.description)), Field("vhid", .number(Int64(r.vhid))),
                          Field("version", .number(3)), Field("vrrp-prio", .number(Int64(r.vrrpPriority ?? 100))),
                          Field("vrrp-interval", .number(Int64(r.vrrpInterval ?? 100)))]
            if named { fields.append(Field("carpdev", .string(r.carpdev.isEmpty ? "none" : r.carpdev))) }
            return .object(fields)
        }
        var fields = [Field("carp-state", .string(r.state.description)), Field("vhid", .number(Int64(r.vhid))),
                      Field("advbase", .number(Int64(r.advbase))), Field("advskew", .number(Int64(r.advskew)))]
        if named { fields.append(Field("carpdev", .string(r.carpdev.isEmpty ? "none" : r.carpdev))) }
        fields.append(Field("demote", .number(Int64(r.demote))))
        if showKeys, let key = r.key { fields.append(Field("carp_key", .string(key.passphrase))) }
        fields += [Field("carp_peer", .string(r.peer.description)), Field("carp_peer6", .string(r.peer6.description))]
        return .object(fields)
    }

    static func value(_ p: PfsyncRecord) -> Libxo.Value {
        var fields = [Field("ifname", .string(p.ifname)), Field("syncdev", .string(p.syncdev ?? "none"))]
        if let peer = p.syncpeer { fields.append(Field("syncpeer-str", .string(peer.description))) }
        fields += [Field("maxupdates", .number(Int64(p.maxupd))), Field("defer-status", .string(p.deferUpdates ? "on" : "off")),
                   Field("pfsync-version", .number(Int64(p.version))), Field("syncok", .number(p.syncok ? 1 : 0))]
        return .object(fields)
    }
}
