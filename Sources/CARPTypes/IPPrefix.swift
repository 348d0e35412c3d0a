/// An address of either family.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    public init?(_ text: some StringProtocol) {
        guard let address = Self.parse(Array(text.utf8)[...]) else { return nil }
        self = address
    }

    /// A dotted quad, else an IPv6 text form, from UTF-8 bytes.
    static func parse(_ text: ArraySlice<UInt8>) -> IPAddress? {
        if let v4 = IPv4Address.parse(text) { return .v4(IPv4Address(v4)) }
        return IPv6Address.parse(text).flatMap(IPv6Address.init(bytes:)).map { .v6($0) }
    }

    public init?(bytes: [UInt8]) {
        if let a = IPv4Address(bytes: bytes) { self = .v4(a) } else if let a = IPv6Address(bytes: bytes) { self = .v6(a) } else { return nil }
    }

    public var bytes: [UInt8] {
        switch self { case .v4(let a): a.bytes; case .v6(let a): a.bytes }
    }

    public var family: AddressFamily {
        switch self { case .v4: .inet; case .v6: .inet6 }
    }

    public var description: String {
        switch self { case .v4(let a): a.description; case .v6(let a): a.description }
    }
}

public enum AddressFamily: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case inet, inet6
    public var description: String { self == .inet ? "inet" : "inet6" }
}

/// An interface address with its prefix length, e.g. 192.0.2.10/24.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var length: UInt8

    public init(address: IPAddress, length: UInt8) {
        self.address = address
        self.length = length
    }

    /// "ADDR/LEN", or a bare ADDR with the host length (/32, /128).
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)[...]
        let slash = utf8.firstIndex(of: UInt8(ascii: "/")) ?? utf8.endIndex
        guard let address = IPAddress.parse(utf8[..<slash]) else { return nil }
        let max: UInt8 = address.family == .inet ? 32 : 128
        var length = max
        if slash < utf8.endIndex {
            let digits = utf8[(slash + 1)...]
            guard (1...3).contains(digits.count), digits.allSatisfy({ $0.decimalDigit != nil }),
                  let n = UInt8(String(decoding: digits, as: UTF8.self)), n <= max else { return nil }
            length = n
        }
        self.init(address: address, length: length)
    }

    public var family: AddressFamily { address.family }
    public var description: String { "\(address)/\(length)" }

    /// True when `other` lies in this prefix's network.
    public func contains(_ other: IPAddress) -> Bool {
        let a = address.bytes, b = other.bytes
        guard a.count == b.count else { return false }
        var bits = Int(length)
        for (x, y) in zip(a, b) {
            guard bits > 0 else { return true }
            let mask: UInt8 = bits >= 8 ? 0xff : ~(0xff >> UInt8(bits))
            if x & mask != y & mask { return false }
            bits -= 8
        }
        return true
    }
}
