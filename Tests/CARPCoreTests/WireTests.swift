import Testing
@testable import CARPCore

func hex(_ s: String) -> [UInt8] {
    let clean = s.filter { !$0.isWhitespace }
    return stride(from: 0, to: clean.count, by: 2).map {
        let i = clean.index(clean.startIndex, offsetBy: $0)
        return UInt8(clean[i..<clean.index(i, offsetBy: 2)], radix: 16)!
    }
}

func toHex(_ b: [UInt8]) -> String { b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }

/// doc/protocol.md §5.
struct VectorTests {
    @Test func vector1() {
        let auth = CARPAuthenticator(key: CARPKey(passphrase: "secret"), vhid: 1, addresses: [IPAddress("192.168.1.10")!])
        var header = CARPHeader(vhid: 1, advbase: 1, advskew: 0, counter: 0x0123456789abcdef)
        header.digest = auth.digest(counter: header.counterBytes)
        #expect(toHex(header.digest) == "302512fb82c45c1cc0abf1f8f00f3590ed3866f0")
        #expect(toHex(header.sealed()) == "210100070001f2610123456789abcdef302512fb82c45c1cc0abf1f8f00f3590ed3866f0")
    }

    @Test func vector2TruncatesKeyAndSortsAndDeduplicates() {
        let key = CARPKey(passphrase: "mekmitasdigoat-and-more")
        #expect(toHex(key.bytes) == "6d656b6d697461736469676f61742d616e642d00")
        let addrs = ["10.0.0.30", "10.0.0.4", "10.0.0.200", "10.0.0.4"].map { IPAddress($0)! }
        let auth = CARPAuthenticator(key: key, vhid: 42, addresses: addrs)
        var header = CARPHeader(vhid: 42, advbase: 1, advskew: 100, demote: 3, counter: 0x0000000100000002)
        header.digest = auth.digest(counter: header.counterBytes)
        #expect(toHex(header.digest) == "77af5b723fccb9ed5dbab0b8c2518a1e4d68828c")
        #expect(toHex(header.sealed()) == "212a640703018016000000010000000277af5b723fccb9ed5dbab0b8c2518a1e4d68828c")
    }

    @Test func vector3WithAndWithoutLinkLocal() {
        let addrs = ["172.16.0.1", "2001:db8::1", "2001:db8::a", "fe80::200:5eff:fe00:1ff"].map { IPAddress($0)! }
        let auth = CARPAuthenticator(key: .none, vhid: 255, addresses: addrs)
        let counter = hex("8badf00ddeadbeef")
        #expect(toHex(auth.digestWithLinkLocal(counter: counter)) == "2e9381d61bf870a22244a55d6d46d69431fa5173")
        #expect(toHex(auth.digest(counter: counter)) == "4d5aaca93c285d8675d66ac855293318a407cf71")
        var header = CARPHeader(vhid: 255, advbase: 3, advskew: 240, counter: 0x8badf00ddeadbeef)
        header.digest = auth.digest(counter: counter)
        #expect(toHex(header.sealed()) == "21fff007000364908badf00ddeadbeef4d5aaca93c285d8675d66ac855293318a407cf71")
        header.digest = auth.digestWithLinkLocal(counter: counter)
        #expect(toHex(header.sealed()) == "21fff007000308ae8badf00ddeadbeef2e9381d61bf870a22244a55d6d46d69431fa5173")
    }

    @Test func verifyAcceptsBothOpenBSDContextsAndRejectsOthers() {
        let addrs = ["172.16.0.1", "2001:db8::1", "fe80::1"].map { IPAddress($0)! }
        let auth = CARPAuthenticator(key: CARPKey(passphrase: "k"), vhid: 9, addresses: addrs)
        var header = CARPHeader(vhid: 9, advbase: 1, advskew: 0, counter: 7)
        header.digest = auth.digest(counter: header.counterBytes)
        #expect(auth.verify(header))
        header.digest = auth.digestWithLinkLocal(counter: header.counterBytes)
        #expect(auth.verify(header))
        header.counter = 8
        #expect(!auth.verify(header))
        let other = CARPAuthenticator(key: CARPKey(passphrase: "other"), vhid: 9, addresses: addrs)
        header.digest = other.digest(counter: header.counterBytes)
        #expect(!auth.verify(header))
    }

    @Test func fullDatagramChecksumOfVector1() {
        // The IPv4 header of §14 sums to zero with its checksum 0xd8b8.
        #expect(InternetChecksum.verify(hex("45e00038 00004000 ff70d8b8 c0a80102 e0000012")))
    }

    @Test func headerRoundTripAndTrailingBytes() {
        let bytes = hex("212a640703018016000000010000000277af5b723fccb9ed5dbab0b8c2518a1e4d68828c") + [1, 2, 3]
        let header = CARPHeader(bytes: bytes)!
        #expect(header.version == 2 && header.type == 1 && header.vhid == 42 && header.advskew == 100)
        #expect(header.demote == 3 && header.advbase == 1 && header.checksum == 0x8016)
        #expect(header.counter == 0x0000000100000002)
        #expect(header.bytes == Array(bytes.prefix(36)))
        #expect(CARPHeader(bytes: bytes.prefix(35)) == nil)
    }

