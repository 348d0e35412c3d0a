import CARPCore

/// A takeover run for the first time in a process took ~100 us in the engine and ~50 us more
/// to build its frames, against ~7 us for the same engine turn run again (traced in a VRRP
/// takeover: the Swift runtime sets up on first use what that code needs). The first
/// takeover is the one that counts - a backup may wait months for it - so each kind of vhid
/// (protocol and address families) rehearses it once when it is configured: the engine's
/// master-down turn on a copy of it, its frames and route steps built and dropped, nothing
/// sent or changed.
extension Node {
    func rehearseTakeover(_ key: VirtualHostKey) {
        guard let host = engine.hosts[key], macvlans[key] != nil else { return }
        let config = host.machine.config
        let kind = "\(config.version) \(config.families.contains(.inet)) \(config.families.contains(.inet6))"
        guard !rehearsed.contains(kind) else { return }
        let outputs = engine.takeoverRehearsal(key)
        guard !outputs.isEmpty else { return }  // not a BACKUP yet: rehearsed with a later change
        rehearsed.insert(kind)
        rehearse(outputs)
    }

    /// Just before a takeover's deadline (the reactor's early wake, Daemon.swift): the same
    /// on copies again, so that its code and data are in the caches when it runs - after
    /// seconds of idling as BACKUP they are not (traced: the frames were built ~100 us after
    /// the engine's turn even with the configuration's rehearsal).
    func warmTakeover(at deadline: UInt64) {
        rehearse(engine.takeoverRehearsal(at: deadline))
    }

    /// The engine's outputs through the effect queue's waves: each wave's frames built, its
    /// route steps worked out, nothing sent.
    private func rehearse(_ outputs: [EngineOutput]) {
        var queue = EffectQueue()
        for case .vhost(let key, let action) in outputs { queue.append(key, action) }
        while !queue.isEmpty {
            _ = prepareFrames(queue.takeLeading(routes: false))
            for (key, actions) in queue.takeLeading(routes: true) {
                guard let vif = macvlans[key] else { continue }
                for action in actions { _ = routeSteps(action, vif: vif) }
            }
        }
    }
}
