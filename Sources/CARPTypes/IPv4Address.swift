/// An IPv4 address held in host order, printed and parsed in dotted-quad form.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Host-order value: 192.0.2.1 is 0xC000_0201.
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Strict dotted quad: four decimal parts 0...255, no leading zeros beyond "0" itself.
    public init?(_ text: some StringProtocol) {
        guard let value = Self.parse(Array(text.utf8)[...]) else { return nil }
        self.value = value
    }

    /// The dotted quad in `text` (UTF-8). Byte by byte: `ifconfig` parses hundreds of these
    /// per call, and splitting Characters costs more than the whole netlink dump.
    static func parse(_ text: ArraySlice<UInt8>) -> UInt32? {
        var result: UInt32 = 0, octet: UInt32 = 0, digits = 0, dots = 0
        for byte in text {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                result = result << 8 | octet
                (octet, digits, dots) = (0, 0, dots + 1)
            } else if let digit = byte.decimalDigit {
                guard !(digits == 1 && octet == 0) else { return nil }  // a leading zero
                octet = octet * 10 + UInt32(digit)
                digits += 1
                guard octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, dots == 3 else { return nil }
        return result << 8 | octet
    }

    /// Network-order bytes, as on the wire and in the HMAC.
    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    public var isMulticast: Bool { value >> 28 == 0xE }
    public var isUnspecified: Bool { value == 0 }

    public var description: String { bytes.map(String.init).joined(separator: ".") }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

    /// 224.0.0.18, the CARP group.
    public static let carpGroup = IPv4Address(0xE000_0012)
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isASCIIHexDigit: Bool { isASCIIDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
}

extension UInt8 {
    /// 0...9 for an ASCII decimal digit.
    var decimalDigit: UInt8? { self >= 0x30 && self <= 0x39 ? self - 0x30 : nil }
    /// 0...15 for an ASCII hex digit of either case.
    var hexDigit: UInt8? {
        switch self {
        case 0x30...0x39: self - 0x30
        case 0x41...0x46: self - 0x41 + 10
        case 0x61...0x66: self - 0x61 + 10
        default: nil
        }
    }
}
