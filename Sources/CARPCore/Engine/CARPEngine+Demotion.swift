/// Consecutive send results of one vhid (FreeBSD carp_send_ad_error, OpenBSD snderrors).
struct SendHealth: Sendable {
    var errors = 0
    var successes = 0
    /// The senderr demotion this vhid added, 0 if none.
    var demoted = 0
}

public enum DemoteError: Error, Hashable, Sendable, CustomStringConvertible {
    case outOfRange(group: String, result: Int)
    public var description: String {
        switch self {
        case .outOfRange(let group, let result): "\(group): carpdemote: result \(result) out of range (0-255)"
        }
    }
}

extension CARPEngine {
    static let maintenanceSysctl = "net.inet.carp.maintenance"
    /// Maintenance mode demotes both ways: FreeBSD peers see advskew 240, OpenBSD peers a
    /// demote count of 128 (as OpenBSD's boot interlock), so that either takes over.
    static let maintenanceDemotion = 240, maintenanceGroupDemotion = 128

    mutating func maintenanceDemotion(_ on: Bool, now: UInt64) -> [EngineOutput] {
        let sign = on ? 1 : -1
        return adjustDemotion(by: sign * Self.maintenanceDemotion, reason: on ? "maintenance mode" : "maintenance mode lifted", now: now)
            + adjustGroup(InterfaceGroup.carp, naming: "maintenance", by: sign * Self.maintenanceGroupDemotion,
                          reason: on ? "maintenance mode" : "maintenance mode lifted", now: now)
    }

    /// Errors or successes in a row that move the senderr demotion.
    static let sendErrorThreshold = 3

    /// The driver reports each advertisement it tried to send.
    public mutating func sendResult(_ key: VirtualHostKey, family: AddressFamily, failure: String?, noBuffer: Bool, now: UInt64) -> [EngineOutput] {
        statistics.increment(family == .inet ? .opackets : .opackets6)
        if noBuffer { statistics.increment(.onomem) }
        // By index, in place: `hosts[key]` would copy the machine for every advertisement.
        guard let index = hosts.index(forKey: key) else { return [] }
        hosts.values[index].sent &+= 1
        var health = sendHealth[key] ?? SendHealth()
        var outputs: [EngineOutput] = []
        if let failure {
            health.successes = 0
            health.errors += 1
            if health.errors == Self.sendErrorThreshold && health.demoted == 0 {
                health.demoted = settings.senderrDemotionFactor
                outputs += adjustDemotion(by: health.demoted, reason: "send error \(failure) on \(key.carpdev)", now: now)
                outputs += adjustGroups(of: key, by: 1, reason: "> snderrors", now: now)
            }
        } else {
            health.errors = 0
            if health.demoted != 0 {
                health.successes += 1
                if health.successes == Self.sendErrorThreshold {
                    outputs += adjustDemotion(by: -health.demoted, reason: "send ok on \(key.carpdev)", now: now)
                    outputs += adjustGroups(of: key, by: -1, reason: "< snderrors", now: now)
                    health.demoted = 0
                    health.successes = 0
                }
            }
        }
        sendHealth[key] = health
        return outputs
    }

    /// `ifconfig -g GROUP carpdemote N` / `-carpdemote N`: the result must stay in 0...255.
    public mutating func adjustGroupDemote(_ group: String, by amount: Int, now: UInt64) throws(DemoteError) -> [EngineOutput] {
        let result = (groupDemote[group] ?? 0) + amount
        guard (0...255).contains(result) else { throw .outOfRange(group: group, result: result) }
        groupDemote[group] = result
        return amount > 0 ? advertiseAllMasters(now: now) : []
    }

    /// Sets a net.inet.carp sysctl; writing `demotion` adds, as on FreeBSD.
    public mutating func setSysctl(_ name: String, _ value: Int, now: UInt64) throws(SysctlError) -> (old: Int, new: Int, outputs: [EngineOutput]) {
        guard let node = GlobalSettings.node(named: name) else { throw .unknown(name) }
        let old = settings[node]
        let new = node.writeAdds ? old + value : value
        guard node.range.contains(new) else { throw .outOfRange(name: name, value: value, range: node.range) }
        // Off while vhids share an address, two MASTERs of it would both claim it.
        if node.name == "net.inet.carp.arpbalance", new == 0, let shared = arpBalanced.sorted().first {
            throw .busy(name: name, reason: "vhid \(shared) shares its address with another: remove the address from one first")
        }
        if node.writeAdds {
            return (old, new, adjustDemotion(by: value, reason: "sysctl", now: now))
        }
        settings[node] = new
        var outputs = name == "net.inet.carp.allow" && old != new ? reevaluate(hosts.keys.sorted(), now: now) : []
        if name == Self.maintenanceSysctl && old != new { outputs += maintenanceDemotion(new == 1, now: now) }
        outputs += refreshArpBalance()
        return (old, new, outputs)
    }

    /// FreeBSD carp_demote_adj(): changes the global demotion, logs, and every MASTER
    /// advertises at once so peers see the new advskew (not when `now` is nil: inside a
    /// transition, whose own advertisement follows).
    mutating func adjustDemotion(by amount: Int, reason: String, now: UInt64?) -> [EngineOutput] {
        guard amount != 0 else { return [] }
        settings.demotion += amount
        let log: EngineOutput = .log(.info, "carp: demoted by \(amount) to \(settings.demotion) (\(reason))")
        return [log] + (now.map { advertiseAllMasters(now: $0) } ?? [])
    }

    /// OpenBSD carp_group_demote_adj(): the interface's own count and every group it is in
    /// move, each floored at 0 and logged at LOG_ERR; a counter rising to 1 makes every
    /// MASTER advertise at once (not when `now` is nil, as above).
    mutating func adjustGroups(of key: VirtualHostKey, by amount: Int, reason: String, now: UInt64?) -> [EngineOutput] {
        guard let name = interfaceOf[key], var interface = interfaces[name] else {
            return adjustGroup(InterfaceGroup.carp, naming: key.description, by: amount, reason: reason, now: now)
        }
        interface.demoted = max(0, interface.demoted + amount)
        interfaces[name] = interface
        return interface.groups.flatMap { adjustGroup($0, naming: key.description, by: amount, reason: reason, now: now) }
    }

    mutating func adjustGroup(_ group: String, naming subject: String, by amount: Int, reason: String, now: UInt64?) -> [EngineOutput] {
        let old = groupDemote[group] ?? 0
        let new = max(0, old + amount)
        guard new != old else { return [] }
        groupDemote[group] = new
        var outputs: [EngineOutput] = [.log(.error, "carp: \(subject): demoted group \(group) by \(amount) to \(new) (\(reason))")]
        if new == 1 && amount > 0, let now { outputs += advertiseAllMasters(now: now) }
        return outputs
    }

    mutating func advertiseAllMasters(now: UInt64) -> [EngineOutput] {
        hosts.keys.sorted().flatMap { key in tagged(key, hosts[key]!.machine.advertiseNow(context: context(for: key), now: now)) }
    }
}
