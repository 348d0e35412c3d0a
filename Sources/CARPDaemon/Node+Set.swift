import CARPControl
import CARPCore
import Glibc
import LinuxHost
import Netlink

extension Node {
    /// Creates or changes a vhid, FreeBSD `setcarp_callback` style: only the given keys change.
    func set(_ change: VirtualHostChange) throws(ControlFailure) -> ControlMessage {
        if change.ifname == nil && (change.carpnodes != nil || change.balancing != nil) {
            throw ControlFailure(EINVAL, "\(change.carpnodes != nil ? "carpnodes" : "balancing"): only on a carp interface")
        }
        if isCarpnodesChange(change) { return try setCarpnodes(change) }
        var r = change
        if let name = r.ifname, let earlier = engine.interfaces[name]?.pending { r = change.merged(onto: earlier) }
        let groups = InterfaceGroup.edited(r.ifname.flatMap { engine.interfaces[$0]?.groups } ?? [InterfaceGroup.carp],
                                           join: r.joinGroups, leave: r.leaveGroups)
        var key = try lookup(ifname: r.ifname, carpdev: r.carpdev, vhid: r.vhid)
        // OpenBSD `ifconfig carp0 create`, or carp0 configured bit by bit: until it has a
        // carpdev and a vhid it is a carp interface without a virtual host.
        if key == nil, let name = r.ifname, r.carpdev == nil || r.vhid == nil {
            var scratch = VirtualHostConfig(vhid: 0)
            try apply(r, to: &scratch, key: VirtualHostKey(carpdev: "", vhid: 0))
            engine.hold(r, for: name)
            return ControlMessage()
        }
        var config: VirtualHostConfig?
        var adminUp = true
        // `ifconfig carp0 vhid 2` or `carpdev eth1` on an existing carpN: rebuild it under its new key.
        if let old = key, let vif = macvlans[old], vif.named,
           (r.vhid.map { $0 != old.vhid } ?? false) || (r.carpdev.map { $0 != old.carpdev } ?? false)
            || (r.lladdr.map { $0 != vif.mac } ?? false) {
            config = engine.hosts[old]?.machine.config
            adminUp = engine.hosts[old]?.adminUp ?? true
            key = nil
        }
        let target: VirtualHostKey
        if let key { target = key } else { target = try newKey(r, previous: config) }
        var new = config.map { var c = $0; c.vhid = target.vhid; return c } ?? engine.hosts[target]?.machine.config ?? VirtualHostConfig(vhid: target.vhid)
        try apply(r, to: &new, key: target)
        if key == nil {
            // A new MAC needs a new macvlan too (Linux keeps a macvlan's MAC for its life here).
            let previousMAC = r.ifname.flatMap { engine.interfaces[$0]?.vhosts.first }.flatMap { macvlans[$0]?.customMAC }
            let mac = r.lladdr ?? previousMAC ?? new.virtualMAC
            if let name = r.ifname, let old = engine.interfaces[name]?.vhosts.first { destroy(old) }
            macvlans[target] = try createInterface(target, ifname: r.ifname, mac: mac, config: new)
        }
        // OpenBSD hashes a hand-set lladdr, unless it is the carpdev's own (sc_realmac).
        new.authenticatedLLAddr = macvlans[target].flatMap { $0.onCarpdev ? nil : $0.customMAC?.bytes }
        let now = clock()
        ensureIPv6(target, addresses: new.addresses)
        guard let vif = macvlans[target] else { throw ControlFailure(EIO, "\(target): no interface for this vhid") }
        submit(engine.configure(target, new, interface: vif.ifname, named: vif.named, counterSeed: UInt64.random(in: .min ... .max), now: now))
        submit(engine.setGroups(vif.ifname, groups, now: now))
        if !adminUp { submit(engine.setAdminUp(target, false, now: now)) }
        if let up = r.up { submit(engine.setAdminUp(target, up, now: now)) }
        if let state = r.state { submit(engine.force(target, state, now: now)) }
        // FreeBSD: removing the last address of a vhid removes the vhid.
        if macvlans[target]?.named == false, new.addresses.isEmpty, !r.delete.isEmpty { destroy(target) }
        rehearseTakeover(target)
        return ControlMessage()
    }

