/// A change to one virtual host (`set=1`, `ifconfig ... vhid ...`, a boot file line): only
/// the fields given change, FreeBSD setcarp_callback style. The control protocol's keys and
/// their checks come from `VirtualHostFields`.
public struct VirtualHostChange: Hashable, Sendable {
    /// OpenBSD's carp interface (carpN); absent for a FreeBSD-style vhid on its carpdev.
    public var ifname: String?
    public var carpdev: String?
    public var vhid: UInt8?
    public var advbase: UInt8?
    public var advskew: UInt8?
    public var key: CARPKey?
    /// A forced state (`state master`); never kept.
    public var state: CARPState?
    /// The unicast peers; `.carpGroup` means multicast again (`-carppeer`, `mcast`).
    public var peer: IPv4Address?
    public var peer6: IPv6Address?
    /// Administrative up/down (`ifconfig carp0 down` bows out a MASTER).
    public var up: Bool?
    public var add: [IPPrefix] = []
    public var delete: [IPPrefix] = []
    /// OpenBSD `lladdr`: the carp interface's MAC instead of 00:00:5e:00:01:vhid.
    public var lladdr: MACAddress?
    /// OpenBSD `group NAME` / `-group NAME` (a carp interface's groups).
    public var joinGroups: [String] = []
    public var leaveGroups: [String] = []
    /// FreeBSD's carpver (2 CARP, 3 VRRPv3; only when the vhid is created), vrrpprio and
    /// vrrpinterval (centiseconds).
    public var version: UInt8?
    public var vrrpPriority: UInt8?
    public var vrrpInterval: UInt16?
    /// OpenBSD's `carpnodes` (the interface's virtual hosts, replacing `vhid`/`advskew`)
    /// and `balancing`.
    public var carpnodes: [CarpNode]?
    public var balancing: BalancingMode?

    public init(ifname: String? = nil, carpdev: String? = nil, vhid: UInt8? = nil) {
        self.ifname = ifname
        self.carpdev = carpdev
        self.vhid = vhid
    }

    /// The change that recreates `record` (its key, when the record carries one): the
    /// saved state is made of these. A forced state is not kept.
    public init(recreating record: VirtualHostRecord) {
        if record.named { ifname = record.ifname }
        if !record.carpdev.isEmpty { carpdev = record.carpdev }
        if record.vhid != 0 { vhid = record.vhid }
        advbase = record.advbase
        advskew = record.advskew
        if let key = record.key, !key.passphrase.isEmpty { self.key = key }
        peer = record.peer
        peer6 = record.peer6
        if !record.up { up = false }
        add = record.addresses
        lladdr = record.lladdr
        version = record.version
        vrrpPriority = record.vrrpPriority
        vrrpInterval = record.vrrpInterval
        balancing = record.balancing
        joinGroups = record.groups.filter { $0 != InterfaceGroup.carp }
        if !record.groups.contains(InterfaceGroup.carp) { leaveGroups = [InterfaceGroup.carp] }
    }

    /// An earlier, incomplete change (a carp interface still without carpdev or vhid) with
    /// this one on top: later fields win, an address deleted later is no longer added.
    public func merged(onto earlier: VirtualHostChange) -> VirtualHostChange {
        var r = earlier
        r.ifname = ifname ?? earlier.ifname
        r.carpdev = carpdev ?? earlier.carpdev
        r.vhid = vhid ?? earlier.vhid
        r.advbase = advbase ?? earlier.advbase
        r.advskew = advskew ?? earlier.advskew
        r.key = key ?? earlier.key
        r.state = state ?? earlier.state
        r.peer = peer ?? earlier.peer
        r.peer6 = peer6 ?? earlier.peer6
        r.up = up ?? earlier.up
        r.lladdr = lladdr ?? earlier.lladdr
        r.version = version ?? earlier.version
        r.vrrpPriority = vrrpPriority ?? earlier.vrrpPriority
        r.vrrpInterval = vrrpInterval ?? earlier.vrrpInterval
        r.carpnodes = carpnodes ?? (vhid != nil || advskew != nil ? nil : earlier.carpnodes)
        r.balancing = balancing ?? earlier.balancing
        r.add = earlier.add.filter { a in !delete.contains { $0.address == a.address } } + add
        r.delete = (earlier.delete + delete).filter { d in !earlier.add.contains { $0.address == d.address } }
        r.joinGroups = earlier.joinGroups.filter { !leaveGroups.contains($0) } + joinGroups
        r.leaveGroups = earlier.leaveGroups.filter { !joinGroups.contains($0) } + leaveGroups
        return r
    }

    /// The record of a carp interface that has no virtual host yet (no carpdev or vhid).
    public var pendingRecord: VirtualHostRecord {
        var record = VirtualHostRecord(ifname: ifname ?? "", carpdev: carpdev ?? "", vhid: 0)
        record.advbase = advbase ?? record.advbase
        record.advskew = advskew ?? record.advskew
        record.key = key
        record.peer = peer ?? record.peer
        record.peer6 = peer6 ?? record.peer6
        record.up = up ?? true
        record.named = true
        record.addresses = add
        record.lladdr = lladdr
        if version == 3 { (record.version, record.vrrpPriority, record.vrrpInterval) = (3, vrrpPriority ?? 100, vrrpInterval ?? 100) }
        record.groups = InterfaceGroup.edited([InterfaceGroup.carp], join: joinGroups, leave: leaveGroups)
        return record
    }
}
