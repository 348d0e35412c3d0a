import Testing
@testable import CARPCore

/// The nftables sets must take exactly the flows OpenBSD's fold gives this node.
struct BalancingRulesetTests {
    /// A small deterministic generator: the same addresses on every run.
    struct Bytes {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        mutating func next(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return UInt8(truncatingIfNeeded: state)
            }
        }
    }

    /// Whether the pair of masked addresses is in the owned set, as nft looks it up.
    func inSet(_ family: AddressFamily, _ s: [UInt8], _ d: [UInt8], lscount: Int, lsmask: UInt32) -> Bool {
        let owned = Set(BalancingRuleset.ownedPairs(family, lscount: lscount, lsmask: lsmask))
        if family == .inet {
            let m = UInt8(lscount - 1)
            return owned.contains("0.0.0.\(s[3] & m) . 0.0.0.\(d[3] & m)")
        }
        let bits = { (a: [UInt8]) in [3, 7, 11, 15].map { "0:\(a[$0] & 1)" }.joined(separator: ":") }
        return owned.contains("\(bits(s)) . \(bits(d))")
    }

    @Test func theIPv4SetsAreTheFoldForEveryPowerOfTwo() {
        var random = Bytes()
        for lscount in [2, 4, 8, 16, 32] {
            for _ in 0..<200 {
                let s = random.next(4), d = random.next(4)
                let lsmask = UInt32(truncatingIfNeeded: random.state) & (lscount == 32 ? .max : (1 << UInt32(lscount)) - 1)
                let fold = BalancingHash.fold(source: s, destination: d)
                #expect(inSet(.inet, s, d, lscount: lscount, lsmask: lsmask)
                        == BalancingHash.accepts(fold: fold, lscount: lscount, lsmask: lsmask))
            }
        }
    }

    @Test func theIPv6SetIsTheFoldForTwoCarpnodes() {
        var random = Bytes()
        for lsmask: UInt32 in [0, 1, 2, 3] {
            for _ in 0..<300 {
                let s = random.next(16), d = random.next(16)
                let fold = BalancingHash.fold(source: s, destination: d)
                #expect(inSet(.inet6, s, d, lscount: 2, lsmask: lsmask) == BalancingHash.accepts(fold: fold, lscount: 2, lsmask: lsmask))
            }
        }
    }

    /// The reference's verified sets (doc/balancing.md): index 0 of two.
    @Test func indexZeroOfTwoIsTheEqualLowBits() {
        #expect(BalancingRuleset.ownedPairs(.inet, lscount: 2, lsmask: 1) == ["0.0.0.0 . 0.0.0.0", "0.0.0.1 . 0.0.0.1"])
        #expect(BalancingRuleset.ownedPairs(.inet, lscount: 2, lsmask: 2) == ["0.0.0.0 . 0.0.0.1", "0.0.0.1 . 0.0.0.0"])
        #expect(BalancingRuleset.ownedPairs(.inet6, lscount: 2, lsmask: 1).count == 128)
        #expect(BalancingRuleset.ownedPairs(.inet, lscount: 4, lsmask: 0).isEmpty)
    }

    @Test func powersOfTwoUsePairsTheRestTheRemainder() {
        #expect(BalancingRuleset.method(lscount: 2, families: [.inet, .inet6]) == .pairs)
        #expect(BalancingRuleset.method(lscount: 32, families: [.inet]) == .pairs)
        #expect(BalancingRuleset.method(lscount: 4, families: [.inet, .inet6]) == .remainder)
        #expect(BalancingRuleset.method(lscount: 3, families: [.inet]) == .remainder)
        #expect(BalancingRuleset.refusal(lscount: 3) == nil)
        #expect(BalancingRuleset.refusal(lscount: 33) == "33 carpnodes: between 2 and 32")
    }

    /// The remainder chain, run as nftables would run it on a packet: its maps and rules
    /// read back from the script, the addresses placed where `@nh` offsets point.
    @Test(arguments: [(3, AddressFamily.inet), (5, .inet), (31, .inet), (3, .inet6), (4, .inet6), (7, .inet6)])
    func theRemainderChainIsTheFold(_ lscount: Int, _ family: AddressFamily) throws {
        let group = BalancingRuleset.Group(name: "carp0", carpdev: "eth0", mac: MACAddress(bytes: [1, 0, 0x5e, 0, 1, 1])!,
                                           lscount: lscount, lsmask: 0b101, families: [family])
        let lines = BalancingRuleset(groups: [group]).script.split(separator: "\n").map(String.init)
        var maps: [String: [[Int]: Int]] = [:], current: String?
        for line in lines {
            if line.hasPrefix("  map ") { current = String(line.dropFirst(6).dropLast(2)) }
            guard let name = current, line.hasPrefix("    elements = { ") else { continue }
            let number = { (text: Substring) in Int(text.filter { $0 != " " })! }
            for element in line.dropFirst(17).dropLast(2).split(separator: ",") {
                let parts = element.split(separator: ":")
                maps[name, default: [:]][parts[0].split(separator: ".").map(number)] = number(parts[1])
            }
            current = nil
        }
        let proto = family == .inet ? "meta protocol ip " : "meta protocol ip6 "
        let rules = lines.map { String($0.drop { $0 == " " }) }.filter { $0.hasPrefix(proto) }.map { String($0.dropFirst(proto.count)) }
        var random = Bytes()
        for _ in 0..<300 {
            let s = random.next(family == .inet ? 4 : 16), d = random.next(family == .inet ? 4 : 16)
            // The network header as the offsets see it.
            var header = [UInt8](repeating: 0, count: family == .inet ? 20 : 40)
            header.replaceSubrange((family == .inet ? 12 : 8)..<(family == .inet ? 16 : 24), with: s)
            header.replaceSubrange((family == .inet ? 16 : 24)..<(family == .inet ? 20 : 40), with: d)
            let byte = { (field: Substring) in Int(header[Int(field.split(separator: ",")[1])! / 8]) }
            var mark = -1, priority = -1, kept: Bool?
            for rule in rules {
                let words = rule.split(separator: " ")
                if rule == "meta mark set 0" { mark = 0 }
                else if rule.hasPrefix("meta priority set @nh") { priority = try #require(maps["byte_xor"]?[[byte(words[3]), byte(words[5])]]) }
                else if rule.hasPrefix("meta priority set meta priority") { priority = try #require(maps["byte_xor2"]?[[priority, byte(words[6])]]) }
                else if rule.hasPrefix("meta mark set meta mark") { mark = try #require(maps["carp0_rem"]?[[mark, priority]]) }
                else if rule.hasPrefix("meta mark @carp0_own") { kept = BalancingRuleset.ownedBuckets(lscount: lscount, lsmask: 0b101).contains(String(mark)) }
            }
            let fold = BalancingHash.fold(source: s, destination: d)
            #expect(mark == Int(fold % UInt32(lscount)))
            #expect(kept == BalancingHash.accepts(fold: fold, lscount: lscount, lsmask: 0b101))
        }
    }

    @Test func theScriptReplacesCarpdsTableInOneGo() {
        let group = BalancingRuleset.Group(name: "carp0", carpdev: "eth0", mac: MACAddress(bytes: [1, 0, 0x5e, 0, 1, 1])!,
                                           lscount: 2, lsmask: 0, families: [.inet])
        let script = BalancingRuleset(groups: [group]).script
        let lines = script.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(3)) == ["table netdev carpd {}", "delete table netdev carpd", "table netdev carpd {"])
        #expect(lines.contains("    type filter hook ingress device \"eth0\" priority -500; policy accept;"))
        #expect(lines.contains("    ether daddr 01:00:5e:00:01:01 jump carp0"))
        #expect(lines.contains("    ip saddr & 0.0.0.1 . ip daddr & 0.0.0.1 @carp0_own4 meta pkttype set host counter accept"))
        // Nothing owned (INIT, or every carpnode BACKUP): an empty set, every flow dropped.
        #expect(!lines.contains { $0.contains("elements") })
        #expect(!script.contains("own6"))
        #expect(BalancingRuleset(groups: []).script == "table netdev carpd {}\ndelete table netdev carpd\n")
    }
}

