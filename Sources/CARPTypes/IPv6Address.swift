/// An IPv6 address as its 16 network-order bytes; parsed from and printed in RFC 5952 text form.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public private(set) var bytes: [UInt8]

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        self.bytes = Array(bytes)
    }

    public init?(_ text: some StringProtocol) {
        guard let parsed = IPv6Address.parse(Array(text.utf8)[...]) else { return nil }
        bytes = parsed
    }

    /// fe80::/10 and the link- and interface-local multicast scopes: the addresses BSD
    /// stores with an embedded scope and OpenBSD leaves out of its second HMAC context.
    public var isScopeEmbedded: Bool {
        (bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80) || (bytes[0] == 0xff && (bytes[1] == 0x02 || bytes[1] == 0x01))
    }
    public var isLinkLocal: Bool { bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 }
    public var isMulticast: Bool { bytes[0] == 0xff }
    public var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    /// ff02::12, the CARP group.
    public static let carpGroup = IPv6Address(bytes: [0xff, 0x02] + Array(repeating: 0, count: 13) + [0x12])!

    public var description: String {
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        // RFC 5952: compress the longest run (>= 2) of zero groups, the first one on a tie.
        var best = (start: -1, length: 0), index = 0
        while index < 8 {
            guard groups[index] == 0 else { index += 1; continue }
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index > best.length { best = (index, end - index) }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<best.start].joined(separator: ":")
        let tail = hex[(best.start + best.length)...].joined(separator: ":")
        return head + "::" + tail
    }

    /// The 16 bytes of `text` (UTF-8): hex groups with at most one "::", the last group
    /// possibly a dotted quad.
    static func parse(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard !text.isEmpty, text.count <= 45 else { return nil }
        let colon = UInt8(ascii: ":")
        var gap: Int?, index = text.startIndex
        while index + 1 < text.endIndex {
            if text[index] == colon && text[index + 1] == colon {
                guard gap == nil else { return nil }
                gap = index
                index += 2
            } else {
                index += 1
            }
        }
        guard let gap else {
            guard let all = groups(text), all.count == 16 else { return nil }
            return all
        }
        guard let head = groups(text[..<gap]), let tail = groups(text[(gap + 2)...]),
              head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// Colon-separated hex groups, the last of which may be a dotted quad.
    private static func groups(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        if text.isEmpty { return [] }
        var out: [UInt8] = []
        var start = text.startIndex
        while true {
            let end = text[start...].firstIndex(of: UInt8(ascii: ":")) ?? text.endIndex
            let part = text[start..<end]
            if end == text.endIndex, part.contains(UInt8(ascii: ".")) {
                guard let v4 = IPv4Address.parse(part) else { return nil }
                out += IPv4Address(v4).bytes
            } else {
                guard (1...4).contains(part.count) else { return nil }
                var group: UInt16 = 0
                for byte in part {
                    guard let digit = byte.hexDigit else { return nil }
                    group = group << 4 | UInt16(digit)
                }
                out += [UInt8(group >> 8), UInt8(group & 0xff)]
            }
            guard end < text.endIndex else { return out }
            start = end + 1
        }
    }
}
