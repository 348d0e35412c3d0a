import CARPControl
import CARPCore
import Glibc
import LinuxHost

/// The control socket's commands (doc/control-protocol.md). Runs on the reactor thread,
/// so it never races the engine.
extension Node {
    /// One request from the socket. A successful `subscribe` keeps its connection open for
    /// the event stream (Node+Events).
    func serveControl(_ text: String, uid: UInt32) -> ControlReply {
        let request: ControlMessage
        do { request = try ControlMessage.decode(text) } catch {
            return ControlReply(ControlMessage.failure(errno: EINVAL, "\(error)").encoded)
        }
        let reply = handleControl(request, root: uid == 0)
        carryOut()  // the reply reports a world in which the request has taken effect
        return ControlReply(reply.encoded, keepOpen: request.command == "subscribe" && reply.errno == 0)
    }

    /// One request, from the socket, the boot files or the saved state; the reply ends with
    /// `errno` (and `message`). A change is saved unless `persist` is false.
    func handleControl(_ request: ControlMessage, root: Bool, persist: Bool = true) -> ControlMessage {
        var reply: ControlMessage
        do throws(ControlFailure) {
            reply = try dispatch(request, root: root)
            reply.append("errno", 0)
            if persist && Self.changes(request) { saveState() }
        } catch {
            reply = .failure(errno: error.errno, error.message)
        }
        return reply
    }

    /// Requests that change the configuration (and so the saved state).
    static func changes(_ request: ControlMessage) -> Bool {
        switch request.command {
        case "set", "remove": true
        case "pfsync": request.pairs.count > 1
        case "netstart": request["dryrun"] != "1"
        case "sysctl": request["value"] != nil
        case "demote": request["adjust"] != nil
        default: false
        }
    }

    private func dispatch(_ request: ControlMessage, root: Bool) throws(ControlFailure) -> ControlMessage {
        let writes = Self.changes(request)
        if writes && !root { throw ControlFailure(EPERM, "Operation not permitted") }
        guard request.pairs.first?.value == "1" else { throw ControlFailure(EINVAL, "line 1: expected COMMAND=1") }
        switch request.command {
        case "get": return try get(request, showKey: root && request["showkey"] == "1")
        case "set":
            return try set(try checked(request.virtualHostChange))
        case "remove": return try remove(request)
        case "sysctl": return try sysctl(request)
        case "stats": return stats()
        case "pfsync": return try pfsyncRequest(try checked(request.pfsyncChange))
        case "pfsyncstats":
            try allowOnly(["pfsyncstats"], in: request)
            return pfsyncStatistics()
        case "demote": return try demote(request)
        case "netstart": return try netstart(request, root: root)
        case "subscribe":
            try allowOnly(["subscribe"], in: request)
            return ControlMessage()
        default: throw ControlFailure(EINVAL, "unknown command '\(request.command ?? "")'")
        }
    }

    // MARK: - get / remove

    private func get(_ request: ControlMessage, showKey: Bool) throws(ControlFailure) -> ControlMessage {
        try allowOnly(["get", "ifname", "carpdev", "vhid", "showkey"], in: request)
        var all = records()
        if let name = request["ifname"] { all = all.filter { $0.ifname == name } }
        if let dev = request["carpdev"] { all = all.filter { $0.carpdev == dev && $0.vhid != 0 } }
        if let vhid = request["vhid"] { all = all.filter { String($0.vhid) == vhid && $0.vhid != 0 } }
        if all.isEmpty && (request["ifname"] != nil || request["vhid"] != nil) {
            throw ControlFailure(ENOENT, "no such virtual host")
        }
        var reply = ControlMessage()
        for var record in all {
            if !showKey { record.key = nil }
            reply.append(record)
        }
        return reply
    }

    /// Every virtual host by carpdev and vhid, then every carp interface without one yet, by
    /// name; each with its key.
    func records() -> [VirtualHostRecord] {
        var all: [VirtualHostRecord] = []
        for key in macvlans.keys.sorted() {
            guard let vif = macvlans[key], let host = engine.hosts[key] else { continue }
            let c = host.machine.config
            var record = VirtualHostRecord(ifname: vif.ifname, carpdev: key.carpdev, vhid: c.vhid)
            record.state = host.machine.state
            record.advbase = c.advbase
            record.advskew = c.advskew
            record.demote = engine.demoteCount(for: key)
            record.groups = engine.interface(of: key)?.groups ?? [InterfaceGroup.carp]
            record.lladdr = vif.customMAC
            if let last = lastTransition[key] { (record.since, record.reason) = (last.at, last.reason) }
            record.peer = c.peer
            record.peer6 = c.peer6
            record.up = host.adminUp
            record.named = vif.named
            record.addresses = c.addresses
            record.key = c.key
            if c.isVRRP { (record.version, record.vrrpPriority, record.vrrpInterval) = (c.version, c.vrrpPriority, c.vrrpInterval) }
            if let interface = engine.interface(of: key), interface.vhosts.count > 1 { record.balancing = interface.balancing }
            all.append(record)
        }
        for change in pendingInterfaces() {
            var record = change.pendingRecord
            record.demote = UInt8(clamping: record.groups.reduce(0) { $0 + (engine.groupDemote[$1] ?? 0) })
            all.append(record)
        }
        return all
    }

