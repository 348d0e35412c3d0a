import CARPCore
import Glibc
import LinuxHost
import Netlink

/// The one place engine actions become system calls (through the ports). Each action holds
/// all it needs; what the kernel must change follows from it and from what the node knows of
/// the interface (VirtualInterface), and results go back to the engine as inputs.
extension Node {
    /// Queues the engine's outputs; log lines are written at once.
    func submit(_ outputs: [EngineOutput]) {
        for output in outputs {
            switch output {
            case .log(let level, let text): emit(level, text)
            case .vhost(let key, let action): effects.append(key, action)
            case .ownership(let name, let masters):
                emit(.debug, "carp: \(name): MASTER of \(masters.isEmpty ? "none" : masters.map(\.description).joined(separator: " "))")
                if engine.interfaces[name]?.balancing.isBalanced == true
                    || engine.interfaces[name]?.vhosts.contains(where: engine.arpBalanced.contains) == true {
                    balancingChanged = true
                }
            case .balancingChanged:
                balancingChanged = true
            }
        }
    }

    /// Carries out every queued action in waves (EffectQueue): frames, then one netlink
    /// batch, again until nothing is left; what the results make the engine do is queued
    /// and carried out in the same call.
    func carryOut() {
        var waves = 0
        while !effects.isEmpty {
            waves += 1
            guard waves <= 64 else {
                // Only a bug could keep the engine and the effects feeding each other.
                log.error("carp: actions still queued after 64 waves; dropped")
                effects = EffectQueue()
                return
            }
            // A new owner's filter first: its flows are taken before its frames leave.
            if balancingChanged { refreshBalancing() }
            sendFrames(effects.takeLeading(routes: false))
            changeRoutes(effects.takeLeading(routes: true))
        }
        if balancingChanged { refreshBalancing() }
        followMasterChanges()
        for (level, line) in transitionLines { emit(level, line) }
        transitionLines.removeAll(keepingCapacity: true)
    }

    /// net.inet.carp.log: 0 silent, 1 state changes and demotion, 2 also dropped packets.
    func emit(_ level: LogLevel, _ text: String) {
        let threshold = engine.settings.log
        guard threshold >= 1, level != .debug || threshold >= 2 else { return }
        switch level {
        case .error: log.error("\(text)")
        case .warning: log.warning("\(text)")
        case .info: log.info("\(text)")
        case .debug: log.debug("\(text)")
        }
    }

    // MARK: - Frames, datagrams and notices

    /// One wave's frames and what goes with them, built without sending anything.
    struct FrameWave {
        var frames: [OutgoingFrame] = []
        /// Per frame: the advertisement it carries (reported to the engine), or nil for an announcement.
        var carried: [(key: VirtualHostKey, family: AddressFamily)?] = []
        /// Advertisements the raw socket sends (a unicast peer, or no source for a frame).
        var datagrams: [(key: VirtualHostKey, transmission: Transmission, vif: VirtualInterface)] = []
        var transitions: [String] = []
        /// Told to the hooks and the event stream once the frames are out: a new master's
        /// advertisement and gratuitous ARP do not wait for a hook to be spawned.
        var notices: [(vif: VirtualInterface, from: CARPState, to: CARPState, reason: TransitionReason)] = []
    }

    /// Builds a wave (also run by the takeover's rehearsal, Node+Rehearsal.swift).
    func prepareFrames(_ items: [(key: VirtualHostKey, actions: [CARPAction])]) -> FrameWave {
        var wave = FrameWave()
        for (key, actions) in items {
            guard let vif = macvlans[key] else {
                log.debug("carp: \(key): actions for a removed vhid dropped")
                continue
            }
            for action in actions {
                switch action {
                case .transmit(let transmission):
                    if let frame = advertisementFrame(transmission, vif: vif) {
                        wave.frames.append(frame)
                        wave.carried.append((key, transmission.family))
                    } else {
                        wave.datagrams.append((key, transmission, vif))
                    }
                case .announce(let prefixes):
                    for frame in announcements(prefixes, vif: vif) {
                        wave.frames.append(frame)
                        wave.carried.append(nil)
                    }
                case .stateChanged(let from, let to, let reason):
                    wave.transitions.append(Self.transitionLine(key, from: from, to: to, reason: reason))
                    // A new MASTER is announced once its addresses are there (.masterReady).
                    if to != .master { wave.notices.append((vif, from, to, reason)) }
                case .masterReady(let from, let reason):
                    wave.notices.append((vif, from, .master, reason))
                case .claim, .release:
                    break  // route changes: never taken in this phase
                }
            }
        }
        return wave
    }