/// Each carpnode's advertisement: its own vhid and advskew, the HMAC over all the carp
/// interface's addresses (doc/balancing.md). The bytes were computed independently (Python's
/// hmac and hashlib, the layout of doc/protocol.md) for `carpnodes 1:0,2:100`, pass s3cret,
/// 192.0.2.10 and 2001:db8::10, counter 0x0000000100000002.
struct CarpnodeAdvertisementTests {
    let addresses = [IPAddress("2001:db8::10")!, IPAddress("192.0.2.10")!]

    @Test(arguments: [
        (UInt8(1), UInt8(0), "21010007000176390000000100000002b37b0d12d32830f5fafa192e2d99fa6602856560"),
        (UInt8(2), UInt8(100), "21026407000105350000000100000002438e6792694ba188d3ba119ee0fce4aa1caaf81d"),
    ])
    func eachCarpnodeSignsAllTheAddresses(_ vhid: UInt8, _ advskew: UInt8, _ golden: String) {
        let auth = CARPAuthenticator(key: CARPKey(passphrase: "s3cret"), vhid: vhid, addresses: addresses)
        var header = CARPHeader(vhid: vhid, advbase: 1, advskew: advskew, counter: 0x0000_0001_0000_0002)
        header.digest = auth.digest(counter: header.counterBytes)
        #expect(toHex(header.sealed()) == golden)
    }
}
