import CARPCore
import Glibc
import LinuxHost
import Netlink

/// The only code that turns engine outputs into system calls.
extension Daemon {
    func perform(_ outputs: [EngineOutput]) {
        for output in outputs {
            switch output {
            case .log(let level, let text):
                emit(level, text)
            case .vhost(let key, let action):
                guard var vif = interfaces[key], let host = engine.hosts[key] else { continue }
                // Frames wait only while more frames follow: anything else (a release taking
                // the macvlan down, say) must find them sent.
                if case .transmit = action {} else { flushFrames() }
                perform(action, on: &vif, config: host.machine.config)
                interfaces[key] = vif
            }
        }
        flushFrames()
    }

    /// Sends the queued advertisement frames in one batch and reports each result to the engine.
    func flushFrames() {
        guard !queuedFrames.isEmpty else { return }
        let queued = queuedFrames
        queuedFrames = []
        let results = frames.send(queued.map(\.frame))
        for (item, error) in zip(queued, results) {
            sendFinished(item.key, family: item.family, unicast: false, error: error)
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

    private func perform(_ action: CARPAction, on vif: inout VirtualInterface, config: VirtualHostConfig) {
        switch action {
        case .transmit(let bytes, let family):
            transmit(bytes, family: family, vif: vif, config: config)
        case .claim:
            claim(&vif, config: config)
        case .release:
            release(&vif)
        case .announce:
            announce(vif, config: config)
        case .stateChanged(let from, let to, let reason):
            emit(.info, "carp: \(vif.key): \(from) -> \(to) (\(reason.rawValue))")
            hooks.stateChanged(vif.key, to: to, now: MonotonicClock.now())
            publish(vif, from: from, to: to, reason: reason)
        }
    }

    // MARK: - Advertisements

    private func transmit(_ bytes: [UInt8], family: AddressFamily, vif: VirtualInterface, config: VirtualHostConfig) {
        let parent = parents[vif.key.carpdev]
        let socket: CARPSocket, destination: [UInt8], unicast: Bool, source: [UInt8]?
        switch family {
        case .inet:
            (socket, destination, unicast) = (inet, config.peer.bytes, !config.peer.isMulticast)
            source = parent?.source4
        case .inet6:
            (socket, destination, unicast) = (inet6, config.peer6.bytes, !config.peer6.isMulticast)
            source = parent?.source6 ?? vif.linkLocalCopy
        }
        // Multicast leaves through the macvlan, so its source MAC is the virtual MAC (as
        // FreeBSD's carp_output); unicast goes out the parent with its own MAC (FreeBSD too).
        let ifindex = unicast ? vif.parentIndex : vif.ifindex
        if !unicast, let source, let frame = advertisementFrame(bytes, family: family, vhid: vif.key.vhid,
                                                                source: source, destination: destination) {
            queuedFrames.append((vif.key, family, OutgoingFrame(frame: frame, ifindex: ifindex)))
            return
        }
        do {
            try socket.send(bytes, to: destination, ifindex: ifindex, source: source)
            sendFinished(vif.key, family: family, unicast: unicast, error: nil)
        } catch {
            sendFinished(vif.key, family: family, unicast: unicast, error: error)
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
        perform(engine.sendResult(key, family: family, failure: failure, noBuffer: noBuffer, now: MonotonicClock.now()))
    }

    /// The multicast advertisement as a whole frame from the virtual MAC. Without a source
    /// address the raw socket sends it instead and the kernel picks one (then a VIP).
    private func advertisementFrame(_ bytes: [UInt8], family: AddressFamily, vhid: UInt8,
                                    source: [UInt8], destination: [UInt8]) -> [UInt8]? {
        let mac = MACAddress.virtual(vhid: vhid).bytes, dscp = engine.settings.dscp
        switch family {
        case .inet: return AdvertisementFrame.inet(mac: mac, source: source, destination: destination, dscp: dscp, payload: bytes)
        case .inet6: return AdvertisementFrame.inet6(mac: mac, source: source, destination: destination, dscp: dscp, payload: bytes)
        }
    }

    // MARK: - Addresses

    /// MASTER: macvlan up, then exactly the configured addresses on it.
    private func claim(_ vif: inout VirtualInterface, config: VirtualHostConfig) {
        attempt("\(vif.ifname) up") { () throws(NetlinkError) in try route.setLink(index: vif.ifindex, up: true) }
        let current = ((try? route.addresses(ifindex: vif.ifindex)) ?? []).map(\.prefix)
        let wanted = config.addresses
        for prefix in wanted where !current.contains(prefix) {
            // No prefix route when the carpdev already routes the subnet (a second one via the
            // macvlan would compete with it); one when it does not, or replies could not leave.
            // NODAD: the peer may still hold the address for a moment, and DAD failure is permanent.
            let ownRoute = !(parents[vif.key.carpdev]?.routes(prefix) ?? false)
            var flags = prefix.family == .inet6 ? AddressFlag.nodad : 0
            if !ownRoute && prefix.length < (prefix.family == .inet ? 32 : 128) { flags |= AddressFlag.noPrefixRoute }
            attempt("add \(prefix) on \(vif.ifname)") { () throws(NetlinkError) in
                try route.addAddress(ifindex: vif.ifindex, prefix: prefix, flags: flags)
            }
        }
        for prefix in current where prefix.address.bytes != vif.linkLocalCopy && !wanted.contains(prefix) {
            try? route.deleteAddress(ifindex: vif.ifindex, prefix: prefix)
        }
        let parent = parents[vif.key.carpdev]
        if config.families.contains(.inet6), parent?.source6 == nil, let ll = parent?.linkLocal6 {
            if let address = IPAddress(bytes: ll) {
                try? route.addAddress(ifindex: vif.ifindex, prefix: IPPrefix(address: address, length: 64), flags: AddressFlag.nodad)
            }
            vif.linkLocalCopy = ll
        }
    }

    /// BACKUP/INIT: the macvlan down, then the addresses off. Down first: deleting an IPv6
    /// address from an up link sends an MLD report from the virtual MAC, and one that left
    /// after the new master's announcements pulled the switch's entry for the virtual MAC
    /// back to us until its next advertisement (a 1 s outage when a preferred master
    /// returned). IPv6 addresses leave with the link; the IPv4 ones are deleted after.
    private func release(_ vif: inout VirtualInterface) {
        vif.linkLocalCopy = nil
        attempt("\(vif.ifname) down") { () throws(NetlinkError) in try route.setLink(index: vif.ifindex, up: false) }
        for address in (try? route.addresses(ifindex: vif.ifindex)) ?? [] {
            try? route.deleteAddress(ifindex: vif.ifindex, prefix: address.prefix)
        }
    }

    /// Takes the VIPs off a macvlan that stays up until it is deleted (at exit), without a
    /// frame from the virtual MAC: IPv4 ones by deletion, IPv6 ones by switching IPv6 off on
    /// the link (deleting those would send MLD reports).
    func removeAddressesSilently(_ vif: VirtualInterface) {
        for address in (try? route.addresses(ifindex: vif.ifindex)) ?? [] where address.prefix.family == .inet {
            try? route.deleteAddress(ifindex: vif.ifindex, prefix: address.prefix)
        }
        try? ProcSysctl.write("net/ipv6/conf/\(vif.ifname)/disable_ipv6", "1")
    }

    /// Gratuitous ARP and unsolicited NA from the virtual MAC: the kernel sends neither on address add.
    private func announce(_ vif: VirtualInterface, config: VirtualHostConfig) {
        let mac = MACAddress.virtual(vhid: vif.key.vhid).bytes
        let router = (try? ProcSysctl.read("net/ipv6/conf/all/forwarding")) == "1"
        for prefix in config.addresses {
            let frame: [UInt8]?
            switch prefix.address {
            case .v4(let a): frame = NeighborFrames.gratuitousARP(mac: mac, address: a.bytes)
            case .v6(let a): frame = NeighborFrames.unsolicitedNA(mac: mac, address: a.bytes, router: router)
            }
            guard let frame else { continue }  // only for malformed addresses, which IPAddress cannot hold
            do {
                try frames.send(frame, ifindex: vif.ifindex, label: "announcement of \(prefix.address)")
            } catch {
                emit(.warning, "carp: \(vif.key): announce \(prefix.address): \(error)")
            }
        }
    }

    private func attempt(_ what: String, _ body: () throws(NetlinkError) -> Void) {
        do { try body() } catch { emit(.warning, "carp: \(what): \(error.reason)") }
    }
}
