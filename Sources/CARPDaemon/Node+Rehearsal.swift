import CARPCore

/// A takeover run for the first time in a process took ~100 us in the engine and ~50 us more
/// to build its frames, against ~7 us for the same engine turn run again (traced in a VRRP
/// takeover: the Swift runtime sets up on first use what that code needs). The first
/// takeover is the one that counts - a backup may wait months for it - so each kind of vhid
/// (protocol and address families) rehearses it once when it is configured: on a copy of
/// the engine, its frames and route steps built and dropped, nothing sent or changed.
extension Node {
    func rehearseTakeover(_ key: VirtualHostKey) {
        guard let host = engine.hosts[key], let vif = macvlans[key] else { return }
        let config = host.machine.config
        let kind = "\(config.version) \(config.families.contains(.inet)) \(config.families.contains(.inet6))"
        guard !rehearsed.contains(kind) else { return }
        var copy = engine
        let outputs = copy.force(key, .master, now: clock())
        guard !outputs.isEmpty else { return }  // not a BACKUP yet: rehearsed with a later change
        rehearsed.insert(kind)
        for case .vhost(_, let action) in outputs {
            switch action {
            case .transmit(let transmission): _ = advertisementFrame(transmission, vif: vif)
            case .announce(let prefixes): _ = announcements(prefixes, vif: vif)
            case .claim: _ = routeSteps(action, vif: vif)
            case .stateChanged(let from, let to, let reason): _ = Self.transitionLine(key, from: from, to: to, reason: reason)
            default: break
            }
        }
    }
}