    private func sendFrames(_ items: [(key: VirtualHostKey, actions: [CARPAction])]) {
        let wave = prepareFrames(items)
        for line in wave.transitions { transitionLines.append((.info, line)) }
        // The raw socket's datagrams first, as they were sent while the frames were built.
        let direct = wave.datagrams.map { item in
            (item.key, item.transmission.family, !item.transmission.isMulticast, sendDatagram(item.transmission, vif: item.vif))
        }
        let errors = wave.frames.isEmpty ? [] : packets.send(frames: wave.frames)
        for notice in wave.notices { notifyState(notice.vif, from: notice.from, to: notice.to, reason: notice.reason) }
        for (index, error) in errors.enumerated() {
            if let (key, family) = wave.carried[index] {
                sendFinished(key, family: family, unicast: false, error: error)
            } else if let error {
                emit(.warning, "carp: announce: \(error)")
            }
        }
        for (key, family, unicast, error) in direct { sendFinished(key, family: family, unicast: unicast, error: error) }
    }

    static func transitionLine(_ key: VirtualHostKey, from: CARPState, to: CARPState, reason: TransitionReason) -> String {
        "carp: \(key): \(from) -> \(to) (\(reason.rawValue))"
    }

    /// Hooks and the event stream hear of a state once it holds (for MASTER: its addresses are on).
    private func notifyState(_ vif: VirtualInterface, from: CARPState, to: CARPState, reason: TransitionReason) {
        let directory = options.configDirectory + "/notify.d"
        for name in files.list(directory) where files.isExecutable(directory + "/" + name) {
            hooks.enqueue(directory + "/" + name, [vif.key.description, to.description], now: clock())
        }
        publish(vif, from: from, to: to, reason: reason)
    }

    /// A multicast advertisement as a whole frame from the carp interface's MAC (as FreeBSD's
    /// carp_output), out the carpdev: a new MASTER's first one leaves before its macvlan is
    /// up. Nil for a unicast peer or without a source address: the raw socket sends those.
    func advertisementFrame(_ t: Transmission, vif: VirtualInterface) -> OutgoingFrame? {
        guard t.isMulticast, let source = source(t, vif: vif), let address = IPAddress(bytes: source),
              let payload = t.advertisement.encoded(source: address, destination: t.destination) else { return nil }
        let mac = vif.mac.bytes, dscp = engine.settings.dscp
        let frame: [UInt8]? = switch t.family {
        case .inet: AdvertisementFrame.inet(mac: mac, source: source, destination: t.destination.bytes, dscp: dscp, payload: payload)
        case .inet6: AdvertisementFrame.inet6(mac: mac, source: source, destination: t.destination.bytes, dscp: dscp, payload: payload)
        }
        return frame.map { OutgoingFrame(frame: $0, ifindex: vif.parentIndex) }
    }

    /// First IPv4 address of the carpdev (OpenBSD's choice); its first global IPv6 address,
    /// else the link-local copy on the macvlan. VRRP over IPv6 is sent from the link-local
    /// address (RFC 5798 §5.1.2.1), as keepalived does.
    private func source(_ t: Transmission, vif: VirtualInterface) -> [UInt8]? {
        let parent = parents[vif.key.carpdev]
        let linkLocal = vif.onCarpdev ? parent?.linkLocal6 : vif.linkLocalCopy?.address.bytes
        // The carpdev's own link-local, whatever the macvlan holds: the tie-break compares it.
        if t.family == .inet6, case .vrrp = t.advertisement { return parent?.linkLocal6 ?? linkLocal ?? parent?.source6 }
        return t.family == .inet ? parent?.source4 : parent?.source6 ?? linkLocal
    }

    private func sendDatagram(_ t: Transmission, vif: VirtualInterface) -> SystemError? {
        let source = source(t, vif: vif)
        // VRRP's checksum covers the source: without an address of that family, nothing to send.
        guard let payload = t.advertisement.encoded(source: source.flatMap(IPAddress.init(bytes:)), destination: t.destination) else {
            return SystemError(operation: "send \(t.family): no \(t.family) address on \(vif.key.carpdev)", errno: EADDRNOTAVAIL)
        }
        // Unicast leaves the carpdev with its own MAC (FreeBSD too); multicast the macvlan.
        let ifindex = t.isMulticast ? vif.ifindex : vif.parentIndex
        do {
            try packets.send(datagram: payload, family: t.family, to: t.destination.bytes, ifindex: ifindex, source: source)
            return nil
        } catch {
            return error
        }
    }

