/// The nftables ruleset that gives this node its share of a balanced carp interface's
/// traffic (`balancing ip`): one `netdev` table of carpd's own, a chain on the ingress of
/// each carpdev. Frames to the interface's MAC are the whole group's traffic; a flow is
/// kept when OpenBSD's fold of its source and destination falls on a carpnode this node is
/// MASTER of, and its packet type becomes "host" so that TCP and forwarding take it.
///
/// nftables cannot XOR two fields, but `x % 2^k` only needs the low k bits of the fold, which
/// are the XOR of the low k bits of each address word: a set of the (source bits .
/// destination bits) pairs whose XOR is an owned carpnode does the fold exactly. Hence
/// counts that are powers of two, and IPv6 (four words each side) only for two carpnodes.
public struct BalancingRuleset: Equatable, Sendable {
    /// One balanced carp interface as the data plane sees it.
    public struct Group: Equatable, Sendable {
        public var name: String
        public var carpdev: String
        /// The MAC all nodes receive on (01:00:5e:00:01:<lowest vhid> for `ip`).
        public var mac: MACAddress
        public var lscount: Int
        public var lsmask: UInt32
        public var families: Set<AddressFamily>
        /// `balancing arp`: no hash per packet; the frames to the MACs of the carpnodes this
        /// node is MASTER of are this node's (nil in the modes that hash).
        public var ownedMACs: [MACAddress]?

        public init(name: String, carpdev: String, mac: MACAddress, lscount: Int, lsmask: UInt32, families: Set<AddressFamily>,
                    ownedMACs: [MACAddress]? = nil) {
            self.name = name
            self.carpdev = carpdev
            self.mac = mac
            self.lscount = lscount
            self.lsmask = lsmask
            self.families = families
            self.ownedMACs = ownedMACs
        }
    }

    /// carpd's table in each namespace.
    public static let table = "carpd"
    public var groups: [Group]

    public init(groups: [Group]) { self.groups = groups }

    /// Why `lscount` carpnodes cannot be balanced here, nil when they can.
    public static func refusal(lscount: Int, families: Set<AddressFamily>) -> String? {
        guard lscount >= 2, lscount <= CarpNode.maximumCount, lscount & (lscount - 1) == 0 else {
            return "\(lscount) carpnodes: Linux balances 2, 4, 8, 16 or 32 (the hash must be OpenBSD's)"
        }
        if families.contains(.inet6) && lscount > 2 {
            return "\(lscount) carpnodes: IPv6 addresses are balanced over 2 carpnodes only"
        }
        return nil
    }

    /// The `nft -f` script that replaces carpd's table in one transaction (an empty ruleset
    /// removes it).
    public var script: String {
        var lines = ["table netdev \(Self.table) {}", "delete table netdev \(Self.table)"]
        guard !groups.isEmpty else { return lines.joined(separator: "\n") + "\n" }
        lines.append("table netdev \(Self.table) {")
        for group in groups where group.ownedMACs == nil {
            lines += setLines(group)
            lines += chainLines(group)
        }
        for carpdev in Set(groups.map(\.carpdev)).sorted() {
            lines.append("  chain ingress_\(carpdev) {")
            lines.append("    type filter hook ingress device \"\(carpdev)\" priority -500; policy accept;")
            for group in groups where group.carpdev == carpdev {
                if let owned = group.ownedMACs {
                    // Unicast MACs of other nodes arrive as "other host" and are dropped by IP.
                    if !owned.isEmpty {
                        lines.append("    ether daddr { \(owned.map(\.description).joined(separator: ", ")) } meta pkttype set host accept")
                    }
                } else {
                    lines.append("    ether daddr \(group.mac) jump \(group.name)")
                }
            }
            lines.append("  }")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func setLines(_ group: Group) -> [String] {
        var lines: [String] = []
        for family in AddressFamily.allCases where group.families.contains(family) {
            let type = family == .inet ? "ipv4_addr . ipv4_addr" : "ipv6_addr . ipv6_addr"
            lines.append("  set \(group.name)_\(Self.suffix(family)) {")
            lines.append("    type \(type)")
            let elements = Self.ownedPairs(family, lscount: group.lscount, lsmask: group.lsmask)
            if !elements.isEmpty { lines.append("    elements = { \(elements.joined(separator: ", ")) }") }
            lines.append("  }")
        }
        return lines
    }

    private func chainLines(_ group: Group) -> [String] {
        var lines = ["  chain \(group.name) {"]
        // ICMP errors concern a flow some node owns: every node sees them (Linux drops
        // those for sockets it does not have).
        lines.append("    icmp type { destination-unreachable, time-exceeded, parameter-problem } meta pkttype set host accept")
        lines.append("    icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } meta pkttype set host accept")
        for family in AddressFamily.allCases where group.families.contains(family) {
            let (proto, mask) = family == .inet ? ("ip", Self.mask4(group.lscount)) : ("ip6", Self.mask6)
            lines.append("    \(proto) saddr & \(mask) . \(proto) daddr & \(mask) @\(group.name)_\(Self.suffix(family)) meta pkttype set host counter accept")
        }
        // Not ours, or a family the group does not carry: another node's (or nobody's).
        lines.append("    meta protocol { ip, ip6 } counter drop")
        lines.append("  }")
        return lines
    }

    static func suffix(_ family: AddressFamily) -> String { family == .inet ? "own4" : "own6" }

    /// 0.0.0.(lscount - 1): the low bits of the last byte hold `fold % lscount`.
    static func mask4(_ lscount: Int) -> String { "0.0.0.\(lscount - 1)" }

    /// Bit 0 of the last byte of each 32-bit word.
    static let mask6 = "0:1:0:1:0:1:0:1"

    /// The (source bits . destination bits) pairs whose fold falls on an owned carpnode.
    static func ownedPairs(_ family: AddressFamily, lscount: Int, lsmask: UInt32) -> [String] {
        switch family {
        case .inet:
            return (0..<lscount).flatMap { s in
                (0..<lscount).compactMap { d in
                    lsmask & (1 << UInt32(s ^ d)) != 0 ? "0.0.0.\(s) . 0.0.0.\(d)" : nil
                }
            }
        case .inet6:
            // Four bits a side, one per word; the fold's bit 0 is the parity of all eight.
            let word = { (bits: Int) in (0..<4).map { "0:\(bits >> (3 - $0) & 1)" }.joined(separator: ":") }
            return (0..<16).flatMap { s in
                (0..<16).compactMap { d in
                    let parity = (s ^ d).nonzeroBitCount & 1
                    return lsmask & (1 << UInt32(parity)) != 0 ? "\(word(s)) . \(word(d))" : nil
                }
            }
        }
    }
}
