import CARPControl
import CARPCore
import Glibc

/// OpenBSD's `carpnodes` and `balancing` on a carp interface: several virtual hosts (one per
/// carpnode, each with its vhid and advskew, sharing the interface's addresses, key and
/// advbase) whose MASTERs share the traffic (Node+Balancing.swift has the data plane).
extension Node {
    /// A change for a carp interface that has, or is given (now or while it waits for its
    /// carpdev), several carpnodes.
    func isCarpnodesChange(_ r: VirtualHostChange) -> Bool {
        guard let name = r.ifname else { return false }
        let interface = engine.interfaces[name]
        return r.carpnodes != nil || r.balancing != nil || (interface?.vhosts.count ?? 0) > 1
            || interface?.pending?.carpnodes != nil || interface?.pending?.balancing != nil
    }

    /// Applies `change` to the balanced carp interface it names: the carpnodes are created,
    /// changed or rebuilt (a new list, carpdev or mode starts them over, as OpenBSD resets
    /// its virtual hosts), then the data plane follows.
    func setCarpnodes(_ change: VirtualHostChange) throws(ControlFailure) -> ControlMessage {
        guard let name = change.ifname else { throw ControlFailure(EINVAL, "carpnodes: a carp interface is required") }
        var r = change
        if let earlier = engine.interfaces[name]?.pending { r = change.merged(onto: earlier) }
        let interface = engine.interfaces[name]
        let current = interface?.carpnodes ?? []
        var nodes = r.carpnodes ?? current.compactMap { key in
            engine.hosts[key].map { CarpNode(vhid: key.vhid, advskew: $0.machine.config.advskew) }
        }
        // OpenBSD: `vhid` and `advskew` set the first carpnode.
        if r.carpnodes == nil, !nodes.isEmpty {
            if let vhid = r.vhid { nodes[0].vhid = vhid }
            if let advskew = r.advskew { nodes[0].advskew = advskew }
        }
        guard nodes.count > 1 else { return try becomeSingle(r, nodes: nodes, name: name) }
        guard let carpdev = r.carpdev ?? current.first?.carpdev else {
            engine.hold(r, for: name)
            return ControlMessage()
        }
        let mode = Self.balancingMode(requested: r.balancing, current: interface)
        let keys = nodes.map { VirtualHostKey(carpdev: carpdev, vhid: $0.vhid) }
        let leader = current.first.flatMap { engine.hosts[$0]?.machine.config }
        var shared = leader ?? VirtualHostConfig(vhid: nodes[0].vhid)
        var sharedChange = r
        (sharedChange.vhid, sharedChange.advskew) = (nil, nil)
        try apply(sharedChange, to: &shared, key: keys[0], sharing: Set(keys + current))
        try checkBalanced(r, mode: mode, config: shared, keys: keys, name: name)
        let rebuild = Set(keys) != Set(current) || mode != interface?.balancing
        let adminUp = current.first.flatMap { engine.hosts[$0]?.adminUp } ?? true
        let groups = InterfaceGroup.edited(interface?.groups ?? [InterfaceGroup.carp], join: r.joinGroups, leave: r.leaveGroups)
        if rebuild { for key in current { destroy(key) } }
        guard let parent = parents[carpdev] ?? readParent(carpdev) else { throw ControlFailure(ENODEV, "\(carpdev): no such interface") }
        let now = clock()
        let leaderVhid = keys.map(\.vhid).min()
        // By vhid, as OpenBSD sorts them: the leader comes first.
        for (node, key) in zip(nodes, keys).sorted(by: { $0.1.vhid < $1.1.vhid }) {
            var config = shared
            (config.vhid, config.advskew) = (node.vhid, node.advskew)
            if rebuild || macvlans[key] == nil {
                macvlans[key] = try carpnodeInterface(key, name: name, parent: parent, mode: mode, leader: key.vhid == leaderVhid, config: config)
            }
            ensureIPv6(key, addresses: config.addresses)
            submit(engine.configure(key, config, interface: name, named: true, balancing: mode,
                                    counterSeed: UInt64.random(in: .min ... .max), now: now))
        }
        submit(engine.setGroups(name, groups, now: now))
        for key in keys {
            if !adminUp { submit(engine.setAdminUp(key, false, now: now)) }
            if let up = r.up { submit(engine.setAdminUp(key, up, now: now)) }
            if let state = r.state { submit(engine.force(key, state, now: now)) }
            rehearseTakeover(key)
        }
        balancingChanged = true
        return ControlMessage()
    }

