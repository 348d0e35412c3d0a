import CARPTypes

/// Everything one `ifconfig IF words...` line asks for, collected before anything is
/// applied (FreeBSD's collect-then-apply; OpenBSD acts word by word, with the same result
/// for every line that works there).
public struct IfconfigRequest: Hashable, Sendable {
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
    /// `lladdr`: a carp interface's MAC, or a plain link's.
    public var lladdr: MACAddress?
    /// FreeBSD's inet6 options (`no_dad`, `-accept_rtadv`...): the last word for each wins.
    public var nd6: [ND6Option: Bool] = [:]

    /// The CARP words (vhid, advbase, advskew, pass, state, carpdev, the peers): the same
    /// typed change carpd receives, filled word by word. Addresses and up/down are added by
    /// the planner, which knows what the interface is.
    public var carp = VirtualHostChange()

    // Addresses
    public var addresses: [IPPrefix] = []
    public var addressAction: AddressAction = .replace

    /// The pfsync words (syncdev, syncpeer, maxupd, defer, version).
    public var pfsync = PfsyncChange()

    /// Notes for the user that do not stop the line (a passphrase cut to 19 bytes).
    public var warnings: [String] = []

    public init() {}

    /// The CARP words that FreeBSD refuses without `vhid` on a parent interface.
    public var carpWordsUsed: [String] {
        var words: [String] = []
        if carp.advbase != nil { words.append("advbase") }
        if carp.advskew != nil { words.append("advskew") }
        if carp.key != nil { words.append("pass") }
        if carp.state != nil { words.append("state") }
        if carp.peer != nil { words.append("peer") }
        if carp.peer6 != nil { words.append("peer6") }
        if carp.version != nil { words.append("carpver") }
        if carp.vrrpPriority != nil { words.append("vrrpprio") }
        if carp.vrrpInterval != nil { words.append("vrrpinterval") }
        if carp.carpnodes != nil { words.append("carpnodes") }
        if carp.balancing != nil { words.append("balancing") }
        return words
    }

    public var hasCARPParameters: Bool { carp.vhid != nil || carp.carpdev != nil || !carpWordsUsed.isEmpty || usesGroups }

    /// `group` / `-group`: kept for carp interfaces only.
    public var usesGroups: Bool { !carp.joinGroups.isEmpty || !carp.leaveGroups.isEmpty }

    /// The pfsync words used, for the message that refuses them elsewhere.
    public var pfsyncWordsUsed: [String] {
        var words: [String] = []
        if pfsync.syncdev != nil { words.append("syncdev") }
        if pfsync.syncpeer != nil { words.append("syncpeer") }
        if pfsync.maxupd != nil { words.append("maxupd") }
        if pfsync.deferUpdates != nil { words.append("defer") }
        if pfsync.version != nil { words.append("version") }
        return words
    }
}
