/// A multicast advertisement as a complete Ethernet frame, as both BSDs put it on the wire
/// (doc/protocol.md §1.1, vector 1 of §5): Ethernet source = the virtual MAC, TTL / hop limit
/// 255, IPv4 with DF and id 0, TOS / traffic class = DSCP << 2.
///
/// carpd hands these to a packet socket instead of a raw IP socket: with 255 up macvlans the
/// kernel's IPv6 route lookup walks one ff00::/8 route per macvlan for every advertisement,
/// and that lookup cost more than everything else carpd does.
public enum AdvertisementFrame {
    public static let etherTypeIPv4: UInt16 = 0x0800
    public static let etherTypeIPv6: UInt16 = 0x86DD
    static let ipv4HeaderLength = 20
    static let ipv6HeaderLength = 40

    /// The Ethernet group address of an IPv4 (01:00:5e + low 23 bits, RFC 1112) or IPv6
    /// (33:33 + low 32 bits, RFC 2464) multicast address; nil for any other address.
    public static func multicastMAC(_ destination: [UInt8]) -> [UInt8]? {
        switch destination.count {
        case 4 where destination[0] & 0xF0 == 0xE0:
            return [0x01, 0x00, 0x5E, destination[1] & 0x7F, destination[2], destination[3]]
        case 16 where destination[0] == 0xFF:
            return [0x33, 0x33] + destination[12..<16]
        default:
            return nil
        }
    }

    /// Ethernet + IPv4 + `payload`; nil unless `mac` has 6 bytes, `source` 4, and `destination`
    /// is an IPv4 multicast address.
    public static func inet(mac: [UInt8], source: [UInt8], destination: [UInt8], dscp: Int, payload: [UInt8]) -> [UInt8]? {
        guard mac.count == 6, source.count == 4, let group = multicastMAC(destination), group.count == 6,
              destination.count == 4 else { return nil }
        let total = ipv4HeaderLength + payload.count
        var header: [UInt8] = [
            0x45, UInt8(truncatingIfNeeded: dscp << 2),       // version 4, 20-byte header; TOS
            UInt8(truncatingIfNeeded: total >> 8), UInt8(truncatingIfNeeded: total),
            0, 0, 0x40, 0,                                    // id 0 (DF set: never fragmented), DF
            255, 112, 0, 0,                                   // TTL 255, CARP, checksum below
        ]
        header += source + destination
        let checksum = InternetChecksum.compute(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xFF)
        return ethernet(destination: group, source: mac, etherType: etherTypeIPv4) + header + payload
    }

    /// Ethernet + IPv6 + `payload`; nil unless `mac` has 6 bytes, `source` 16, and
    /// `destination` is an IPv6 multicast address.
    public static func inet6(mac: [UInt8], source: [UInt8], destination: [UInt8], dscp: Int, payload: [UInt8]) -> [UInt8]? {
        guard mac.count == 6, source.count == 16, let group = multicastMAC(destination), group.count == 6,
              destination.count == 16 else { return nil }
        let trafficClass = UInt8(truncatingIfNeeded: dscp << 2)
        var header: [UInt8] = [
            0x60 | trafficClass >> 4, trafficClass << 4, 0, 0,  // version 6, traffic class, flow label 0
            UInt8(truncatingIfNeeded: payload.count >> 8), UInt8(truncatingIfNeeded: payload.count),
            112, 255,                                           // next header CARP, hop limit 255
        ]
        header += source + destination
        return ethernet(destination: group, source: mac, etherType: etherTypeIPv6) + header + payload
    }

    /// An Ethernet II header (also for `NeighborFrames`).
    static func ethernet(destination: [UInt8], source: [UInt8], etherType: UInt16) -> [UInt8] {
        destination + source + [UInt8(etherType >> 8), UInt8(etherType & 0xFF)]
    }
}
