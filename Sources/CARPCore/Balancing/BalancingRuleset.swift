/// The nftables ruleset that gives this node its share of a balanced carp interface's
/// traffic (`balancing ip`): one `netdev` table of carpd's own, a chain on the ingress of
/// each carpdev. Frames to the interface's MAC are the whole group's traffic; a flow is
/// kept when OpenBSD's fold of its source and destination falls on a carpnode this node is
/// MASTER of, and its packet type becomes "host" so that TCP and forwarding take it.
///
/// nftables cannot XOR two fields. Two exact ways to the fold (BalancingHash):
/// - `pairs` (BalancingRuleset+Pairs): `x % 2^k` needs only the low k bits of the fold, the
///   XOR of the low k bits of the address words: a set of the (source bits . destination
///   bits) pairs whose XOR is an owned carpnode. Powers of two; IPv6 only for two.
/// - `remainder` (BalancingRuleset+Remainder): any count, byte by byte through maps, the
///   XOR of two bytes in a 65,536-entry map, the running remainder in the packet's mark.
/// The owners change with every takeover; only they are rewritten then (`ownersScript`).
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

    /// How a group's fold is done in nftables.
    public enum Method: Equatable, Sendable {
        case pairs, remainder
    }

    public static func method(lscount: Int, families: Set<AddressFamily>) -> Method {
        lscount & (lscount - 1) == 0 && (lscount == 2 || !families.contains(.inet6)) ? .pairs : .remainder
    }

    /// Why `lscount` carpnodes cannot be balanced, nil when they can.
    public static func refusal(lscount: Int) -> String? {
        lscount >= 2 && lscount <= CarpNode.maximumCount ? nil : "\(lscount) carpnodes: between 2 and \(CarpNode.maximumCount)"
    }

    /// What only a configuration changes: a takeover that leaves it alike needs only
    /// `ownersScript`.
    public var structure: [Group] {
        groups.map { group in
            var g = group
            g.lsmask = 0
            g.ownedMACs = g.ownedMACs.map { _ in [] }
            return g
        }
    }

    /// The `nft -f` script that replaces carpd's table in one transaction (an empty ruleset
    /// removes it).
    public var script: String {
        var lines = ["table netdev \(Self.table) {}", "delete table netdev \(Self.table)"]
        guard !groups.isEmpty else { return lines.joined(separator: "\n") + "\n" }
        lines.append("table netdev \(Self.table) {")
        lines += remainderMaps
        for group in groups {
            if group.ownedMACs != nil {
                lines += ownedSet(group.name + "_macs", declaration: "type ether_addr", elements: ownedElements(group))
                continue
            }
            switch Self.method(lscount: group.lscount, families: group.families) {
            case .pairs: lines += pairsLines(group)
            case .remainder: lines += remainderLines(group)
            }
        }
        for carpdev in Set(groups.map(\.carpdev)).sorted() {
            lines.append("  chain ingress_\(carpdev) {")
            lines.append("    type filter hook ingress device \"\(carpdev)\" priority -500; policy accept;")
            for group in groups where group.carpdev == carpdev {
                // `arp`: the frames to the MACs this node answers for are its; the others'
                // arrive as "other host" and IP drops them.
                lines.append(group.ownedMACs != nil ? "    ether daddr @\(group.name)_macs meta pkttype set host accept"
                                                    : "    ether daddr \(group.mac) jump \(group.name)")
            }
            lines.append("  }")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The owners alone, for a table whose `structure` is already this one's: each owned
    /// set emptied and filled again in one transaction.
    public var ownersScript: String {
        var lines: [String] = []
        for group in groups {
            for (set, elements) in ownedSets(group) {
                lines.append("flush set netdev \(Self.table) \(set)")
                if !elements.isEmpty { lines.append("add element netdev \(Self.table) \(set) { \(elements.joined(separator: ", ")) }") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each owned set of `group` with its elements.
    func ownedSets(_ group: Group) -> [(String, [String])] {
        if group.ownedMACs != nil { return [(group.name + "_macs", ownedElements(group))] }
        switch Self.method(lscount: group.lscount, families: group.families) {
        case .pairs:
            return AddressFamily.allCases.filter(group.families.contains).map {
                ("\(group.name)_\(Self.suffix($0))", Self.ownedPairs($0, lscount: group.lscount, lsmask: group.lsmask))
            }
        case .remainder:
            return [(group.name + "_own", Self.ownedBuckets(lscount: group.lscount, lsmask: group.lsmask))]
        }
    }

    private func ownedElements(_ group: Group) -> [String] { (group.ownedMACs ?? []).map(\.description) }

    /// A set's lines: `declaration` is its `type ...` or `typeof ...` line.
    func ownedSet(_ name: String, declaration: String, elements: [String]) -> [String] {
        ["  set \(name) {", "    \(declaration)"] + (elements.isEmpty ? [] : ["    elements = { \(elements.joined(separator: ", ")) }"]) + ["  }"]
    }

    /// ICMP errors concern a flow some node owns: every node sees them (Linux drops those
    /// for sockets it does not have).
    static let icmpErrorLines = [
        "    icmp type { destination-unreachable, time-exceeded, parameter-problem } meta pkttype set host accept",
        "    icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } meta pkttype set host accept",
    ]
}
