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

    @Test func countsWithoutAnExactSetAreRefused() {
        #expect(BalancingRuleset.refusal(lscount: 2, families: [.inet, .inet6]) == nil)
        #expect(BalancingRuleset.refusal(lscount: 32, families: [.inet]) == nil)
        #expect(BalancingRuleset.refusal(lscount: 3, families: [.inet])
                == "3 carpnodes: Linux balances 2, 4, 8, 16 or 32 (the hash must be OpenBSD's)")
        #expect(BalancingRuleset.refusal(lscount: 4, families: [.inet6])
                == "4 carpnodes: IPv6 addresses are balanced over 2 carpnodes only")
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