    @Test(arguments: ["", "a", "nineteen-bytes-long", "twenty-bytes-long-xx", "a much longer passphrase than that"])
    func keyIsAtMost19BytesZeroPadded(_ pass: String) {
        let key = CARPKey(passphrase: pass)
        #expect(key.bytes.count == 20)
        #expect(key.bytes[19] == 0)
        #expect(Array(key.bytes.prefix(min(pass.utf8.count, 19))) == Array(pass.utf8.prefix(19)))
        #expect(key.bytes.dropFirst(min(pass.utf8.count, 19)).allSatisfy { $0 == 0 })
    }
}

struct AddressTests {
    @Test(arguments: [("192.0.2.1", true), ("0.0.0.0", true), ("255.255.255.255", true), ("256.0.0.1", false),
                      ("1.2.3", false), ("1.2.3.4.5", false), ("01.2.3.4", false), ("1..3.4", false), (" 1.2.3.4", false)])
    func ipv4Parsing(_ text: String, _ valid: Bool) {
        #expect((IPv4Address(text) != nil) == valid)
        if valid { #expect(IPv4Address(text)!.description == text) }
    }

    @Test(arguments: [("2001:db8::1", "2001:db8::1"), ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), ("::", "::"),
                      ("::1", "::1"), ("fe80::200:5eff:fe00:1ff", "fe80::200:5eff:fe00:1ff"),
                      ("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
                      ("::ffff:192.0.2.1", "::ffff:c000:201"), ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6")])
    func ipv6ParsingAndRFC5952(_ text: String, _ printed: String) {
        #expect(IPv6Address(text)?.description == printed)
    }

    @Test(arguments: ["", ":", ":::", "1::2::3", "12345::", "2001:db8::g", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1::", "1::2:"])
    func ipv6Rejects(_ text: String) {
        #expect(IPv6Address(text) == nil)
    }

    @Test(arguments: ["0.0.0.0", "192.0.2.1", "255.255.255.255", "10.0.0.10"])
    func ipv4RoundTrips(_ text: String) {
        #expect(IPv4Address(text)?.description == text)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "256.1.1.1", "01.2.3.4", "1.2.3.00",
                      "1.2.3.4 ", " 1.2.3.4", "1.2.3.a", "1.2.3.-1", "1.2.3.1000", "１.2.3.4"])
    func ipv4Rejects(_ text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test func prefixes() {
        #expect(IPPrefix("192.0.2.10/24")?.length == 24)
        #expect(IPPrefix("192.0.2.10")?.length == 32)
        #expect(IPPrefix("2001:db8::10")?.length == 128)
        #expect(IPPrefix("192.0.2.10/33") == nil)
        #expect(IPPrefix("192.0.2.10/") == nil)
        #expect(IPPrefix("2001:db8::/129") == nil)
        #expect(IPPrefix("192.0.2.10/2a") == nil && IPPrefix("192.0.2.10/0024") == nil && IPPrefix("/24") == nil)
        #expect(IPPrefix("192.0.2.10/24/1") == nil && IPPrefix("::ffff:192.0.2.1/96")?.length == 96)
        #expect(IPPrefix("2001:db8::/64")?.description == "2001:db8::/64")
        #expect(IPv6Address("fe80::1")!.isScopeEmbedded && IPv6Address("ff02::1")!.isScopeEmbedded)
        #expect(!IPv6Address("2001:db8::1")!.isScopeEmbedded)
        #expect(MACAddress.virtual(vhid: 255).description == "00:00:5e:00:01:ff")
        #expect(IPPrefix("192.0.2.1/24")!.contains(IPAddress("192.0.2.200")!))
        #expect(!IPPrefix("192.0.2.1/25")!.contains(IPAddress("192.0.2.200")!))
        #expect(IPPrefix("2001:db8::1/64")!.contains(IPAddress("2001:db8::ffff")!))
        #expect(!IPPrefix("2001:db8::1/64")!.contains(IPAddress("2001:db8:0:1::1")!))
        #expect(!IPPrefix("192.0.2.1/24")!.contains(IPAddress("2001:db8::1")!))
        #expect(IPPrefix("0.0.0.0/0")!.contains(IPAddress("198.51.100.1")!))
    }
}

/// Whole frames for the packet socket: doc/protocol.md §1.1 and vector 1 of §5.
struct AdvertisementFrameTests {
    let payload = hex("210100070001f2610123456789abcdef302512fb82c45c1cc0abf1f8f00f3590ed3866f0")
    let mac: [UInt8] = [0x00, 0x00, 0x5e, 0x00, 0x01, 0x01]

    @Test func vector1AsAnIPv4Frame() {
        let frame = AdvertisementFrame.inet(mac: mac, source: [192, 168, 1, 2], destination: [224, 0, 0, 18],
                                            dscp: 56, payload: payload)!
        #expect(toHex(Array(frame[0..<14])) == "01005e000012" + "00005e000101" + "0800")
        #expect(toHex(Array(frame[14..<34])) == "45e0003800004000ff70d8b8c0a80102e0000012")
        #expect(Array(frame[34...]) == payload)
    }

    @Test func ipv6FrameCarriesTrafficClassAndHopLimit() {
        let source = hex("fe800000000000000000000000000001"), group = hex("ff020000000000000000000000000012")
        let frame = AdvertisementFrame.inet6(mac: mac, source: source, destination: group, dscp: 56, payload: payload)!
        #expect(toHex(Array(frame[0..<14])) == "333300000012" + "00005e000101" + "86dd")
        // version 6, traffic class 0xe0, flow 0, payload length 36, next header 112, hop limit 255
        #expect(toHex(Array(frame[14..<22])) == "6e0000000024" + "70ff")
        #expect(Array(frame[22..<38]) == source && Array(frame[38..<54]) == group)
        #expect(Array(frame[54...]) == payload)
        let openBSD = AdvertisementFrame.inet6(mac: mac, source: source, destination: group, dscp: 0, payload: payload)!
        #expect(toHex(Array(openBSD[14..<16])) == "6000")
    }

    @Test func onlyMulticastDestinationsAndWellFormedAddresses() {
        #expect(AdvertisementFrame.multicastMAC([239, 255, 1, 2]) == [0x01, 0x00, 0x5e, 0x7f, 0x01, 0x02])
        #expect(AdvertisementFrame.multicastMAC([192, 0, 2, 1]) == nil)
        #expect(AdvertisementFrame.multicastMAC(hex("20010db8000000000000000000000001")) == nil)
        #expect(AdvertisementFrame.inet(mac: mac, source: [192, 0, 2, 1], destination: [192, 0, 2, 2], dscp: 0, payload: payload) == nil)
        #expect(AdvertisementFrame.inet(mac: [0, 1], source: [192, 0, 2, 1], destination: [224, 0, 0, 18], dscp: 0, payload: payload) == nil)
        #expect(AdvertisementFrame.inet6(mac: mac, source: [192, 0, 2, 1], destination: hex("ff020000000000000000000000000012"),
                                         dscp: 0, payload: payload) == nil)
    }
}

/// The announcements of a new master (gratuitous ARP, unsolicited NA) from the virtual MAC.
struct NeighborFrameTests {
    let mac: [UInt8] = [0x00, 0x00, 0x5e, 0x00, 0x01, 0x07]

    @Test func gratuitousARPIsARequestForTheVIPFromTheVirtualMAC() {
        let frame = NeighborFrames.gratuitousARP(mac: mac, address: [192, 0, 2, 57])!
        #expect(frame.count == 60)
        #expect(toHex(Array(frame[0..<14])) == "ffffffffffff" + "00005e000107" + "0806")
        #expect(toHex(Array(frame[14..<22])) == "0001" + "0800" + "0604" + "0001")
        #expect(Array(frame[22..<28]) == mac && Array(frame[28..<32]) == [192, 0, 2, 57])
        #expect(toHex(Array(frame[32..<38])) == "ffffffffffff" && Array(frame[38..<42]) == [192, 0, 2, 57])
        #expect(frame[42...].allSatisfy { $0 == 0 })
        #expect(NeighborFrames.gratuitousARP(mac: mac, address: [1, 2, 3]) == nil)
    }

    @Test func unsolicitedNAOverridesWithAValidChecksum() {
        let vip = hex("20010db8000000000000000000000057")
        for router in [false, true] {
            let frame = NeighborFrames.unsolicitedNA(mac: mac, address: vip, router: router)!
            #expect(toHex(Array(frame[0..<14])) == "333300000001" + "00005e000107" + "86dd")
            #expect(toHex(Array(frame[14..<22])) == "60000000" + "0020" + "3aff")  // 32 bytes ICMPv6, hop limit 255
            #expect(Array(frame[22..<38]) == vip && toHex(Array(frame[38..<54])) == "ff020000000000000000000000000001")
            let message = Array(frame[54...])
            #expect(message[0] == 136 && message[4] == (router ? 0xa0 : 0x20))
            #expect(Array(message[8..<24]) == vip && Array(message[24..<26]) == [2, 1] && Array(message[26..<32]) == mac)
            // The sum over pseudo-header and message, checksum included, is zero.
            #expect(NeighborFrames.icmpv6Checksum(source: vip, destination: Array(frame[38..<54]), message: message) == 0)
        }
        #expect(NeighborFrames.unsolicitedNA(mac: [0], address: vip, router: false) == nil)
    }
}
