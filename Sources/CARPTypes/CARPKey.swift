/// The 20-byte CARP key. Both BSDs copy the passphrase with strlcpy into a 20-byte buffer,
/// so only its first 19 bytes count and the rest is zero; no passphrase is 20 zero bytes.
public struct CARPKey: Hashable, Sendable {
    public static let length = 20
    public static let maximumPassphraseBytes = 19

    public let bytes: [UInt8]
    /// What the user typed (shown by `ifconfig -k`), after truncation to 19 bytes.
    public let passphrase: String

    public init(passphrase: String) {
        let used = Array(passphrase.utf8.prefix(Self.maximumPassphraseBytes))
        bytes = used + Array(repeating: 0, count: Self.length - used.count)
        self.passphrase = String(decoding: used, as: UTF8.self)
    }

    public static let none = CARPKey(passphrase: "")
}

/// An Ethernet address.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// `aa:bb:cc:dd:ee:ff` (one or two hex digits per byte, as ether_aton accepts).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts.allSatisfy({ (1...2).contains($0.count) }) else { return nil }
        let bytes = parts.compactMap { UInt8($0, radix: 16) }
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// `lladdr TEXT` as the BSDs check it: well formed, and unicast.
    public static func unicast(_ text: String) throws(ValueError) -> MACAddress {
        guard let mac = MACAddress(text) else { throw ValueError("lladdr \(text): malformed link-level address") }
        guard mac.isUnicast else { throw ValueError("lladdr \(text): not a unicast address") }
        return mac
    }

    /// Not multicast (nor broadcast) and not all zeros: a MAC an interface may have.
    public var isUnicast: Bool { bytes[0] & 1 == 0 && bytes.contains { $0 != 0 } }

    /// The virtual MAC of a vhid: 00:00:5e:00:01:VHID (the IANA VRRP IPv4 block).
    public static func virtual(vhid: UInt8) -> MACAddress { MACAddress(bytes: [0, 0, 0x5e, 0, 1, vhid])! }

    /// The virtual MAC of an IPv6 VRRP router: 00:00:5e:00:02:VRID (RFC 5798 §7.3).
    public static func virtualIPv6(vrid: UInt8) -> MACAddress { MACAddress(bytes: [0, 0, 0x5e, 0, 2, vrid])! }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}
