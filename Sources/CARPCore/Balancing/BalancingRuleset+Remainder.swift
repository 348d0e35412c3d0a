/// `remainder`: OpenBSD's fold modulo any count, in nftables. The fold is the XOR of the two
/// addresses (their four words XORed together for IPv6) read as a number; its remainder
/// modulo N is built a byte at a time, most significant first: r = (256 r + byte) % N.
/// Each byte is the XOR of two (for IPv6, eight) address bytes, looked up in `byte_xor` (and
/// `byte_xor2`, which takes the running XOR) into the packet's priority; `<group>_rem` takes the
/// remainder so far (in the packet's mark) and the byte to the next remainder. Both scratch
/// fields are cleared again on the packets the node keeps; the others are dropped.
extension BalancingRuleset {
    /// The maps every `remainder` group shares (65,536 entries each, written once per
    /// configuration; a takeover changes only the owned sets).
    var remainderMaps: [String] {
        let remainder = groups.filter { $0.ownedMACs == nil && Self.method(lscount: $0.lscount, families: $0.families) == .remainder }
        guard !remainder.isEmpty else { return [] }
        var lines = Self.map("byte_xor", typeof: "@nh,96,8 . @nh,128,8 : meta priority") { "\($0) . \($1) : \($0 ^ $1)" }
        if remainder.contains(where: { $0.families.contains(.inet6) }) {
            lines += Self.map("byte_xor2", typeof: "meta priority . @nh,96,8 : meta priority") { "\($0) . \($1) : \($0 ^ $1)" }
        }
        return lines
    }

    private static func map(_ name: String, typeof: String, element: (Int, Int) -> String) -> [String] {
        let elements = (0..<256).flatMap { a in (0..<256).map { b in element(a, b) } }
        return ["  map \(name) {", "    typeof \(typeof)", "    elements = { \(elements.joined(separator: ", ")) }", "  }"]
    }

    func remainderLines(_ group: Group) -> [String] {
        let n = group.lscount, rem = "\(group.name)_rem"
        let steps = (0..<n).flatMap { r in (0..<256).map { b in "\(r) . \(b) : \((r * 256 + b) % n)" } }
        var lines = ["  map \(rem) {", "    typeof meta mark . meta priority : meta mark", "    elements = { \(steps.joined(separator: ", ")) }", "  }"]
        lines += ownedSet(group.name + "_own", declaration: "typeof meta mark",
                          elements: Self.ownedBuckets(lscount: n, lsmask: group.lsmask))
        lines.append("  chain \(group.name) {")
        lines += Self.icmpErrorLines
        if group.families.contains(.inet) {
            // IPv4: source bytes at bits 96-127 of the network header, destination at 128-159.
            lines.append("    meta protocol ip meta mark set 0")
            for i in 0..<4 {
                lines.append("    meta protocol ip meta priority set @nh,\(96 + 8 * i),8 . @nh,\(128 + 8 * i),8 map @byte_xor")
                lines.append("    meta protocol ip meta mark set meta mark . meta priority map @\(rem)")
            }
            lines.append("    meta protocol ip meta mark @\(group.name)_own meta mark set 0 meta priority set 0 meta pkttype set host counter accept")
        }
        if group.families.contains(.inet6) {
            // IPv6: source at bits 64-191, destination at 192-319; byte j of the fold is the
            // XOR of byte j of every word of both.
            lines.append("    meta protocol ip6 meta mark set 0")
            for j in 0..<4 {
                lines.append("    meta protocol ip6 meta priority set @nh,\(64 + 8 * j),8 . @nh,\(192 + 8 * j),8 map @byte_xor")
                for word in 1..<4 {
                    lines.append("    meta protocol ip6 meta priority set meta priority . @nh,\(64 + 32 * word + 8 * j),8 map @byte_xor2")
                    lines.append("    meta protocol ip6 meta priority set meta priority . @nh,\(192 + 32 * word + 8 * j),8 map @byte_xor2")
                }
                lines.append("    meta protocol ip6 meta mark set meta mark . meta priority map @\(rem)")
            }
            lines.append("    meta protocol ip6 meta mark @\(group.name)_own meta mark set 0 meta priority set 0 meta pkttype set host counter accept")
        }
        lines.append("    meta protocol { ip, ip6 } counter drop")
        lines.append("  }")
        return lines
    }

    /// The carpnode indexes this node is MASTER of.
    static func ownedBuckets(lscount: Int, lsmask: UInt32) -> [String] {
        (0..<lscount).filter { lsmask & (1 << UInt32($0)) != 0 }.map(String.init)
    }
}
