/// A carp interface: OpenBSD's carpN, or the hidden one of a FreeBSD-style vhid. It owns
/// its virtual hosts (one today; OpenBSD's carpnodes give it several that share addresses,
/// key and advbase, and it is MASTER for those whose machine is) and, until it has a
/// carpdev and a vhid, the settings given so far. `(carpdev, vhid)` stays the key on the
/// wire; the interface is how administrators and the effects name it.
public struct CARPInterface: Hashable, Sendable {
    public let name: String
    /// OpenBSD's carpN: it stays when its last address goes (FreeBSD's vhid does not).
    public var named: Bool
    /// Its virtual hosts, in the order they were attached (OpenBSD's carpnode order).
    public internal(set) var vhosts: [VirtualHostKey] = []
    /// The vhosts that are MASTER, in `vhosts` order (OpenBSD's sc_balancing mask).
    public internal(set) var masters: [VirtualHostKey] = []
    /// `ifconfig carp0 create`, or carp0 configured bit by bit: what was given before it had
    /// a carpdev and a vhid.
    public internal(set) var pending: VirtualHostChange?
    /// OpenBSD's interface groups (`group NAME`), `carp` unless it left.
    public internal(set) var groups: [String] = [InterfaceGroup.carp]
    /// Its own demote count (OpenBSD sc_demote_cnt): what the automatic demotions added,
    /// carried into a group it joins and out of one it leaves.
    public internal(set) var demoted = 0
    /// OpenBSD's balancing mode, fixed when its carpnodes are created: `none` for one
    /// carpnode. In a balanced mode no carpnode claims or announces the addresses: they
    /// stay, and who takes which flow (or which ARP request) follows `masters`. In `none`
    /// with several carpnodes only the leader (lowest vhid) claims them.
    public internal(set) var balancing: BalancingMode = .none

    /// Its carpnodes in OpenBSD's index order (ascending vhid): bit i of `lsmask` is the i-th.
    public var carpnodes: [VirtualHostKey] { vhosts.sorted { $0.vhid < $1.vhid } }

    /// OpenBSD's sc_lsmask: bit i set while this node is MASTER of the i-th carpnode.
    public var lsmask: UInt32 {
        carpnodes.enumerated().reduce(0) { mask, node in masters.contains(node.element) ? mask | 1 << UInt32(node.offset) : mask }
    }

    public init(name: String, named: Bool) {
        self.name = name
        self.named = named
    }
}

extension CARPEngine {
    /// The carp interface `key` belongs to.
    public func interface(of key: VirtualHostKey) -> CARPInterface? {
        interfaceOf[key].flatMap { interfaces[$0] }
    }

    /// Keeps the settings of carp interface `name` while it has no virtual host yet.
    public mutating func hold(_ change: VirtualHostChange, for name: String) {
        var interface = interfaces[name] ?? CARPInterface(name: name, named: true)
        interface.pending = change
        interfaces[name] = interface
    }

    /// Forgets a carp interface that has no virtual host (`ifconfig carp0 destroy` before it
    /// had one); false if there is none such.
    public mutating func removePending(_ name: String) -> Bool {
        guard let interface = interfaces[name], interface.vhosts.isEmpty else { return false }
        interfaces[name] = nil
        return true
    }

    /// Attaches a new vhid to its interface (created if needed; its pending settings are
    /// used up by now).
    mutating func attach(_ key: VirtualHostKey, to name: String, named: Bool, balancing: BalancingMode) {
        var interface = interfaces[name] ?? CARPInterface(name: name, named: named)
        interface.pending = nil
        interface.balancing = balancing
        if !interface.vhosts.contains(key) { interface.vhosts.append(key) }
        interfaces[name] = interface
        interfaceOf[key] = name
        refreshNoClaim()
    }

    /// Detaches a removed vhid; an interface left without any goes too.
    mutating func detach(_ key: VirtualHostKey) {
        guard let name = interfaceOf.removeValue(forKey: key), var interface = interfaces[name] else { return }
        interface.vhosts.removeAll { $0 == key }
        interface.masters.removeAll { $0 == key }
        interfaces[name] = interface.vhosts.isEmpty ? nil : interface
        refreshNoClaim()
    }

    /// Who leaves the addresses alone: every carpnode of a balanced interface and every
    /// arpbalance sharer (the data plane holds their addresses on each node), and under
    /// `balancing none` every carpnode but the leader, the lowest vhid (OpenBSD's
    /// vhe_leader: its state alone moves the addresses and its MAC is the interface's).
    mutating func refreshNoClaim() {
        var keys = arpBalanced
        for interface in interfaces.values {
            let nodes = interface.carpnodes
            keys.formUnion(interface.balancing.isBalanced ? nodes[...] : nodes.dropFirst())
        }
        noClaim = keys
    }

    /// `group` / `-group`: the interface's groups become `groups`; its own demote count
    /// leaves the groups it left and joins the new ones (OpenBSD carp_ifgroup_ioctl). Its
    /// MASTERs advertise at once when that raised their demote count.
    public mutating func setGroups(_ name: String, _ groups: [String], now: UInt64) -> [EngineOutput] {
        guard var interface = interfaces[name], interface.groups != groups else { return [] }
        let before = interface.vhosts.map { demoteCount(for: $0) }
        for group in interface.groups where !groups.contains(group) {
            groupDemote[group] = max(0, (groupDemote[group] ?? 0) - interface.demoted)
        }
        for group in groups where !interface.groups.contains(group) { groupDemote[group, default: 0] += interface.demoted }
        interface.groups = groups
        interfaces[name] = interface
        let raised = zip(interface.vhosts, before).filter { demoteCount(for: $0.0) > $0.1 }.map(\.0)
        return raised.flatMap { key in tagged(key, hosts[key]!.machine.advertiseNow(context: context(for: key), now: now)) }
    }

    /// The groups that exist: `carp`, every group a carp interface is in, and every group
    /// whose counter was set.
    public var groupNames: Set<String> {
        Set([InterfaceGroup.carp] + groupDemote.keys + interfaces.values.flatMap { interface in
            interface.pending.map { InterfaceGroup.edited(interface.groups, join: $0.joinGroups, leave: $0.leaveGroups) } ?? interface.groups
        })
    }

    /// A vhid became or stopped being MASTER: its interface's owner set changes.
    mutating func ownershipChanged(_ key: VirtualHostKey, master: Bool) -> [EngineOutput] {
        guard let name = interfaceOf[key], var interface = interfaces[name] else { return [] }
        let before = interface.masters
        interface.masters = interface.vhosts.filter { $0 == key ? master : before.contains($0) }
        interfaces[name] = interface
        return interface.masters == before ? [] : [.ownership(interface: name, masters: interface.masters)]
    }
}
