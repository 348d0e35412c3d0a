import Testing
@testable import CARPCore

/// VRRPv3 advertisements against packets captured from keepalived and two built the way
/// FreeBSD builds them, which keepalived accepted (doc/vrrp.md, vectors V1-V4, S1, S2).
struct VRRPAdvertisementTests {
    static func hex(_ s: String) -> [UInt8] {
        var bytes: [UInt8] = [], chars = Array(s.filter { !$0.isWhitespace })
        while chars.count >= 2 { bytes.append(UInt8(String(chars[0...1]), radix: 16)!); chars.removeFirst(2) }
        return bytes
    }

    /// The IP packet split: source, destination, the VRRP message.
    static func split(_ packet: [UInt8]) -> (IPAddress, IPAddress, [UInt8]) {
        if packet[0] >> 4 == 4 {
            let header = Int(packet[0] & 0x0f) * 4
            return (IPAddress(bytes: Array(packet[12..<16]))!, IPAddress(bytes: Array(packet[16..<20]))!, Array(packet[header...]))
        }
        return (IPAddress(bytes: Array(packet[8..<24]))!, IPAddress(bytes: Array(packet[24..<40]))!, Array(packet[40...]))
    }

    static let vectors: [(String, String, UInt8, UInt8, UInt16, [String])] = [
        ("V1", "45c0002000010000ff70d0360a630001e000001231339601006442ad0a630064", 51, 150, 100, ["10.99.0.100"]),
        ("V2", "6c039b5b002870fffe80000000000000000000fffe000001ff020000000000000000000000000012"
             + "3134960200640d11fe80000000000000000000000000005220010db8009900000000000000000100", 52, 150, 100,
         ["fe80::52", "2001:db8:99::100"]),
        ("V3", "45c00020001e0000ff70d0190a630001e0000012313300010064d8ad0a630064", 51, 0, 100, ["10.99.0.100"]),
        ("V4", "45c0002000010000ff70d0360a630001e000001231339601000a43070a630064", 51, 150, 10, ["10.99.0.100"]),
        ("S1", "45e000209a3c4000ff70f5d80a630003e00000123133c801006410ab0a630064", 51, 200, 100, ["10.99.0.100"]),
        ("S2", "6e000000001870ff20010db8009900000000000000000003ff020000000000000000000000000012"
             + "3135c8010064a82020010db8009900000000000000000200", 53, 200, 100, ["2001:db8:99::200"]),
    ]

    @Test(arguments: vectors.map(\.0))
    func decodesAndReencodesByteForByte(_ id: String) throws {
        let v = try #require(Self.vectors.first { $0.0 == id })
        let (source, destination, message) = Self.split(Self.hex(v.1))
        let advert = try VRRPAdvertisement.decode(message, source: source, destination: destination).get()
        #expect(advert == VRRPAdvertisement(vrid: v.2, priority: v.3, interval: v.4, addresses: v.5.map { IPAddress($0)! }))
        #expect(advert.encoded(source: source, destination: destination) == message)
    }

    @Test func theChecksumCoversThePseudoHeader() throws {
        let (source, destination, message) = Self.split(Self.hex(Self.vectors[0].1))
        // The same bytes from another source fail: CARP's sum (no pseudo-header) is not VRRP's.
        #expect(VRRPAdvertisement.decode(message, source: IPAddress("10.99.0.2")!, destination: destination) == .failure(.badChecksum))
        #expect(VRRPAdvertisement.decode(Array(message.dropLast()), source: source, destination: destination) == .failure(.badLength(11)))
        var badType = message
        badType[0] = 0x32
        #expect(VRRPAdvertisement.decode(badType, source: source, destination: destination) == .failure(.badType(2)))
        #expect(VRRPAdvertisement.decode([0x31], source: source, destination: destination) == .failure(.tooShort(1)))
    }
}
