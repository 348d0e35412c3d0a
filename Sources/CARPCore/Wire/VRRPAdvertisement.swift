/// A VRRPv3 advertisement (RFC 5798/9568, FreeBSD 15's `carpver 3`): an 8-byte header and
/// the virtual router's addresses of one family, no authentication, and a checksum that,
/// unlike CARP's, covers the IP pseudo-header (doc/vrrp.md).
public struct VRRPAdvertisement: Hashable, Sendable {
    public static let version: UInt8 = 3
    public static let typeAdvertisement: UInt8 = 1
    public static let headerLength = 8

    public var vrid: UInt8
    public var priority: UInt8
    /// Max Advertise Interval in centiseconds, 12 bits.
    public var interval: UInt16
    /// All of one family, in configured order (FreeBSD does not sort them).
    public var addresses: [IPAddress]

    public init(vrid: UInt8, priority: UInt8, interval: UInt16, addresses: [IPAddress]) {
        self.vrid = vrid
        self.priority = priority
        self.interval = interval
        self.addresses = addresses
    }

    /// The message with its checksum over the pseudo-header of `source` and `destination`
    /// (IPv4: 12 bytes, IPv6: 40, both with protocol 112).
    public func encoded(source: IPAddress, destination: IPAddress) -> [UInt8] {
        var bytes: [UInt8] = [Self.version << 4 | Self.typeAdvertisement, vrid, priority, UInt8(truncatingIfNeeded: addresses.count),
                              UInt8((interval >> 8) & 0x0f), UInt8(interval & 0xff), 0, 0]
        bytes += addresses.flatMap(\.bytes)
        let sum = InternetChecksum.compute(Self.pseudoHeader(source: source, destination: destination, length: bytes.count) + bytes)
        bytes[6] = UInt8(sum >> 8)
        bytes[7] = UInt8(sum & 0xff)
        return bytes
    }

    public enum DecodeError: Error, Hashable, Sendable {
        case tooShort(Int), badType(UInt8), badLength(Int), badChecksum
    }

    /// Checks type, length (`8 + count x address size`) and the pseudo-header checksum; the
    /// reserved bits of the interval are masked, as the RFC asks.
    public static func decode(_ bytes: [UInt8], source: IPAddress, destination: IPAddress) -> Result<VRRPAdvertisement, DecodeError> {
        guard bytes.count >= headerLength else { return .failure(.tooShort(bytes.count)) }
        guard bytes[0] & 0x0f == typeAdvertisement else { return .failure(.badType(bytes[0] & 0x0f)) }
        let size = source.bytes.count, count = Int(bytes[3])
        guard bytes.count == headerLength + count * size else { return .failure(.badLength(bytes.count)) }
        guard InternetChecksum.verify(pseudoHeader(source: source, destination: destination, length: bytes.count) + bytes) else {
            return .failure(.badChecksum)
        }
        var addresses: [IPAddress] = []
        for index in 0..<count {
            let start = headerLength + index * size
            if let address = IPAddress(bytes: Array(bytes[start..<(start + size)])) { addresses.append(address) }
        }
        let interval = UInt16(bytes[4] & 0x0f) << 8 | UInt16(bytes[5])
        return .success(VRRPAdvertisement(vrid: bytes[1], priority: bytes[2], interval: interval, addresses: addresses))
    }

    /// IPv4: source, destination, 0, protocol, 16-bit length. IPv6: source, destination,
    /// 32-bit length, three zero bytes, next header.
    static func pseudoHeader(source: IPAddress, destination: IPAddress, length: Int) -> [UInt8] {
        let protocolNumber: UInt8 = 112
        if source.bytes.count == 4 {
            return source.bytes + destination.bytes + [0, protocolNumber, UInt8(length >> 8), UInt8(length & 0xff)]
        }
        return source.bytes + destination.bytes + [0, 0, UInt8(length >> 8), UInt8(length & 0xff), 0, 0, 0, protocolNumber]
    }
}
