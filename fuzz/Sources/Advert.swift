@testable import CARPCore
import CARPTypes
@testable import CARPDaemon
@testable import LinuxHost

/// Advertisements from the wire into a node with three CARP vhids and a VRRPv3 one (vrid 51,
/// 100 ms) on eth0: the IPv4 header as
/// the raw socket delivers it, validation, the state machine and the effects it asks for.
/// Records are `flags ttl length bytes...`; flags: bit 0 IPv6, bit 1 "seal" (the harness
/// signs the header with the vhid's key, as a legitimate peer would, so the fuzzer reaches
/// the state machine and not only the HMAC check; for a version 3 payload, a true VRRP
/// checksum), bit 2 "not a carpdev", bits 3-5 time
/// to let pass first (x 300 ms), bit 6 a link flap of eth0. At most 24 records per input.
func fuzzAdvertisement(_ input: [UInt8]) {
    // A bound on the work per input: grown inputs of ~100 packets made advert the slowest target.
    let maximumRecords = 24
    let t = TestNode(hook: false)
    t.addVhid(1, advskew: 100)
    t.addVhid(2, advskew: 0, addresses: ["192.0.2.20/24"])
    _ = t.send("set", [("carpdev", "eth0"), ("vhid", "3"), ("advbase", "0"), ("advskew", "64"), ("peer", "192.0.2.2"),
                       ("key", "s3cret"), ("addr", "2001:db8::30/64")])
    _ = t.send("set", [("carpdev", "eth0"), ("vhid", "51"), ("carpver", "3"), ("vrrpprio", "100"), ("vrrpinterval", "10"),
                       ("addr", "192.0.2.51/24"), ("addr", "2001:db8::51/64")])
    var rest = input[...], left = maximumRecords
    while rest.count >= 3, left > 0 {
        left -= 1
        let flags = rest[rest.startIndex], ttl = Int(rest[rest.startIndex + 1])
        let length = min(Int(rest[rest.startIndex + 2]), rest.count - 3)
        let bytes = Array(rest.dropFirst(3).prefix(length))
        rest = rest.dropFirst(3 + length)
        t.advance(UInt64((flags >> 3) & 7) * 300_000_000, turns: 32)
        if flags & 0x40 != 0 { flap(t) }
        t.node.receive(packet(bytes, flags: flags, ttl: ttl))
        t.node.carryOut()
    }
    t.advance(1_000_000_000, turns: 64)
}

private func packet(_ bytes: [UInt8], flags: UInt8, ttl: Int) -> ReceivedPacket {
    let family: AddressFamily = flags & 1 == 0 ? .inet : .inet6
    var payload = bytes, hopLimit = ttl, truncated = false, source: IPAddress? = .v6(IPv6Address("2001:db8::2")!)
    var destination: IPAddress = family == .inet ? .v4(.carpGroup) : .v6(.carpGroup)
    if family == .inet {
        let datagram = CARPSocket.decodeInet(bytes, peer: .init(), metadata: ReceiveMetadata())
        payload = datagram.payload
        hopLimit = datagram.ttl
        truncated = datagram.headerTruncated
        source = IPv4Address(bytes: datagram.source).map { .v4($0) }
        destination = IPAddress(bytes: datagram.destination) ?? destination
    }
    if flags & 2 != 0, payload.first.map({ $0 >> 4 }) == VRRPAdvertisement.version, payload.count >= VRRPAdvertisement.headerLength,
       let source {
        // VRRP has no key: "sealed" means a true checksum over the pseudo-header.
        payload[6] = 0
        payload[7] = 0
        let sum = InternetChecksum.compute(VRRPAdvertisement.pseudoHeader(source: source, destination: destination, length: payload.count) + payload)
        payload[6] = UInt8(sum >> 8)
        payload[7] = UInt8(sum & 0xff)
    } else if flags & 2 != 0, var header = CARPHeader(bytes: payload.prefix(CARPHeader.length)) {
        let addresses = ["192.0.2.10", "2001:db8::10", "192.0.2.20", "2001:db8::30"].compactMap(IPAddress.init)
        header.digest = CARPAuthenticator(key: CARPKey(passphrase: "s3cret"), vhid: header.vhid, addresses: addresses)
            .digest(counter: header.counterBytes)
        payload = header.sealed() + payload.dropFirst(CARPHeader.length)
    }
    return ReceivedPacket(family: family, payload: payload, ttl: hopLimit, source: source,
                          carpdev: flags & 4 == 0 ? "eth0" : nil, headerTruncated: truncated, destination: destination)
}

/// eth0 loses its carrier and gets it back, as a netlink event would report it.
private func flap(_ t: TestNode) {
    for up in [false, true] {
        t.routes.table[2]?.isRunning = up
        t.routes.table[2]?.hasCarrier = up
        t.node.linksChanged()
        t.node.carryOut()
    }
}
