import CARPControl
import CARPCore
import Glibc

/// Runtime changes survive a restart of carpd: after every change the configuration is
/// written beside the socket as the control requests that rebuild it, replayed at start.
extension Node {
    func saveState() {
        let text = "# carpd runtime state: control requests replayed at start (doc/control-protocol.md)\n\n"
            + snapshot().map(\.encoded).joined()
        do { try files.write(text, to: options.statePath) } catch { log.error("cannot save runtime state: \(error)") }
    }

    /// Sysctls that differ from the defaults, the demotion set by hand, every vhid, every
    /// carpN without a vhid yet, then the group demotions set by hand. Forced states are not kept.
    func snapshot() -> [ControlMessage] {
        var messages: [ControlMessage] = []
        let defaults = GlobalSettings()
        for node in GlobalSettings.nodes where !node.writeAdds && engine.settings[node] != defaults[node] {
            messages.append(ControlMessage([("sysctl", "1"), ("name", node.name), ("value", String(engine.settings[node]))]))
        }
        if manualDemotion != 0 {
            messages.append(ControlMessage([("sysctl", "1"), ("name", "net.inet.carp.demotion"), ("value", String(manualDemotion))]))
        }
        var balanced: Set<String> = []
        let all = records()
        for record in all where record.vhid != 0 {
            guard record.balancing != nil else {
                messages.append(ControlMessage(set: VirtualHostChange(recreating: record)))
                continue
            }
            // A balanced interface comes back in one request, with all its carpnodes.
            guard balanced.insert(record.ifname).inserted else { continue }
            var change = VirtualHostChange(recreating: record)
            (change.vhid, change.advskew) = (nil, nil)
            change.carpnodes = all.filter { $0.ifname == record.ifname }.map { CarpNode(vhid: $0.vhid, advskew: $0.advskew) }
            messages.append(ControlMessage(set: change))
        }
        for change in pendingInterfaces() { messages.append(ControlMessage(set: change)) }
        // After the interfaces: a group exists once one of them is in it.
        for (group, amount) in manualGroupDemote.sorted(by: { $0.key < $1.key }) where amount != 0 {
            messages.append(ControlMessage([("demote", "1"), ("group", group), ("adjust", String(amount))]))
        }
        if let record = pfsync.settings { messages.append(ControlMessage(pfsync: PfsyncChange(recreating: record))) }
        return messages
    }

    /// Replays a saved state; a request that no longer applies is logged and skipped.
    func replay(_ text: String, source: String) {
        for (first, request) in Self.savedRequests(text) {
            let reply: ControlMessage
            do { reply = handleControl(try request.get(), root: true, persist: false) } catch {
                reply = .failure(errno: EINVAL, "\(error)")
            }
            if reply.errno != 0 { log.error("\(source): \(first): \(reply.message ?? "error \(reply.errno)")") }
        }
    }

    /// The requests of a saved state, each with its first line (for messages): blocks
    /// separated by an empty line, `#` lines left out.
    static func savedRequests(_ text: String) -> [(first: String, request: Result<ControlMessage, ControlDecodeError>)] {
        text.split(separator: "\n\n", omittingEmptySubsequences: true).compactMap { block in
            let lines = block.split(separator: "\n").filter { !$0.hasPrefix("#") }
            guard let first = lines.first else { return nil }
            let text = lines.joined(separator: "\n") + "\n\n"
            return (String(first), Result { () throws(ControlDecodeError) in try ControlMessage.decode(text) })
        }
    }
}
