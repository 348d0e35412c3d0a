import CARPTypes

/// Everything one `ifconfig IF words...` line asks for, collected before anything is
/// applied (FreeBSD's collect-then-apply; OpenBSD acts word by word, with the same result
/// for every line that works there).
public struct IfconfigRequest: Hashable, Sendable {
    public enum Peer: Hashable, Sendable { case unicast(IPAddress), multicast }
    public enum AddressAction: Hashable, Sendable {
        /// No alias word: the address replaces the interface's first address of its family (inet).
        case replace
        /// `alias` / `add`
        case add
        /// `-alias` / `delete` / `remove`
        case delete
    }

    // Link
    public var create = false
    public var destroy = false
    public var up: Bool?
    public var mtu: Int?

    // CARP
    public var vhid: UInt8?
    public var advbase: UInt8?
    public var advskew: UInt8?
    public var pass: String?
    public var state: CARPState?
    public var carpdev: String?
    public var peer: Peer?
    public var peer6: Peer?

    // Addresses
    public var addresses: [IPPrefix] = []
    public var addressAction: AddressAction = .replace

    public init() {}

    /// The CARP words that FreeBSD refuses without `vhid` on a parent interface.
    public var carpWordsUsed: [String] {
        var words: [String] = []
        if advbase != nil { words.append("advbase") }
        if advskew != nil { words.append("advskew") }
        if pass != nil { words.append("pass") }
        if state != nil { words.append("state") }
        if peer != nil { words.append("peer") }
        if peer6 != nil { words.append("peer6") }
        return words
    }

    public var hasCARPParameters: Bool { vhid != nil || carpdev != nil || !carpWordsUsed.isEmpty }
}