    private func newKey(_ r: VirtualHostChange, previous: VirtualHostConfig?) throws(ControlFailure) -> VirtualHostKey {
        let oldKey = r.ifname.flatMap { engine.interfaces[$0]?.vhosts.first }
        guard let carpdev = r.carpdev ?? oldKey?.carpdev, let vhid = r.vhid ?? previous?.vhid else {
            throw ControlFailure(EINVAL, "\(r.ifname ?? "carp"): vhid and carpdev are required")
        }
        let key = VirtualHostKey(carpdev: carpdev, vhid: vhid)
        // The same carp interface rebuilt under its own key (a new lladdr) is no clash.
        if let other = macvlans[key], other.ifname != r.ifname || !other.named {
            throw ControlFailure(EEXIST, "vhid \(vhid) already exists on \(carpdev) (\(other.ifname))")
        }
        return key
    }

    /// Checks every change against the current state before anything is touched.
    /// Addresses held by `sharing` (the other carpnodes of a balanced interface) are no clash.
    func apply(_ r: VirtualHostChange, to config: inout VirtualHostConfig, key: VirtualHostKey,
               sharing: Set<VirtualHostKey> = []) throws(ControlFailure) {
        if let version = r.version, version != config.version {
            // FreeBSD: a vhid keeps the protocol it was created with (recreate it to change).
            guard engine.hosts[key] == nil else { throw ControlFailure(EINVAL, "SIOCSVH: Invalid argument") }
            config.version = version
        }
        if let v = r.vrrpPriority { config.vrrpPriority = v }
        if let v = r.vrrpInterval { config.vrrpInterval = v }
        if let v = r.advbase { config.advbase = v }
        if let v = r.advskew { config.advskew = v }
        if let v = r.key { config.key = v }
        if let v = r.peer { config.peer = v }
        if let v = r.peer6 { config.peer6 = v }
        for prefix in r.delete {
            guard let index = config.addresses.firstIndex(where: { $0.address == prefix.address }) else {
                throw ControlFailure(EADDRNOTAVAIL, "\(prefix.address): Can't assign requested address")
            }
            config.addresses.remove(at: index)
        }
        for prefix in r.add {
            // FreeBSD's arpbalance shares an IPv4 address between the vhids of a carpdev.
            let shared = engine.settings.arpbalance == 1 && prefix.family == .inet
            for (other, host) in engine.hosts where other != key && !sharing.contains(other) && !(shared && other.carpdev == key.carpdev)
                && host.machine.config.addresses.contains(where: { $0.address == prefix.address }) {
                throw ControlFailure(EEXIST, "\(prefix.address): already in use by vhid \(other)")
            }
            if let index = config.addresses.firstIndex(where: { $0.address == prefix.address }) {
                config.addresses[index] = prefix
            } else {
                config.addresses.append(prefix)
            }
        }
    }

