/// The two announcement frames a new master sends from the virtual MAC: the kernel sends
/// neither when an address is added (arp_notify fires only on link up, ndisc_notify only
/// after DAD, which VIPs skip), so carpd does, as FreeBSD's carp_master_down does.
public enum NeighborFrames {
    static let broadcastMAC: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
    /// ff02::1 (all nodes) and its Ethernet mapping 33:33:00:00:00:01.
    static let allNodes: [UInt8] = [0xFF, 0x02] + [UInt8](repeating: 0, count: 13) + [0x01]
    static let allNodesMAC: [UInt8] = [0x33, 0x33, 0x00, 0x00, 0x00, 0x01]
    static let etherTypeARP: UInt16 = 0x0806
    /// Ethernet frames shorter than 60 bytes (without FCS) must be padded.
    static let minimumFrameLength = 60

    /// Gratuitous ARP request: eth dst ff:ff:ff:ff:ff:ff, eth src = mac, SHA = mac, SPA = TPA = address,
    /// THA = ff..ff, padded to 60 bytes. Nil unless `mac` has 6 bytes and `address` 4.
    public static func gratuitousARP(mac: [UInt8], address: [UInt8]) -> [UInt8]? {
        guard mac.count == 6, address.count == 4 else { return nil }
        var frame = AdvertisementFrame.ethernet(destination: broadcastMAC, source: mac, etherType: etherTypeARP)
        frame += [0x00, 0x01]            // hardware type: Ethernet
        frame += [0x08, 0x00]            // protocol type: IPv4
        frame += [6, 4]                  // hardware and protocol address lengths
        frame += [0x00, 0x01]            // operation: request (what FreeBSD and keepalived send)
        frame += mac + address           // sender hardware / protocol address
        frame += broadcastMAC + address  // target hardware / protocol address
        frame += [UInt8](repeating: 0, count: max(0, minimumFrameLength - frame.count))
        return frame
    }

    /// Unsolicited neighbor advertisement (RFC 4861 §7.2.6) for `address` to ff02::1, hop limit 255,
    /// Override flag (plus Router when `router`), with the target link-layer address option = `mac`.
    /// Nil unless `mac` has 6 bytes and `address` 16.
    public static func unsolicitedNA(mac: [UInt8], address: [UInt8], router: Bool) -> [UInt8]? {
        guard mac.count == 6, address.count == 16 else { return nil }
        var message: [UInt8] = [136, 0, 0, 0]       // type NA, code 0, checksum filled below
        message += [(router ? 0x80 : 0) | 0x20, 0, 0, 0]  // R, S = 0 (unsolicited), O
        message += address                          // target address
        message += [2, 1] + mac                     // option: target link-layer address, 8 bytes
        let checksum = icmpv6Checksum(source: address, destination: allNodes, message: message)
        message[2] = UInt8(checksum >> 8)
        message[3] = UInt8(checksum & 0xFF)

        var frame = AdvertisementFrame.ethernet(destination: allNodesMAC, source: mac, etherType: AdvertisementFrame.etherTypeIPv6)
        frame += [0x60, 0, 0, 0]                    // version 6, traffic class 0, flow label 0
        frame += [UInt8(message.count >> 8), UInt8(message.count & 0xFF)]
        frame += [58, 255]                          // next header ICMPv6, hop limit 255 (RFC 4861 requires it)
        frame += address + allNodes
        return frame + message
    }

    /// ICMPv6 checksum (RFC 4443 §2.3): one's complement sum over the IPv6 pseudo-header
    /// (source, destination, upper-layer length, next header 58) and the message with checksum 0.
    static func icmpv6Checksum(source: [UInt8], destination: [UInt8], message: [UInt8]) -> UInt16 {
        let length = UInt32(message.count)
        var pseudoHeader = source + destination
        pseudoHeader += [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF),
                         UInt8(length & 0xFF)]
        pseudoHeader += [0, 0, 0, 58]
        return InternetChecksum.compute(pseudoHeader + message)
    }
}