    /// OpenBSD's default: `ip` when an interface gets its second carpnode without a mode.
    /// One that has several keeps its mode, `none` too (OpenBSD turns `none` into `ip` at
    /// the next change of any kind; a setting that lasts is what an administrator expects).
    static func balancingMode(requested: BalancingMode?, current: CARPInterface?) -> BalancingMode {
        guard let current, current.vhosts.count > 1 else { return requested ?? .ip }
        return requested ?? current.balancing
    }

    /// What Linux cannot do (yet) is refused before anything changes.
    private func checkBalanced(_ r: VirtualHostChange, mode: BalancingMode, config: VirtualHostConfig,
                               keys: [VirtualHostKey], name: String) throws(ControlFailure) {
        guard !config.isVRRP else { throw ControlFailure(EINVAL, "carpnodes: not with carpver 3") }
        guard r.lladdr == nil else { throw ControlFailure(EINVAL, "lladdr: not with balancing \(mode.rawValue)") }
        if let refusal = BalancingRuleset.refusal(lscount: keys.count) {
            throw ControlFailure(EINVAL, "carpnodes: \(refusal)")
        }
        for key in keys {
            if let other = engine.interface(of: key), other.name != name {
                throw ControlFailure(EEXIST, "vhid \(key.vhid) already exists on \(key.carpdev) (\(other.name))")
            }
        }
    }

    /// carpnodes down to one (or none): the interface goes back to a plain carp interface.
    private func becomeSingle(_ r: VirtualHostChange, nodes: [CarpNode], name: String) throws(ControlFailure) -> ControlMessage {
        var single = r
        (single.carpnodes, single.balancing) = (nil, nil)
        if let node = nodes.first { (single.vhid, single.advskew) = (node.vhid, node.advskew) }
        if let interface = engine.interfaces[name], interface.vhosts.count > 1 {
            let shared = interface.carpnodes.first.flatMap { engine.hosts[$0]?.machine.config }
            for key in interface.carpnodes { destroy(key) }
            balancingChanged = true
            // What the carpnodes shared stays the interface's.
            if let shared {
                single.carpdev = single.carpdev ?? interface.carpnodes.first?.carpdev
                single.advbase = single.advbase ?? shared.advbase
                single.key = single.key ?? shared.key
                single.add = shared.addresses.filter { a in !r.delete.contains { $0.address == a.address } } + r.add
                single.delete = []
            }
        }
        return try set(single)
    }

    /// A carpnode's side of Linux. The leader of `balancing none` is an ordinary carp
    /// interface: the macvlan named after it, with its 00:00:5e:00:01:vhid, where the
    /// addresses go while it is MASTER. Every other carpnode has no link of its own: in the
    /// balanced modes the addresses live on the loopback and its advertisements leave the
    /// carpdev from the carpdev's MAC; in `arp` and `none` from the carpnode's own
    /// 00:00:5e:00:01:vhid (OpenBSD's vhe_enaddr), which teaches the switches its port.
    private func carpnodeInterface(_ key: VirtualHostKey, name: String, parent: ParentState, mode: BalancingMode,
                                   leader: Bool, config: VirtualHostConfig) throws(ControlFailure) -> VirtualInterface {
        if mode == .none && leader { return try createInterface(key, ifname: name, mac: config.virtualMAC, config: config) }
        attach(key, to: parent)
        let own = mode == .arp || mode == .none
        let mac = own ? MACAddress.virtual(vhid: key.vhid) : MACAddress(bytes: parent.mac) ?? MACAddress.virtual(vhid: key.vhid)
        return VirtualInterface(key: key, ifname: name, named: true, ifindex: parent.index, parentIndex: parent.index,
                                mac: mac, virtualMAC: mac)
    }
}