    /// The macvlan for a new vhid: vepa mode, its MAC (virtual, or `lladdr`), no IPv6
    /// link-local, down. With the carpdev's own MAC there is none (CarpdevMAC.swift).
    func createInterface(_ key: VirtualHostKey, ifname: String?, mac vmac: MACAddress, config: VirtualHostConfig) throws(ControlFailure) -> VirtualInterface {
        let wanted = config.addresses
        guard let parent = parents[key.carpdev] ?? readParent(key.carpdev) else {
            throw ControlFailure(ENODEV, "\(key.carpdev): no such interface")
        }
        let name = ifname ?? VirtualInterface.defaultName(vhid: key.vhid, carpdev: key.carpdev, parentIndex: parent.index)
        guard name != key.carpdev else { throw ControlFailure(EINVAL, "\(name): cannot be its own carpdev") }
        if vmac.bytes == parent.mac {
            return try carpdevInterface(key, ifname: name, parent: parent, wanted: wanted, virtualMAC: config.virtualMAC)
        }
        let mac = vmac.bytes
        let index: Int32
        var held: [IPPrefix] = []
        do {
            if let existing = try route.link(named: name) {
                guard existing.isCarpdMacvlan, existing.parentIndex == parent.index, existing.mac == mac else {
                    throw ControlFailure(EEXIST, "\(name): interface exists")
                }
                // Ours from before (a restart): down, and what it still holds is known from here on.
                try route.apply(.setUp(false), ifindex: existing.index)
                index = existing.index
                held = try route.addresses(ifindex: index).map(\.prefix)
            } else {
                index = try route.createMacvlan(name: name, parentIndex: parent.index, mac: mac,
                                                alias: CarpdConventions.macvlanAlias(vhid: key.vhid),
                                                group: CarpdConventions.macvlanGroup)
            }
        } catch let error as NetlinkError {
            throw ControlFailure(EIO, "\(name): \(error)")
        } catch let error as ControlFailure {
            throw error
        } catch {
            throw ControlFailure(EIO, "\(name): \(error)")
        }
        tuning.tuneMacvlan(name)
        attach(key, to: parent)
        var vif = VirtualInterface(key: key, ifname: name, named: ifname != nil, ifindex: index, parentIndex: parent.index, mac: vmac,
                                   virtualMAC: config.virtualMAC)
        vif.addresses = held
        prepareForClaims(&vif, addresses: wanted)
        return vif
    }

    /// A takeover brings the macvlan's link up; what that costs is paid here, at creation,
    /// where it can be: the MAC is held in the carpdev's unicast filter from now on (a NIC's
    /// filter, or veth's promiscuous mode, no longer changes in the takeover; frames for the
    /// MAC still go nowhere while the macvlan is down), and IPv6 stays off on it until its
    /// vhid has an IPv6 address (no IPv6 set-up at link up). Traced on veth, the link-up
    /// request of a takeover took 87 instead of 144 us (median of five).
    private func prepareForClaims(_ vif: inout VirtualInterface, addresses: [IPPrefix]) {
        do { try packets.holdUnicast(vif.mac.bytes, ifindex: vif.parentIndex, true) } catch {
            emit(.warning, "carp: \(vif.ifname): \(error)")
        }
        if !addresses.contains(where: { $0.family == .inet6 }) {
            do {
                try files.writeSysctl("net/ipv6/conf/\(vif.ifname)/disable_ipv6", "1")
                vif.ipv6Off = true
            } catch {
                emit(.warning, "carp: \(vif.ifname): disable_ipv6: \(error)")
            }
        }
    }

    /// IPv6 back on for a vhid that has an IPv6 address now, at the configuration change
    /// (set, setCarpnodes): before a claim needs it, and outside any takeover.
    func ensureIPv6(_ key: VirtualHostKey, addresses: [IPPrefix]) {
        guard var vif = macvlans[key], vif.ipv6Off, addresses.contains(where: { $0.family == .inet6 }) else { return }
        do {
            try files.writeSysctl("net/ipv6/conf/\(vif.ifname)/disable_ipv6", "0")
            vif.ipv6Off = false
            macvlans[key] = vif
        } catch {
            emit(.warning, "carp: \(vif.ifname): disable_ipv6: \(error)")
        }
    }

    /// What every vhid needs of its carpdev: tuning, the multicast groups, link tracking.
    func attach(_ key: VirtualHostKey, to parent: ParentState) {
        tuning.tuneParent(key.carpdev)
        tuning.ensureMulticastMemberships(Set(macvlans.keys.map(\.carpdev)).count + 2)
        // On the parent only: in vepa mode every advertisement arrives there, a second
        // master's from our own virtual MAC included (see RouteSocket.createMacvlan).
        for family in AddressFamily.allCases {
            do { try packets.join(family, ifindex: parent.index) } catch { emit(.warning, "carp: join on \(key.carpdev): \(error)") }
        }
        carpdevByIndex[parent.index] = key.carpdev
        if parents[key.carpdev] == nil {
            parents[key.carpdev] = parent
            submit(engine.setLink(key.carpdev, up: parent.up, now: clock()))
        }
    }
}