    private func sendFinished(_ key: VirtualHostKey, family: AddressFamily, unicast: Bool, error: SystemError?) {
        var failure: String?, noBuffer = false
        // OpenBSD does not count an unreachable unicast peer as a send error.
        if let error, !(unicast && error.errno == EHOSTDOWN) {
            failure = String(cString: strerror(error.errno))
            noBuffer = error.errno == ENOBUFS || error.errno == ENOMEM
            emit(.warning, "carp: \(key): send \(family): \(error)")
        }
        submit(engine.sendResult(key, family: family, failure: failure, noBuffer: noBuffer, now: clock()))
    }

    /// Gratuitous ARP and unsolicited NA from the carp interface's MAC: the kernel sends
    /// neither on address add.
    func announcements(_ prefixes: [IPPrefix], vif: VirtualInterface) -> [OutgoingFrame] {
        let mac = vif.mac.bytes
        let router = prefixes.contains { $0.family == .inet6 } && (try? files.readSysctl("net/ipv6/conf/all/forwarding")) == "1"
        return prefixes.compactMap { prefix in
            let frame: [UInt8]? = switch prefix.address {
            case .v4(let a): NeighborFrames.gratuitousARP(mac: mac, address: a.bytes)
            case .v6(let a): NeighborFrames.unsolicitedNA(mac: mac, address: a.bytes, router: router)
            }
            return frame.map { OutgoingFrame(frame: $0, ifindex: vif.ifindex) }
        }
    }

    // MARK: - Claims and releases: every vhid's route changes in one netlink batch

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
        commitIfTakingOver(jobs.compactMap { if case .claim = $0.action { $0.key } else { nil } })
        let errors = requests.isEmpty ? [] : route.perform(requests)
        for job in jobs { finish(job, errors: errors) }
    }

    /// MASTER: the link up, then exactly the claimed addresses on it. BACKUP/INIT (`down`):
    /// the link down, then its addresses off. Down first: deleting an IPv6 address from an up
    /// link sends an MLD report from the virtual MAC, and one that left after the new
    /// master's announcements pulled the switch's entry for the virtual MAC back to us
    /// (a 1 s outage when a preferred master returned). At exit the link stays up (all go
    /// together afterwards) and IPv6 is switched off on it instead (see `finish`).
    func routeSteps(_ action: CARPAction, vif: VirtualInterface) -> [(RouteRequest, RouteStep)] {
        let index = vif.ifindex
        switch action {
        case .claim(let wanted):
            // On the carpdev itself (lladdr = its MAC) only the addresses move, never its link.
            var steps: [(RouteRequest, RouteStep)] = vif.onCarpdev ? [] : [(.setUp(ifindex: index, true), .up(true))]
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
            if !vif.onCarpdev, vif.linkLocalCopy == nil, wanted.contains(where: { $0.family == .inet6 }), parent?.source6 == nil,
               let bytes = parent?.linkLocal6, let address = IPAddress(bytes: bytes) {
                let copy = IPPrefix(address: address, length: 64)
                steps.append((.addAddress(ifindex: index, copy, flags: AddressFlag.nodad), .add(copy, linkLocalCopy: true)))
            }
            return steps
        case .release(let mode):
            var steps: [(RouteRequest, RouteStep)] = []
            if mode == .down && !vif.onCarpdev { steps.append((.setUp(ifindex: index, false), .up(false))) }
            let held = vif.addresses + (vif.linkLocalCopy.map { [$0] } ?? [])
            for prefix in held where mode == .down || prefix.family == .inet || vif.onCarpdev {
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
        if job.action == .release(.exit) && !vif.onCarpdev {
            // IPv6 off on the link takes its IPv6 VIPs without a frame (deleting them would send MLD).
            do { try files.writeSysctl("net/ipv6/conf/\(vif.ifname)/disable_ipv6", "1") } catch {
                emit(.warning, "carp: \(vif.ifname): disable_ipv6: \(error)")
            }
            vif.addresses.removeAll { $0.family == .inet6 }
            vif.linkLocalCopy = nil
            vif.ipv6Off = true
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
