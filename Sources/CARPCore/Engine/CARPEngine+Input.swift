/// One CARP datagram as the socket layer saw it.
public struct ReceivedPacket: Sendable {
    public var family: AddressFamily
    /// The bytes after the IP header(s).
    public var payload: [UInt8]
    /// IPv4 TTL or IPv6 hop limit.
    public var ttl: Int
    public var source: IPAddress?
    /// The parent interface it arrived on, nil when that is no carpdev of ours.
    public var carpdev: String?
    /// The IPv4 header itself was cut short.
    public var headerTruncated: Bool
    /// Where it was sent (a group or a unicast address): VRRP's checksum covers it.
    public var destination: IPAddress?
    /// The carpdev's own primary address of this family, for VRRP's tie-break.
    public var local: IPAddress?

    public init(family: AddressFamily, payload: [UInt8], ttl: Int, source: IPAddress?, carpdev: String?, headerTruncated: Bool = false,
                destination: IPAddress? = nil, local: IPAddress? = nil) {
        self.family = family
        self.payload = payload
        self.ttl = ttl
        self.source = source
        self.carpdev = carpdev
        self.headerTruncated = headerTruncated
        self.destination = destination
        self.local = local
    }
}

extension CARPEngine {
    /// Two copies of one frame within this window are one packet (a frame heard on two
    /// interfaces that joined the group, such as two carpdevs on one segment).
    static let duplicateWindow: UInt64 = 2_000_000

    /// Validates in the order of doc/protocol.md §3, counts, and runs the state machine.
    public mutating func receive(_ packet: ReceivedPacket, now: UInt64) -> [EngineOutput] {
        if isDuplicate(packet, now: now) { return [] }
        statistics.increment(packet.family == .inet ? .ipackets : .ipackets6)
        guard settings.allow != 0 else { return [] }
        switch validate(packet) {
        case .failure(let rejection):
            statistics.increment(rejection.counter)
            let level: LogLevel = rejection == .loopDetected ? .warning : .debug
            return [.log(level, "carp: \(rejection) on \(packet.carpdev ?? "?")")]
        case .success(let (key, index, header)):
            hosts.values[index].received &+= 1
            let actions = hosts.values[index].machine.receive(header, family: packet.family, context: context(for: key), now: now)
            return tagged(key, at: index, actions)
        }
    }

    /// The ordered checks; each failure is exactly one carpstats counter. Mutating only for
    /// the machine's memory of the last authentic digest. The vhid is looked up once and
    /// then reached by index, in place: 510 packets a second at 255 vhids made hashing
    /// the key and copying the machine a visible share of a backup's CPU.
    mutating func validate(_ packet: ReceivedPacket) -> Result<(VirtualHostKey, Dictionary<VirtualHostKey, VirtualHost>.Index, HeardAdvertisement), InputRejection> {
        if packet.headerTruncated { return .failure(.headerTruncated) }
        guard let carpdev = packet.carpdev else { return .failure(.notCarpInterface) }
        let decoded: DecodedAdvertisement, heard: HeardAdvertisement
        switch AdvertisementDecoder.decode(packet.payload, source: packet.source, destination: packet.destination) {
        case .failure(let rejection): return .failure(rejection)
        case .success(let d): decoded = d
        }
        switch decoded {
        case .carp(let carp): heard = .carp(carp)
        case .vrrp(let message):
            // The decoder checked the checksum with this source: it is there.
            guard let source = packet.source else { return .failure(.badChecksum) }
            heard = .vrrp(VRRPHeard(advertisement: message, source: source, local: packet.local))
        }
        let key = VirtualHostKey(carpdev: carpdev, vhid: decoded.vhid)
        guard let index = hosts.index(forKey: key) else { return .failure(.unknownVHID(decoded.vhid)) }
        if hosts.values[index].machine.config.isMulticast(packet.family), packet.ttl != 255 {
            return .failure(.badTTL(packet.ttl))
        }
        if let rejection = hosts.values[index].machine.admit(heard) { return .failure(rejection) }
        if case .vrrp(let message) = heard, !hosts.values[index].machine.config.carries(message.advertisement.addresses, family: packet.family) {
            // FreeBSD does not check the list, keepalived drops it, the RFC allows either:
            // counted (and logged), yet the election goes on, so a typo costs no failover.
            statistics.increment(.badaddrs)
        }
        return .success((key, index, heard))
    }

    private mutating func isDuplicate(_ packet: ReceivedPacket, now: UInt64) -> Bool {
        let bytes = packet.payload.prefix(CARPHeader.length)
        if let last = lastAccepted[packet.family], last.bytes == bytes, last.source == packet.source,
           now &- last.at < Self.duplicateWindow {
            return true
        }
        lastAccepted[packet.family] = (bytes, packet.source, now)
        return false
    }
}
