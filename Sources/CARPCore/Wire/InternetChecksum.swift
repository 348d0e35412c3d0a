/// RFC 1071 one's-complement sum. CARP applies it to the 36 header bytes only, with no
/// pseudo-header, for IPv4 and IPv6 alike (unlike VRRPv3 and ICMPv6).
public enum InternetChecksum {
    public static func compute(_ bytes: some Collection<UInt8>) -> UInt16 {
        var sum: UInt32 = 0
        var iterator = bytes.makeIterator()
        while let high = iterator.next() {
            let low = iterator.next() ?? 0
            sum += UInt32(high) << 8 | UInt32(low)
        }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// True when the bytes, checksum field included, sum to zero.
    public static func verify(_ bytes: some Collection<UInt8>) -> Bool { compute(bytes) == 0 }
}
