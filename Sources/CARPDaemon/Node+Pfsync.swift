import CARPControl
import CARPCore
import Glibc
import Netlink

/// pfsync0 from the node's side: its control requests, its demotion, its place around a
/// transition (Pfsync.swift does the conntrackd work).
extension Node {
    /// `pfsync=1`: with keys a change (created on first use), without them the record.
    func pfsyncRequest(_ change: PfsyncChange) throws(ControlFailure) -> ControlMessage {
        if !change.isEmpty {
            if let device = change.syncdev ?? nil, (try? route.link(named: device)) == nil {
                throw ControlFailure(ENODEV, "syncdev \(device): no such interface")
            }
            if change.destroy == true, pfsync.settings == nil {
                throw ControlFailure(ENXIO, "\(PfsyncRecord.interfaceName): no such interface")
            }
            pfsync.apply(change, syncdevUp: carrier, local: syncdevAddress, now: clock())
            tuning.setLiberalTCP(pfsync.wanted)
            updatePfsyncDemotion()
        }
        var reply = ControlMessage()
        guard let record = pfsync.record(demotion: engine.pfsyncDemotion) else {
            if change.destroy == true { return reply }
            throw ControlFailure(ENXIO, "\(PfsyncRecord.interfaceName): no such interface")
        }
        reply.append(record)
        return reply
    }

    /// `pfsyncstats=1`: struct pfsyncstats' counters from conntrackd's statistics (all 0
    /// while it does not run).
    func pfsyncStatistics() -> ControlMessage {
        let statistics = pfsync.readStatistics(network: true) ?? ConntrackdStatistics()
        return ControlMessage(statistics.bsdCounters.map { ($0.name, String($0.value)) })
    }

    /// The link is up with carrier.
    func carrier(_ device: String) -> Bool {
        (try? route.link(named: device)).flatMap { $0.map { $0.isUp && $0.hasCarrier } } ?? false
    }

    /// The syncdev's first address of the family the updates travel in.
    func syncdevAddress(_ device: String) -> IPAddress? {
        guard let link = try? route.link(named: device), let addresses = try? route.addresses(ifindex: link.index) else { return nil }
        let family: AddressFamily = pfsync.settings?.syncpeer?.family ?? .inet
        return addresses.first { $0.prefix.family == family && ($0.prefix.family == .inet || $0.scope == 0) }?.prefix.address
    }

    /// Demoted while out of sync, undemoted once in sync or when pfsync0 is down.
    func updatePfsyncDemotion() {
        let reason = pfsync.demotionReason
        let undo = pfsync.wanted ? (pfsync.watch.inSync ? "pfsync bulk done" : "pfsync up") : "pfsync down"
        submit(engine.setPfsyncDemoted(reason != nil, reason: reason ?? undo, now: clock()))
    }

    /// Before a route batch: a new MASTER's claim waits for the commit.
    func commitIfTakingOver(_ keys: [VirtualHostKey]) {
        guard pfsync.isRunning, keys.contains(where: engine.isAwaitingClaim) else { return }
        pfsync.commit(clock: clock)
    }

    /// After the effects: the node became MASTER of something, or of nothing any more.
    func followMasterChanges() {
        let now = engine.hasMaster
        guard now != anyMaster else { return }
        anyMaster = now
        if now { pfsync.becameMaster(now: clock()) } else { pfsync.becameBackup(now: clock()) }
    }
}
