/// The 36-byte CARP version 2 advertisement (field names as in ip_carp.h).
///
///     0: version<<4 | type   1: vhid   2: advskew   3: authlen (7)
///     4: demote (OpenBSD; FreeBSD's reserved pad)    5: advbase
///     6: checksum (RFC 1071 over these 36 bytes)     8: counter (8 bytes)
///    16: HMAC-SHA1 digest (20 bytes)
public struct CARPHeader: Hashable, Sendable {
    public static let length = 36
    public static let version: UInt8 = 2
    public static let typeAdvertisement: UInt8 = 1
    public static let authLength: UInt8 = 7

    public var version: UInt8 = CARPHeader.version
    public var type: UInt8 = CARPHeader.typeAdvertisement
    public var vhid: UInt8
    public var advskew: UInt8
    public var authLength: UInt8 = CARPHeader.authLength
    public var demote: UInt8
    public var advbase: UInt8
    public var checksum: UInt16 = 0
    public var counter: UInt64
    public var digest: [UInt8]

    public init(vhid: UInt8, advbase: UInt8, advskew: UInt8, demote: UInt8 = 0, counter: UInt64, digest: [UInt8] = []) {
        self.vhid = vhid
        self.advbase = advbase
        self.advskew = advskew
        self.demote = demote
        self.counter = counter
        self.digest = digest
    }

    /// Decodes the first 36 bytes; trailing bytes are ignored as both BSDs do.
    /// Returns nil only when fewer than 36 bytes are given.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count >= Self.length else { return nil }
        let b = Array(bytes.prefix(Self.length))
        version = b[0] >> 4
        type = b[0] & 0x0f
        vhid = b[1]
        advskew = b[2]
        authLength = b[3]
        demote = b[4]
        advbase = b[5]
        checksum = UInt16(b[6]) << 8 | UInt16(b[7])
        counter = b[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        digest = Array(b[16..<36])
    }

    /// The counter as it travels: high word then low word, each big-endian.
    public var counterBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * $0)) } }

    /// Wire bytes with the checksum field as stored.
    public var bytes: [UInt8] {
        var b: [UInt8] = [version << 4 | type & 0x0f, vhid, advskew, authLength, demote, advbase,
                          UInt8(checksum >> 8), UInt8(checksum & 0xff)]
        b += counterBytes
        b += digest.count == 20 ? digest : Array(repeating: 0, count: 20)
        return b
    }

    /// Wire bytes with a freshly computed checksum (computed last, over the digest too).
    public func sealed() -> [UInt8] {
        var copy = self
        copy.checksum = 0
        var b = copy.bytes
        let sum = InternetChecksum.compute(b)
        b[6] = UInt8(sum >> 8)
        b[7] = UInt8(sum & 0xff)
        return b
    }
}
