/// `pairs`: the fold modulo a power of two from a set of masked (source . destination)
/// pairs (BalancingRuleset).
extension BalancingRuleset {
    func pairsLines(_ group: Group) -> [String] {
        var lines: [String] = []
        for family in AddressFamily.allCases where group.families.contains(family) {
            let type = family == .inet ? "type ipv4_addr . ipv4_addr" : "type ipv6_addr . ipv6_addr"
            lines += ownedSet("\(group.name)_\(Self.suffix(family))", declaration: type,
                              elements: Self.ownedPairs(family, lscount: group.lscount, lsmask: group.lsmask))
        }
        lines.append("  chain \(group.name) {")
        lines += Self.icmpErrorLines
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
