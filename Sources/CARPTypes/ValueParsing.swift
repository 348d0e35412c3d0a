/// A value that does not parse or is out of range, worded as the BSD tools word it
/// ("vhid 300: too large"); the control protocol and ifconfig report the same text.
public struct ValueError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// strtonum(3)-style integers: "too small", "too large", "invalid", as both BSDs report them.
public enum NumberParsing {
    public static func parse(_ name: String, _ text: String, _ range: ClosedRange<Int>) throws(ValueError) -> Int {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text) else {
            throw ValueError("\(name) \(text): invalid")
        }
        guard value >= range.lowerBound else { throw ValueError("\(name) \(text): too small") }
        guard value <= range.upperBound else { throw ValueError("\(name) \(text): too large") }
        return value
    }
}

extension IPAddress {
    /// Neither multicast, nor unspecified, nor the IPv4 broadcast address: what a virtual
    /// host can carry or a unicast peer can be.
    public var isUnicast: Bool {
        switch self {
        case .v4(let a): !a.isMulticast && !a.isUnspecified && a.value != .max
        case .v6(let a): !a.isMulticast && !a.isUnspecified
        }
    }
}
