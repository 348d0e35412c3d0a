import CARPCore
import Netlink

/// Claims and releases as netlink requests: every vhid's in one batch (RoutePort.perform),
/// worked out from what the node knows of each macvlan, so the kernel is not asked first.
extension Node {
    /// What one request of the batch does to the interface's known state.
    enum RouteStep {
        case up(Bool)
        case add(IPPrefix, linkLocalCopy: Bool)
        case delete(IPPrefix)
    }

    /// One claim or release of the batch: its vhid and its requests' positions.
    struct RouteJob {
        let key: VirtualHostKey
        let action: CARPAction
        var steps: [(index: Int, step: RouteStep)] = []
    }

    func changeRoutes(_ items: [(key: VirtualHostKey, actions: [CARPAction])]) {
        var requests: [RouteRequest] = []
        var jobs: [RouteJob] = []
        for (key, actions) in items {
            guard let vif = macvlans[key] else { continue }
            for action in actions {
                var job = RouteJob(key: key, action: action)
                for (request, step) in routeSteps(action, vif: vif) {
                    job.steps.append((requests.count, step))
                    requests.append(request)
                }
                jobs.append(job)
            }
        }
        let errors = requests.isEmpty ? [] : route.perform(requests)
        for job in jobs { finish(job, errors: errors) }
    }

    /// MASTER: the link up, then exactly the claimed addresses on it. BACKUP/INIT (`down`):
    /// the link down, then its addresses off. Down first: deleting an IPv6 address from an up
    /// link sends an MLD report from the virtual MAC, and one that left after the new
    /// master's announcements pulled the switch's entry for the virtual MAC back to us
    /// (a 1 s outage when a preferred master returned). At exit the link stays up (all go
    /// together afterwards) and IPv6 is switched off on it instead (see `finish`).
    private func routeSteps(_ action: CARPAction, vif: VirtualInterface) -> [(RouteRequest, RouteStep)] {
        let index = vif.ifindex
        switch action {
        case .claim(let wanted):
            var steps: [(RouteRequest, RouteStep)] = [(.setUp(ifindex: index, true), .up(true))]
            let parent = parents[vif.key.carpdev]
            for prefix in wanted where !vif.addresses.contains(prefix) {
                // No prefix route when the carpdev already routes the subnet (a second one via
                // the macvlan would compete with it); one when it does not, or replies could
                // not leave. NODAD: the peer may still hold the address for a moment, and DAD
                // failure is permanent.
                let ownRoute = !(parent?.routes(prefix) ?? false)
                var flags = prefix.family == .inet6 ? AddressFlag.nodad : 0
                if !ownRoute && prefix.length < (prefix.family == .inet ? 32 : 128) { flags |= AddressFlag.noPrefixRoute }
                steps.append((.addAddress(ifindex: index, prefix, flags: flags), .add(prefix, linkLocalCopy: false)))
            }
            for prefix in vif.addresses where !wanted.contains(prefix) {
                steps.append((.deleteAddress(ifindex: index, prefix), .delete(prefix)))
            }
            // IPv6 advertisements need a source on the macvlan when the carpdev has no global one.
            if vif.linkLocalCopy == nil, wanted.contains(where: { $0.family == .inet6 }), parent?.source6 == nil,
               let bytes = parent?.linkLocal6, let address = IPAddress(bytes: bytes) {
                let copy = IPPrefix(address: address, length: 64)
                steps.append((.addAddress(ifindex: index, copy, flags: AddressFlag.nodad), .add(copy, linkLocalCopy: true)))
            }
            return steps
        case .release(let mode):
            var steps: [(RouteRequest, RouteStep)] = []
            if mode == .down { steps.append((.setUp(ifindex: index, false), .up(false))) }
            let held = vif.addresses + (vif.linkLocalCopy.map { [$0] } ?? [])
            for prefix in held where mode == .down || prefix.family == .inet {
                steps.append((.deleteAddress(ifindex: index, prefix), .delete(prefix)))
            }
            return steps
        default:
            return []
        }
    }

    /// Records what took effect and reports a claim's outcome to the engine.
    private func finish(_ job: RouteJob, errors: [NetlinkError?]) {
        guard var vif = macvlans[job.key] else { return }
        var failures: [String] = []
        var leftover = false
        for (index, step) in job.steps {
            let error = errors[index]
            switch step {
            case .up(let up):
                if let error {
                    (up ? failures.append(error.reason) : emit(.warning, "carp: \(error)"))
                } else {
                    vif.isUp = up
                }
            case .add(let prefix, let copy):
                if let error, !error.isExists {
                    copy ? emit(.warning, "carp: \(error)") : failures.append("\(prefix): \(error.reason)")
                } else if copy {
                    vif.linkLocalCopy = prefix
                } else {
                    vif.addresses.append(prefix)
                }
            case .delete(let prefix):
                // Already gone counts as done (IPv6 addresses leave with the link).
                if let error, !error.isNoAddress, !error.isNoDevice {
                    emit(.warning, "carp: \(error)")
                    leftover = true
                } else if vif.linkLocalCopy == prefix {
                    vif.linkLocalCopy = nil
                } else {
                    vif.addresses.removeAll { $0 == prefix }
                }
            }
        }
        if job.action == .release(.exit) {
            // IPv6 off on the link takes its IPv6 VIPs without a frame (deleting them would send MLD).
            do { try files.writeSysctl("net/ipv6/conf/\(vif.ifname)/disable_ipv6", "1") } catch {
                emit(.warning, "carp: \(vif.ifname): disable_ipv6: \(error)")
            }
            vif.addresses.removeAll { $0.family == .inet6 }
            vif.linkLocalCopy = nil
        }
        macvlans[job.key] = vif
        if leftover && releaseRetryAt == nil { releaseRetryAt = clock() + Self.releaseRetryDelay }
        if case .claim = job.action {
            submit(engine.claimFinished(job.key, failure: failures.isEmpty ? nil : failures.joined(separator: "; "), now: clock()))
        }
    }

    /// Releases whose deletions failed, tried again: a BACKUP must not keep a VIP.
    func retryReleases() {
        releaseRetryAt = nil
        for key in macvlans.keys.sorted() where engine.hosts[key]?.machine.state != .master {
            guard let vif = macvlans[key], !vif.addresses.isEmpty || vif.linkLocalCopy != nil else { continue }
            effects.append(key, .release(.down))
        }
    }
}