    /// The carp interfaces without a virtual host yet, by name, with what they were given.
    func pendingInterfaces() -> [VirtualHostChange] {
        engine.interfaces.keys.sorted().compactMap { name in
            engine.interfaces[name].flatMap { $0.vhosts.isEmpty ? $0.pending : nil }
        }
    }

    private func remove(_ request: ControlMessage) throws(ControlFailure) -> ControlMessage {
        try allowOnly(["remove", "ifname", "carpdev", "vhid"], in: request)
        if let name = request["ifname"], engine.removePending(name) { return ControlMessage() }
        let key = try lookup(ifname: request["ifname"], carpdev: request["carpdev"],
                             vhid: request["vhid"].flatMap { UInt8($0) })
        guard let key else { throw ControlFailure(ENOENT, "no such virtual host") }
        // A balanced carp interface goes with all its carpnodes.
        let keys = request["ifname"].flatMap { engine.interfaces[$0]?.carpnodes } ?? [key]
        for key in keys { destroy(key) }
        if keys.count > 1 { balancingChanged = true }
        return ControlMessage()
    }

    func destroy(_ key: VirtualHostKey) {
        submit(engine.remove(key, now: clock()))
        carryOut()  // the bow-out leaves through the macvlan: before it goes
        lastTransition[key] = nil
        transitionCounts[key] = nil
        guard let vif = macvlans.removeValue(forKey: key) else { return }
        if vif.onCarpdev {
            // The bow-out's release took them already, unless it failed: the carpdev stays.
            for prefix in vif.addresses {
                do { try route.apply(.deleteAddress(prefix), ifindex: vif.ifindex) } catch { emit(.warning, "carp: \(error)") }
            }
            return
        }
        do { try route.deleteLink(index: vif.ifindex) } catch { emit(.warning, "carp: \(error)") }
        // Gone already when the carpdev went away (the kernel drops it with the device).
        try? packets.holdUnicast(vif.mac.bytes, ifindex: vif.parentIndex, false)
    }

    /// By OpenBSD carp interface name, or by FreeBSD carpdev + vhid.
    func lookup(ifname: String?, carpdev: String?, vhid: UInt8?) throws(ControlFailure) -> VirtualHostKey? {
        if let ifname, let key = engine.interfaces[ifname]?.vhosts.first { return key }
        if ifname == nil, let carpdev, let vhid { return macvlans[VirtualHostKey(carpdev: carpdev, vhid: vhid)] != nil ? VirtualHostKey(carpdev: carpdev, vhid: vhid) : nil }
        if ifname == nil && (carpdev == nil || vhid == nil) { throw ControlFailure(EINVAL, "name the vhid with ifname, or carpdev and vhid") }
        return nil
    }

    // MARK: - sysctl / stats / demote

    private func sysctl(_ request: ControlMessage) throws(ControlFailure) -> ControlMessage {
        try allowOnly(["sysctl", "name", "value"], in: request)
        var reply = ControlMessage()
        guard let name = request["name"] else {
            for node in GlobalSettings.nodes {
                reply.append("name", node.name)
                reply.append("value", engine.settings[node])
            }
            return reply
        }
        guard let node = GlobalSettings.node(named: name) else { throw ControlFailure(ENOENT, "unknown oid '\(name)'") }
        reply.append("name", name)
        guard let text = request["value"] else {
            reply.append("value", engine.settings[node])
            return reply
        }
        guard let value = Int(text) else { throw ControlFailure(EINVAL, "\(name): \(text): invalid integer") }
        do {
            let result = try engine.setSysctl(name, value, now: clock())
            if node.writeAdds { manualDemotion += value }
            submit(result.outputs)
            if name == "net.inet.carp.dscp" {
                do { try packets.setDSCP(result.new) } catch { emit(.warning, "carp: dscp: \(error)") }
            }
            if name == Self.maintenanceSysctl && result.old != result.new { rememberMaintenance(result.new == 1) }
            reply.append("old", result.old)
            reply.append("value", result.new)
        } catch {
            if case .busy = error { throw ControlFailure(EBUSY, error.description) }
            throw ControlFailure(EINVAL, error.description)
        }
        return reply
    }

    private func stats() -> ControlMessage {
        ControlMessage(engine.statistics.all.map { ($0.name, String($0.value)) })
    }

    /// `ifconfig -g GROUP [-]carpdemote [N]`: any group a carp interface is in, or `carp`.
    private func demote(_ request: ControlMessage) throws(ControlFailure) -> ControlMessage {
        try allowOnly(["demote", "group", "adjust"], in: request)
        let group = request["group"] ?? InterfaceGroup.carp
        guard engine.groupNames.contains(group) else { throw ControlFailure(ENOENT, "\(group): no such group") }
        if let text = request["adjust"] {
            guard let amount = Int(text), (-255...255).contains(amount) else {
                throw ControlFailure(EINVAL, "carpdemote \(text): invalid")
            }
            do { submit(try engine.adjustGroupDemote(group, by: amount, now: clock())) } catch {
                throw ControlFailure(EINVAL, error.description)
            }
            manualGroupDemote[group, default: 0] += amount
        }
        return ControlMessage([("group", group), ("demote", String(engine.groupDemote[group] ?? 0))])
    }

    func allowOnly(_ keys: Set<String>, in request: ControlMessage) throws(ControlFailure) {
        if let bad = request.pairs.first(where: { !keys.contains($0.key) }) {
            throw ControlFailure(EINVAL, "unknown key '\(bad.key)'")
        }
    }
}
