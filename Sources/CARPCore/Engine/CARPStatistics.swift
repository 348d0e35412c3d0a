/// struct carpstats: 16 counters in the order both BSDs declare them, then carpd's own.
public struct CARPStatistics: Hashable, Sendable {
    public enum Counter: String, CaseIterable, Sendable {
        case ipackets, ipackets6, badif, badttl, hdrops, badsum, badver, badlen
        case badauth, badvhid, badaddrs, opackets, opackets6, onomem, ostates, preempt
        /// Not in the BSDs (their kernel cannot fail to hold an address): claims whose
        /// addresses did not all go on the interface.
        case claimfail
    }

    private var values: [UInt64] = Array(repeating: 0, count: Counter.allCases.count)

    public init() {}

    public subscript(_ counter: Counter) -> UInt64 {
        get { values[Counter.allCases.firstIndex(of: counter)!] }
        set { values[Counter.allCases.firstIndex(of: counter)!] = newValue }
    }

    public mutating func increment(_ counter: Counter) { self[counter] &+= 1 }

    /// (name, value) in carpstats order.
    public var all: [(name: String, value: UInt64)] {
        Counter.allCases.map { ($0.rawValue, self[$0]) }
    }
}

/// Why a received packet was dropped; each case is exactly one carpstats counter.
public enum InputRejection: Error, Hashable, Sendable, CustomStringConvertible {
    case headerTruncated      // hdrops
    case notCarpInterface     // badif
    case tooShort(Int)        // badlen
    case badChecksum          // badsum
    case unknownVHID(UInt8)   // badvhid
    case badVersion(UInt8)    // badver
    case versionMismatch(got: UInt8, want: UInt8)  // badver: a CARP packet for a VRRP vhid or the reverse
    case badType(UInt8)       // badver, as FreeBSD counts a type other than advertisement
    case badTTL(Int)          // badttl
    case badAuthentication    // badauth
    case loopDetected         // badauth, as OpenBSD counts it

    public var counter: CARPStatistics.Counter {
        switch self {
        case .headerTruncated: .hdrops
        case .notCarpInterface: .badif
        case .tooShort: .badlen
        case .badChecksum: .badsum
        case .unknownVHID: .badvhid
        case .badVersion, .versionMismatch, .badType: .badver
        case .badTTL: .badttl
        case .badAuthentication, .loopDetected: .badauth
        }
    }

    /// The BSD log texts (OpenBSD's wording where it has one).
    public var description: String {
        switch self {
        case .headerTruncated: "packet header too short"
        case .notCarpInterface: "packet received on non-carp interface"
        case .tooShort(let n): "packet too short \(n)"
        case .badChecksum: "checksum failed"
        case .unknownVHID(let v): "no virtual host for vhid \(v)"
        case .badVersion(let v): "invalid version \(v) != 2"
        case .versionMismatch(let got, let want): "invalid version \(got) != \(want)"
        case .badType(let t): "invalid type \(t)"
        case .badTTL(let t): "received ttl \(t) != 255"
        case .badAuthentication: "incorrect hash"
        case .loopDetected: "replay or network loop detected"
        }
    }
}
