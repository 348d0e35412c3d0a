/// An IPv6 address as its 16 network-order bytes; parsed from and printed in RFC 5952 text form.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public private(set) var bytes: [UInt8]

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        self.bytes = Array(bytes)
    }

    public init?(_ text: some StringProtocol) {
        guard let parsed = IPv6Address.parse(String(text)) else { return nil }
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

    private static func parse(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.count <= 45 else { return nil }
        let halves = text.splitOnDoubleColon()
        guard halves.count <= 2 else { return nil }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 {
            return head.count == 16 ? head : nil
        }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// Colon-separated hex groups, the last of which may be a dotted quad.
    private static func groups(_ text: Substring) -> [UInt8]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var out: [UInt8] = []
        for (n, part) in parts.enumerated() {
            if n == parts.count - 1, part.contains("."), let v4 = IPv4Address(part) {
                out += v4.bytes
                continue
            }
            guard (1...4).contains(part.count), part.allSatisfy(\.isASCIIHexDigit),
                  let group = UInt16(part, radix: 16) else { return nil }
            out += [UInt8(group >> 8), UInt8(group & 0xff)]
        }
        return out
    }
}

extension String {
    /// Splits on every "::"; more than two pieces means the text is malformed.
    fileprivate func splitOnDoubleColon() -> [Substring] {
        var pieces: [Substring] = []
        var start = startIndex, index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":", next < endIndex, self[next] == ":" {
                pieces.append(self[start..<index])
                start = self.index(after: next)
                index = start
                continue
            }
            index = next
        }
        pieces.append(self[start..<endIndex])
        return pieces
    }
}
