import CARPControl
import CARPCore
import Glibc

/// Runtime changes survive a restart of carpd: after every change the configuration is
/// written beside the socket as the control requests that rebuild it, replayed at start.
extension Daemon {
    func saveState() {
        let text = "# carpd runtime state: control requests replayed at start (doc/control-protocol.md)\n\n"
            + snapshot().map(\.encoded).joined()
        do { try files.write(text, to: files.state) } catch { log.error("cannot save runtime state: \(error)") }
    }

    /// Sysctls that differ from the defaults, the demotion set by hand, the group demotion
    /// set by hand, every vhid, every carpN without a vhid yet. Forced states are not kept.
    func snapshot() -> [ControlMessage] {
        var messages: [ControlMessage] = []
        let defaults = GlobalSettings()
        for node in GlobalSettings.nodes where !node.writeAdds && engine.settings[node] != defaults[node] {
            messages.append(ControlMessage([("sysctl", "1"), ("name", node.name), ("value", String(engine.settings[node]))]))
        }
        if manualDemotion != 0 {
            messages.append(ControlMessage([("sysctl", "1"), ("name", "net.inet.carp.demotion"), ("value", String(manualDemotion))]))
        }
        if manualGroupDemote != 0 {
            messages.append(ControlMessage([("demote", "1"), ("group", "carp"), ("adjust", String(manualGroupDemote))]))
        }
        for key in interfaces.keys.sorted() {
            guard let vif = interfaces[key], let host = engine.hosts[key] else { continue }
            let c = host.machine.config
            var m = ControlMessage([("set", "1")])
            if vif.named { m.append("ifname", vif.ifname) }
            m.append("carpdev", key.carpdev)
            m.append("vhid", c.vhid)
            m.append("advbase", c.advbase)
            m.append("advskew", c.advskew)
            if !c.key.passphrase.isEmpty { m.append("key", c.key.passphrase) }
            m.append("peer", c.peer == .carpGroup ? "mcast" : c.peer.description)
            m.append("peer6", c.peer6 == .carpGroup ? "mcast6" : c.peer6.description)
            if !host.adminUp { m.append("up", "0") }
            for prefix in c.addresses { m.append("addr", prefix.description) }
            messages.append(m)
        }
        for name in pending.keys.sorted() { messages.append(pending[name]!.message(ifname: name)) }
        return messages
    }

    /// Replays a saved state; a request that no longer applies is logged and skipped.
    func replay(_ text: String, source: String) {
        for block in text.split(separator: "\n\n", omittingEmptySubsequences: true) {
            let lines = block.split(separator: "\n").filter { !$0.hasPrefix("#") }
            if lines.isEmpty { continue }
            let reply: ControlMessage
            do { reply = handleControl(try ControlMessage.decode(lines.joined(separator: "\n") + "\n\n"), root: true, persist: false) } catch {
                reply = .failure(errno: EINVAL, "\(error)")
            }
            if reply.errno != 0 { log.error("\(source): \(lines.first ?? ""): \(reply.message ?? "error \(reply.errno)")") }
        }
    }
}

extension SetRequest {
    /// The request that recreates a carpN interface that has no vhid yet.
    func message(ifname: String) -> ControlMessage {
        var m = ControlMessage([("set", "1"), ("ifname", ifname)])
        if let v = carpdev { m.append("carpdev", v) }
        if let v = vhid { m.append("vhid", v) }
        if let v = advbase { m.append("advbase", v) }
        if let v = advskew { m.append("advskew", v) }
        if let v = key { m.append("key", v.passphrase) }
        if let v = peer { m.append("peer", v.description) }
        if let v = peer6 { m.append("peer6", v.description) }
        if let v = up { m.append("up", v ? "1" : "0") }
        for prefix in add { m.append("addr", prefix.description) }
        return m
    }
}
