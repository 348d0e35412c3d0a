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
            sendFrames(effects.takeLeading(routes: false))
            changeRoutes(effects.takeLeading(routes: true))
        }
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

    private func sendFrames(_ items: [(key: VirtualHostKey, actions: [CARPAction])]) {
        var frames: [OutgoingFrame] = []
        /// Per frame: the advertisement it carries (reported to the engine), or nil for an announcement.
        var carried: [(key: VirtualHostKey, family: AddressFamily)?] = []
        var direct: [(key: VirtualHostKey, family: AddressFamily, unicast: Bool, error: SystemError?)] = []
        for (key, actions) in items {
            guard let vif = macvlans[key] else {
                log.debug("carp: \(key): actions for a removed vhid dropped")
                continue
            }
            for action in actions {
                switch action {
                case .transmit(let transmission):
                    if let frame = advertisementFrame(transmission, vif: vif) {
                        frames.append(frame)
                        carried.append((key, transmission.family))
                    } else {
                        direct.append((key, transmission.family, !transmission.isMulticast, sendDatagram(transmission, vif: vif)))
                    }
                case .announce(let prefixes):
                    for frame in announcements(prefixes, vif: vif) {
                        frames.append(frame)
                        carried.append(nil)
                    }
                case .stateChanged(let from, let to, let reason):
                    emit(.info, "carp: \(key): \(from) -> \(to) (\(reason.rawValue))")
                    // A new MASTER is announced once its addresses are there (.masterReady).
                    if to != .master { notifyState(vif, from: from, to: to, reason: reason) }
                case .masterReady(let from, let reason):
                    notifyState(vif, from: from, to: .master, reason: reason)
                case .claim, .release:
                    break  // route changes: never taken in this phase
                }
            }
        }
        let errors = frames.isEmpty ? [] : packets.send(frames: frames)
        for (index, error) in errors.enumerated() {
            if let (key, family) = carried[index] {
                sendFinished(key, family: family, unicast: false, error: error)
            } else if let error {
                emit(.warning, "carp: announce: \(error)")
            }
        }
        for item in direct { sendFinished(item.key, family: item.family, unicast: item.unicast, error: item.error) }
    }

    /// Hooks and the event stream hear of a state once it holds (for MASTER: its addresses are on).
    private func notifyState(_ vif: VirtualInterface, from: CARPState, to: CARPState, reason: TransitionReason) {
        hooks.stateChanged(vif.key, to: to, now: clock())
        publish(vif, from: from, to: to, reason: reason)
    }

    /// A multicast advertisement as a whole frame from the virtual MAC (as FreeBSD's
    /// carp_output), out the macvlan. Nil for a unicast peer or without a source address:
    /// the raw socket sends those, out the carpdev.
    private func advertisementFrame(_ t: Transmission, vif: VirtualInterface) -> OutgoingFrame? {
        guard t.isMulticast, let source = source(t.family, vif: vif), let address = IPAddress(bytes: source) else { return nil }
        let payload = t.advertisement.encoded(source: address, destination: t.destination)
        let mac = MACAddress.virtual(vhid: vif.key.vhid).bytes, dscp = engine.settings.dscp
        let frame: [UInt8]? = switch t.family {
        case .inet: AdvertisementFrame.inet(mac: mac, source: source, destination: t.destination.bytes, dscp: dscp, payload: payload)
        case .inet6: AdvertisementFrame.inet6(mac: mac, source: source, destination: t.destination.bytes, dscp: dscp, payload: payload)
        }
        return frame.map { OutgoingFrame(frame: $0, ifindex: vif.ifindex) }
    }

    /// First IPv4 address of the carpdev (OpenBSD's choice); its first global IPv6 address,
    /// else the link-local copy on the macvlan.
    private func source(_ family: AddressFamily, vif: VirtualInterface) -> [UInt8]? {
        let parent = parents[vif.key.carpdev]
        return family == .inet ? parent?.source4 : parent?.source6 ?? vif.linkLocalCopy?.address.bytes
    }

    private func sendDatagram(_ t: Transmission, vif: VirtualInterface) -> SystemError? {
        let source = source(t.family, vif: vif)
        let payload = t.advertisement.encoded(source: source.flatMap(IPAddress.init(bytes:)), destination: t.destination)
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

    /// Gratuitous ARP and unsolicited NA from the virtual MAC: the kernel sends neither on address add.
    private func announcements(_ prefixes: [IPPrefix], vif: VirtualInterface) -> [OutgoingFrame] {
        let mac = MACAddress.virtual(vhid: vif.key.vhid).bytes
        let router = prefixes.contains { $0.family == .inet6 } && (try? files.readSysctl("net/ipv6/conf/all/forwarding")) == "1"
        return prefixes.compactMap { prefix in
            let frame: [UInt8]? = switch prefix.address {
            case .v4(let a): NeighborFrames.gratuitousARP(mac: mac, address: a.bytes)
            case .v6(let a): NeighborFrames.unsolicitedNA(mac: mac, address: a.bytes, router: router)
            }
            return frame.map { OutgoingFrame(frame: $0, ifindex: vif.ifindex) }
        }
    }
}
