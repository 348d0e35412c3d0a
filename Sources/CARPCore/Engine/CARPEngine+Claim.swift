/// A MASTER's claim whose addresses did not all go on.
struct ClaimFailure: Sendable {
    var count = 0
    /// The demotion this vhid added for it (the senderr factor), 0 before the first failure.
    var demoted = 0
}

extension CARPEngine {
    /// The daemon's report of a `.claim`: nil when every address is on the interface, else
    /// why not. The first success after a transition to MASTER is `masterReady`; a failure
    /// is counted and logged, demotes the node as repeated send errors do (so a healthy peer
    /// takes over), and the claim is retried with each advertisement until it succeeds.
    public mutating func claimFinished(_ key: VirtualHostKey, failure: String?, now: UInt64) -> [EngineOutput] {
        guard let host = hosts[key], host.machine.state == .master else { return [] }
        guard let failure else {
            var outputs = forgetClaim(key, reason: "claim ok", now: now)
            if let ready = awaitingReady.removeValue(forKey: key) {
                outputs.append(.vhost(key, .masterReady(from: ready.from, reason: ready.reason)))
            }
            return outputs
        }
        statistics.increment(.claimfail)
        var record = failedClaims[key] ?? ClaimFailure()
        record.count += 1
        var outputs: [EngineOutput] = [.log(.warning, "carp: \(key): claim failed: \(failure)")]
        if record.demoted == 0 {
            record.demoted = settings.senderrDemotionFactor
            outputs += adjustDemotion(by: record.demoted, reason: "claim failed on \(key.carpdev)", now: now)
            outputs += adjustGroups(of: key, by: 1, reason: "claim failed", now: now)
        }
        failedClaims[key] = record
        return outputs
    }

    /// The claim again, ahead of a MASTER's advertisement, while its last one failed.
    mutating func retryClaim(_ key: VirtualHostKey) -> [EngineOutput] {
        guard failedClaims[key] != nil, let host = hosts[key], host.machine.state == .master else { return [] }
        return [.vhost(key, .claim(host.machine.config.addresses))]
    }

    /// Ends a claim failure (it succeeded, or the vhid is no longer MASTER): its demotion goes.
    /// Without `now` (inside a transition) no advertisement is triggered by it.
    mutating func forgetClaim(_ key: VirtualHostKey, reason: String, now: UInt64?) -> [EngineOutput] {
        guard let record = failedClaims.removeValue(forKey: key), record.demoted != 0 else { return [] }
        return adjustDemotion(by: -record.demoted, reason: reason, now: now)
            + adjustGroups(of: key, by: -1, reason: reason, now: now)
    }
}
